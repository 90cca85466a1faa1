package kernels

import "math"

// convForwardRef is the reference for ConvForward: a direct seven-deep loop.
func convForwardRef(s ConvShape, x, w, b, y []float64) {
	pad := s.K / 2
	hw := s.H * s.W
	for n := 0; n < s.N; n++ {
		for o := 0; o < s.Cout; o++ {
			out := y[(n*s.Cout+o)*hw:][:hw]
			for i := 0; i < s.H; i++ {
				for j := 0; j < s.W; j++ {
					acc := b[o]
					for c := 0; c < s.Cin; c++ {
						in := x[(n*s.Cin+c)*hw:][:hw]
						wk := w[(o*s.Cin+c)*s.K*s.K:][:s.K*s.K]
						for p := 0; p < s.K; p++ {
							ii := i + p - pad
							if ii < 0 || ii >= s.H {
								continue
							}
							for q := 0; q < s.K; q++ {
								jj := j + q - pad
								if jj < 0 || jj >= s.W {
									continue
								}
								acc = math.FMA(in[ii*s.W+jj], wk[p*s.K+q], acc)
							}
						}
					}
					out[i*s.W+j] = acc
				}
			}
		}
	}
}

// convBackwardDataRef is the reference for ConvBackwardData.
func convBackwardDataRef(s ConvShape, dy, w, dx []float64) {
	pad := s.K / 2
	hw := s.H * s.W
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.Cin; c++ {
			out := dx[(n*s.Cin+c)*hw:][:hw]
			for i := 0; i < s.H; i++ {
				for j := 0; j < s.W; j++ {
					var acc float64
					for o := 0; o < s.Cout; o++ {
						g := dy[(n*s.Cout+o)*hw:][:hw]
						wk := w[(o*s.Cin+c)*s.K*s.K:][:s.K*s.K]
						for p := 0; p < s.K; p++ {
							ii := i - p + pad
							if ii < 0 || ii >= s.H {
								continue
							}
							for q := 0; q < s.K; q++ {
								jj := j - q + pad
								if jj < 0 || jj >= s.W {
									continue
								}
								acc = math.FMA(g[ii*s.W+jj], wk[p*s.K+q], acc)
							}
						}
					}
					out[i*s.W+j] = acc
				}
			}
		}
	}
}

// convBackwardFilterRef is the reference for ConvBackwardFilter.
func convBackwardFilterRef(s ConvShape, x, dy, dw, db []float64) {
	pad := s.K / 2
	hw := s.H * s.W
	for o := 0; o < s.Cout; o++ {
		var bs float64
		for n := 0; n < s.N; n++ {
			for _, v := range dy[(n*s.Cout+o)*hw:][:hw] {
				bs += v
			}
		}
		db[o] += bs
		for c := 0; c < s.Cin; c++ {
			for p := 0; p < s.K; p++ {
				for q := 0; q < s.K; q++ {
					var acc float64
					for n := 0; n < s.N; n++ {
						in := x[(n*s.Cin+c)*hw:][:hw]
						g := dy[(n*s.Cout+o)*hw:][:hw]
						for i := 0; i < s.H; i++ {
							ii := i + p - pad
							if ii < 0 || ii >= s.H {
								continue
							}
							for j := 0; j < s.W; j++ {
								jj := j + q - pad
								if jj < 0 || jj >= s.W {
									continue
								}
								acc = math.FMA(in[ii*s.W+jj], g[i*s.W+j], acc)
							}
						}
					}
					dw[((o*s.Cin+c)*s.K+p)*s.K+q] += acc
				}
			}
		}
	}
}
