//go:build !purego

package kernels

// The planar kernels' dispatch. Every tier above purego runs the AVX2
// kernels (there are no AVX-512 planar kernels yet). The assembly covers
// d = 2 (the hypernetwork's 2-D flows), four points at a time; the last
// n%4 points and other d go through the reference.

//go:noescape
func planarForward2AVX2(z, Wt, U, B, f, trace []float64, inv float64)

//go:noescape
func planarReverse2AVX2(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)

func planarForward(n, d, w int, z, Wt, U, B, f, trace []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if d == 2 {
			planarForward2Asm(n, w, z, Wt, U, B, f, trace)
			return
		}
	}
	planarForwardRef(n, d, w, z, Wt, U, B, f, trace)
}

func planarReverse(n, d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	switch active {
	case tierAVX512, tierAVX2:
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
