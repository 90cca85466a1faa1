// Command planar generates kernels/planar_amd64.s, the AVX2/FMA and AVX-512
// assembly of the hypernetwork planar layer and its reverse for points in
// two dimensions, vectorised over the batch (four points per register in
// AVX2, eight in AVX-512).
package main

import . "github.com/mmcloughlin/avo/build"

//go:generate go run . -out ../../kernels/planar_amd64.s

func main() {
	ConstraintExpr("!purego")
	forward()
	reverse()
	forward512()
	reverse512()
	Generate()
}
