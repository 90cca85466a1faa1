package kernels

import "math"

// The references read and write images through convImages, so that the
// same loops serve the compact layout of ConvForward and its gradients and
// the padded layout of the Padded kernels: they touch the pixels of an
// image only, never a border.

// convForwardRef is the reference for ConvForward: a direct seven-deep
// loop. A nil b is a bias of zeros.
func convForwardRef(s ConvShape, x convImages, w, b []float64, y convImages) {
	pad := s.K / 2
	for n := 0; n < s.N; n++ {
		for o := 0; o < s.Cout; o++ {
			out := y.channel(n, o)
			for i := 0; i < s.H; i++ {
				for j := 0; j < s.W; j++ {
					var acc float64
					if b != nil {
						acc = b[o]
					}
					for c := 0; c < s.Cin; c++ {
						in := x.channel(n, c)
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
								acc = math.FMA(in[ii*x.row+jj], wk[p*s.K+q], acc)
							}
						}
					}
					out[i*y.row+j] = acc
				}
			}
		}
	}
}

// convBackwardDataRef is the reference for ConvBackwardData, writing the
// gradient of the input channels c0..c0+nc-1 as channels 0..nc-1 of dx.
func convBackwardDataRef(s ConvShape, dy convImages, w []float64, dx convImages, c0, nc int) {
	pad := s.K / 2
	for n := 0; n < s.N; n++ {
		for c := c0; c < c0+nc; c++ {
			out := dx.channel(n, c-c0)
			for i := 0; i < s.H; i++ {
				for j := 0; j < s.W; j++ {
					var acc float64
					for o := 0; o < s.Cout; o++ {
						g := dy.channel(n, o)
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
								acc = math.FMA(g[ii*dy.row+jj], wk[p*s.K+q], acc)
							}
						}
					}
					out[i*dx.row+j] = acc
				}
			}
		}
	}
}

// convBackwardFilterRef is the reference for ConvBackwardFilter; a nil db
// leaves the bias gradient out.
func convBackwardFilterRef(s ConvShape, x, dy convImages, dw, db []float64) {
	pad := s.K / 2
	for o := 0; o < s.Cout; o++ {
		if db != nil {
			var bs float64
			for n := 0; n < s.N; n++ {
				g := dy.channel(n, o)
				for i := 0; i < s.H; i++ {
					for _, v := range g[i*dy.row:][:s.W] {
						bs += v
					}
				}
			}
			db[o] += bs
		}
		for c := 0; c < s.Cin; c++ {
			for p := 0; p < s.K; p++ {
				for q := 0; q < s.K; q++ {
					var acc float64
					for n := 0; n < s.N; n++ {
						in := x.channel(n, c)
						g := dy.channel(n, o)
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
								acc = math.FMA(in[ii*x.row+jj], g[i*dy.row+j], acc)
							}
						}
					}
					dw[((o*s.Cin+c)*s.K+p)*s.K+q] += acc
				}
			}
		}
	}
}
