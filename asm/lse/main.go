// Command lse generates kernels/lse_amd64.s, the AVX2/FMA and AVX-512
// assembly of the log-sum-exp family: log-sum-exp over the rows of a matrix
// and the Gaussian-mixture log-density (squared distances, and the whole
// density for points in two dimensions).
package main

import (
	. "github.com/mmcloughlin/avo/build"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

//go:generate go run . -out ../../kernels/lse_amd64.s

func main() {
	ConstraintExpr("!purego")
	masks := vm.TailMasks()
	logSumExp(masks)
	gmmDist("gmmDistAVX2", distAVX2(masks))
	gmm2()
	logSumExp512()
	gmmDist("gmmDistAVX512", dist512)
	gmm2512()
	Generate()
}
