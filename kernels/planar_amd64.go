//go:build !purego

package kernels

// The planar kernels, dispatched between assembly and reference. The
// assembly covers d = 2 (the hypernetwork's 2-D flows), four points at a
// time; the last len%4 points and other d go through the reference.

//go:noescape
func planarForward2AVX2(z, Wt, U, B, f, trace []float64, inv float64)

//go:noescape
func planarReverse2AVX2(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)

func planarForward(n, d, w int, z, Wt, U, B, f, trace []float64) {
	if !useAsm || d != 2 {
		planarForwardRef(n, d, w, z, Wt, U, B, f, trace)
		return
	}
	inv := 1 / float64(w)
	m := n &^ 3
	planarForward2AVX2(z[:m*d], Wt[:w*d], U[:w*d], B[:w], f[:m*d], trace[:m], inv)
	planarForwardRef(n-m, d, w, z[m*d:], Wt, U, B, f[m*d:], trace[m:])
}

func planarReverse(n, d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	if !useAsm || d != 2 {
		planarReverseRef(n, d, w, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB)
		return
	}
	inv := 1 / float64(w)
	m := n &^ 3
	clear(gz[:m*d])
	planarReverse2AVX2(z[:m*d], Wt[:w*d], U[:w*d], B[:w], gf[:m*d], gtrace[:m], gz[:m*d], gWt[:w*d], gU[:w*d], gB[:w], inv)
	planarReverseRef(n-m, d, w, z[m*d:], Wt, U, B, gf[m*d:], gtrace[m:], gz[m*d:], gWt, gU, gB)
}
