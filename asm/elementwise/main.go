// Command elementwise generates kernels/elementwise_amd64.s, the AVX2/FMA
// assembly of the elementwise family: exp, log1p, softplus, sigmoid and its
// derivative, tanh and its derivative, and the fused primal+tangent forms
// and their reverses.
package main

import (
	. "github.com/mmcloughlin/avo/build"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

//go:generate go run . -out ../../kernels/elementwise_amd64.s

func main() {
	ConstraintExpr("!purego")
	masks := vm.TailMasks()
	for _, k := range kernels {
		generate(k, masks)
	}
	for _, k := range kernels512 {
		generate512(k)
	}
	Generate()
}
