// Command dense generates kernels/dense_amd64.s, the assembly of the dense
// family: for the avx2 tier (AVX2/FMA) the GEMM micro-kernel, GEMV, dot,
// axpy and sum of squares; for the avx512 tier the GEMM micro-kernels (one
// tile and its edges), the packing of their operands, the rank-one update
// and GEMV.
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
	for _, mr := range []int{8, 4} {
		for _, nv := range []int{3, 2, 1} {
			gemmTile(tile{mr: mr, nv: nv, pmr: 8, pnr: 24})
		}
	}
	gemmRank1()
	gemvNAVX512()
	gemvTAVX512()
	packTranspose()
	packCopy(1)
	packCopy(3)
	Generate()
}
