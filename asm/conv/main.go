// Command conv generates kernels/conv_amd64.s, the AVX2/FMA and AVX-512
// assembly of the convolution family: the implicit-GEMM tile kernels behind
// ConvForward and ConvBackwardData, and the weight-gradient kernels behind
// ConvBackwardFilter, and the activation kernels that the fused forms run
// over a convolution's outputs.
package main

import (
	. "github.com/mmcloughlin/avo/build"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

//go:generate go run . -out ../../kernels/conv_amd64.s

func main() {
	ConstraintExpr("!purego")
	for mr := 1; mr <= tileRows; mr++ {
		convTile(mr, false)
	}
	for mr := 1; mr <= tileRows; mr++ {
		convTile(mr, true)
	}
	convFilter()
	convFilter16()
	for mr := 1; mr <= tile512Rows; mr++ {
		convTileAVX512(mr, false)
	}
	for mr := 1; mr <= tile512Rows; mr++ {
		convTileAVX512(mr, true)
	}
	for mr := 1; mr <= filter512Rows; mr++ {
		convFilterAVX512(mr)
	}
	convPadAVX512()
	for _, tc := range []tierCode{avx2Code(vm.TailMasks()), avx512Code()} {
		for _, a := range tc.activations {
			actPrimal(tc, a)
			actJVP(tc, a)
			actReverse(tc, a)
		}
	}
	Generate()
}
