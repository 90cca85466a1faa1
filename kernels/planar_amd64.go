//go:build !purego

package kernels

// The planar kernels' dispatch. The assembly covers d = 2 (the
// hypernetwork's 2-D flows); other d go through the reference. The AVX2
// kernels take four points at a time, the last n%4 going through the
// reference; the AVX-512 kernels take every point, the last n%8 under
// opmasks.

//go:noescape
func planarForward2AVX2(z, Wt, U, B, f, trace []float64, inv float64)

//go:noescape
func planarReverse2AVX2(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)

// planarForward2AVX512 computes PlanarForward for d = 2, w = len(B) and
// n = len(trace) points, with inv = 1/w: for each point s, with
// h_i = tanh(Wt_i . z_s + B_i), f_s = inv sum_i U_i h_i and
// trace[s] = inv sum_i (1 - h_i^2)(U_i . Wt_i).
//
//go:noescape
func planarForward2AVX512(z, Wt, U, B, f, trace []float64, inv float64)

// planarReverse2AVX512 computes PlanarReverse for d = 2, w = len(B) and
// n = len(gtrace) points, with inv = 1/w: it adds the gradient with respect
// to z into gz (which the caller zeroes) and accumulates those with respect
// to Wt, U and B into gWt, gU and gB.
//
//go:noescape
func planarReverse2AVX512(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)

func planarForward(n, d, w int, z, Wt, U, B, f, trace []float64) {
	switch active {
	case tierAVX512:
		if d == 2 {
			planarForward2AVX512(z[:n*d], Wt[:w*d], U[:w*d], B[:w], f[:n*d], trace[:n], 1/float64(w))
			return
		}
	case tierAVX2:
		if d == 2 {
			planarForward2Asm(n, w, z, Wt, U, B, f, trace)
			return
		}
	}
	planarForwardRef(n, d, w, z, Wt, U, B, f, trace)
}

func planarReverse(n, d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	switch active {
	case tierAVX512:
		if d == 2 {
			clear(gz[:n*d])
			planarReverse2AVX512(z[:n*d], Wt[:w*d], U[:w*d], B[:w], gf[:n*d], gtrace[:n], gz[:n*d], gWt[:w*d], gU[:w*d], gB[:w], 1/float64(w))
			return
		}
	case tierAVX2:
		if d == 2 {
			planarReverse2Asm(n, w, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB)
			return
		}
	}
	planarReverseRef(n, d, w, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB)
}

// planarForward2Asm is PlanarForward for d = 2 on the AVX2 kernel, the last
// n%4 points on the reference.
func planarForward2Asm(n, w int, z, Wt, U, B, f, trace []float64) {
	const d = 2
	inv := 1 / float64(w)
	m := n &^ 3
	planarForward2AVX2(z[:m*d], Wt[:w*d], U[:w*d], B[:w], f[:m*d], trace[:m], inv)
	planarForwardRef(n-m, d, w, z[m*d:], Wt, U, B, f[m*d:], trace[m:])
}

// planarReverse2Asm is PlanarReverse for d = 2 on the AVX2 kernel, the last
// n%4 points on the reference.
func planarReverse2Asm(n, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	const d = 2
	inv := 1 / float64(w)
	m := n &^ 3
	clear(gz[:m*d])
	planarReverse2AVX2(z[:m*d], Wt[:w*d], U[:w*d], B[:w], gf[:m*d], gtrace[:m], gz[:m*d], gWt[:w*d], gU[:w*d], gB[:w], inv)
	planarReverseRef(n-m, d, w, z[m*d:], Wt, U, B, gf[m*d:], gtrace[m:], gz[m*d:], gWt, gU, gB)
}
