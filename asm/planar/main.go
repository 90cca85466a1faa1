// Command planar generates kernels/planar_amd64.s, the AVX2/FMA assembly of
// the hypernetwork planar layer and its reverse for points in two
// dimensions, vectorised over the batch (four points per register).
package main

import . "github.com/mmcloughlin/avo/build"

//go:generate go run . -out ../../kernels/planar_amd64.s

func main() {
	ConstraintExpr("!purego")
	forward()
	reverse()
	Generate()
}
