//go:build purego || !amd64

package kernels

// Without assembly every dense kernel is its reference.

var (
	gemm  = gemmRef
	gemv  = gemvRef
	dot   = dotRef
	axpy  = axpyRef
	sumSq = sumSqRef
)
