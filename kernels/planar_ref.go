package kernels

import "math"

// planarForwardRef is the reference for PlanarForward.
func planarForwardRef(n, d, w int, z, Wt, U, B, f, trace []float64) {
	inv := 1 / float64(w)
	for s := 0; s < n; s++ {
		zs := z[s*d : s*d+d]
		fs := f[s*d : s*d+d]
		clear(fs)
		var tr float64
		for i := 0; i < w; i++ {
			wi, ui := Wt[i*d:i*d+d], U[i*d:i*d+d]
			a := B[i]
			var uw float64
			for k := 0; k < d; k++ {
				a = math.FMA(wi[k], zs[k], a)
				uw = math.FMA(ui[k], wi[k], uw)
			}
			h := math.Tanh(a)
			for k := 0; k < d; k++ {
				fs[k] = math.FMA(ui[k], h, fs[k])
			}
			tr = math.FMA(1-float64(h*h), uw, tr)
		}
		for k := range fs {
			fs[k] *= inv
		}
		trace[s] = tr * inv
	}
}

// planarReverseRef is the reference for PlanarReverse. With
// a_i = Wt_i.z+B_i, h_i = tanh(a_i), h'_i = 1-h_i^2 and its derivative
// h2_i = -2 h_i h'_i:
//
//	df/dU_i = h_i/w, df/da_i = U_i h'_i/w,
//	dtrace/da_i = h2_i (U_i.Wt_i)/w, dtrace/dU_i = h'_i Wt_i/w, dtrace/dWt_i = h'_i U_i/w.
//
// Products are converted to float64 before they are added, so that no build
// fuses them.
func planarReverseRef(n, d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	inv := 1 / float64(w)
	for s := 0; s < n; s++ {
		zs, gfs, gzs := z[s*d:s*d+d], gf[s*d:s*d+d], gz[s*d:s*d+d]
		gt := gtrace[s] * inv
		clear(gzs)
		for i := 0; i < w; i++ {
			wi, ui := Wt[i*d:i*d+d], U[i*d:i*d+d]
			a := B[i]
			var uw, gu float64
			for k := 0; k < d; k++ {
				a = math.FMA(wi[k], zs[k], a)
				uw = math.FMA(ui[k], wi[k], uw)
				gu = math.FMA(gfs[k], ui[k], gu)
			}
			h := math.Tanh(a)
			hp := 1 - float64(h*h)
			hpp := -2 * h * hp
			// Gradient with respect to a_i, from f and from the trace.
			ga := float64(hp*gu*inv) + float64(hpp*uw*gt)
			for k := 0; k < d; k++ {
				gzs[k] = math.FMA(ga, wi[k], gzs[k])
				gWt[i*d+k] += float64(ga*zs[k]) + float64(hp*gt*ui[k])
				gU[i*d+k] += float64(h*inv*gfs[k]) + float64(hp*gt*wi[k])
			}
			gB[i] += ga
		}
	}
}
