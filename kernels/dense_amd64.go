//go:build !purego

package kernels

// The dense kernels, dispatched between assembly and reference.

var (
	gemm  = gemmRef
	gemv  = gemvRef
	dot   = dotRef
	axpy  = axpyRef
	sumSq = sumSqRef
)
