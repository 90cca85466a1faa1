// Command dense generates kernels/dense_amd64.s, the AVX2/FMA assembly of the
// dense family: the GEMM micro-kernel, GEMV, dot, axpy and sum of squares.
package main

import . "github.com/mmcloughlin/avo/build"

//go:generate go run . -out ../../kernels/dense_amd64.s

func main() {
	ConstraintExpr("!purego")
	gemmKernel()
	gemvN4()
	gemvT()
	dot()
	sumSq()
	axpy()
	Generate()
}
