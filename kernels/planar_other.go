//go:build purego || !amd64

package kernels

// Without the assembly every planar kernel is its reference.

func planarForward(n, d, w int, z, Wt, U, B, f, trace []float64) {
	planarForwardRef(n, d, w, z, Wt, U, B, f, trace)
}

func planarReverse(n, d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	planarReverseRef(n, d, w, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB)
}
