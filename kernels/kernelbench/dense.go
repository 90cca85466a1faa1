package kernelbench

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/mmcnf/mmcnf/kernels"
)

// gemmShape is a GEMM C(m x n) = op(A) * op(B) benchmark.
type gemmShape struct {
	name           string // empty: "MxNxK"
	transA, transB bool
	m, n, k        int
	// noPurego leaves the reference out: it costs seconds per call at
	// every shape larger than 256^3.
	noPurego bool
	// beta is the scale of C: 1 where the flows accumulate into C.
	beta float64
}

// gemmShapes are square problems, and the three GEMMs of a 3x3 convolution
// by im2col with 65 input channels (64 plus time), 64 output channels, 16x16
// images and batch 64: forward W(64 x 585) * cols(585 x 16384), the weight
// gradient dY(64 x 16384) * cols^T, and the input gradient W^T * dY.
var gemmShapes = []gemmShape{
	{m: 64, n: 64, k: 64},
	{m: 256, n: 256, k: 256},
	{m: 1024, n: 1024, k: 1024, noPurego: true},
	{name: "1024x1024x1024 AT BT", transA: true, transB: true, m: 1024, n: 1024, k: 1024, noPurego: true},
	{name: "conv fwd 64x16384x585", m: 64, n: 16384, k: 585, noPurego: true},
	{name: "conv dW 64x585x16384 BT", transB: true, m: 64, n: 585, k: 16384, noPurego: true},
	{name: "conv dX 585x16384x64 AT", transA: true, m: 585, n: 16384, k: 64, noPurego: true},
	// The flows' own GEMMs: the planar hypernetwork's weight gradients
	// (rank-one updates C += g*h^T of its output and hidden layers, H = 32
	// and W = 64 in 2-D), and the feature classifier's dense layers
	// (512 -> 64 -> 10) at batch 64 and, for its evaluation, 256: the
	// forward products, the weight gradients (A transposed) and the
	// gradient of the features.
	{name: "planar 448x32x1", m: 448, n: 32, k: 1, beta: 1},
	{name: "planar 32x32x1", m: 32, n: 32, k: 1, beta: 1},
	{name: "classifier 64x64x512 BT", transB: true, m: 64, n: 64, k: 512, beta: 1},
	{name: "classifier 256x64x512 BT", transB: true, m: 256, n: 64, k: 512, beta: 1},
	{name: "classifier 64x10x64 BT", transB: true, m: 64, n: 10, k: 64, beta: 1},
	{name: "classifier 10x64x64 AT", transA: true, m: 10, n: 64, k: 64, beta: 1},
	{name: "classifier 64x512x64 AT", transA: true, m: 64, n: 512, k: 64, beta: 1},
	{name: "classifier 64x512x64", m: 64, n: 512, k: 64},
}

func init() {
	for _, s := range gemmShapes {
		name := s.name
		if name == "" {
			name = fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k)
		}
		Register(Case{
			Kernel: "gemm", Shape: name, Unit: FLOPs, Work: 2 * float64(s.m) * float64(s.n) * float64(s.k),
			Gonum: true, NoPurego: s.noPurego,
			Setup: func(impl string) (func(), error) { return gemmSetup(s, impl), nil },
		})
	}
	// Square GEMVs, and those of the planar hypernetwork (H = 32, W = 64,
	// 2-D): its hidden layer and output layer forward, and their
	// transposes in the reverse pass.
	for _, trans := range []bool{false, true} {
		for _, mn := range [][2]int{{64, 64}, {1024, 1024}, {32, 32}, {448, 32}} {
			m, n := mn[0], mn[1]
			shape := fmt.Sprintf("%dx%d", m, n)
			if trans {
				shape += " AT"
			}
			Register(Case{
				Kernel: "gemv", Shape: shape, Unit: FLOPs, Work: 2 * float64(m) * float64(n), Gonum: true,
				Setup: func(impl string) (func(), error) { return gemvSetup(trans, m, n, impl), nil },
			})
		}
	}
	// Lengths 16 and 32 show the cost of the call and its dispatch.
	for _, n := range []int{16, 32, 64, 4096} {
		shape := fmt.Sprint(n)
		Register(
			Case{Kernel: "dot", Shape: shape, Unit: FLOPs, Work: 2 * float64(n), Gonum: true,
				Setup: func(impl string) (func(), error) { return dotSetup(n, impl), nil }},
			Case{Kernel: "axpy", Shape: shape, Unit: FLOPs, Work: 2 * float64(n), Gonum: true,
				Setup: func(impl string) (func(), error) { return axpySetup(n, impl), nil }},
			Case{Kernel: "sumsq", Shape: shape, Unit: FLOPs, Work: 2 * float64(n),
				Setup: func(impl string) (func(), error) { return sumSqSetup(n), nil }},
		)
	}
}

// randoms returns n values uniform in [-1, 1) from a fixed seed.
func randoms(n int) []float64 {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	s := kernels.MakeFloats(n)
	for i := range s {
		s[i] = 2*r.Float64() - 1
	}
	return s
}

// transpose maps a flag to gonum's transpose argument.
func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func gemmSetup(s gemmShape, impl string) func() {
	ar, ac := s.m, s.k
	if s.transA {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if s.transB {
		br, bc = s.n, s.k
	}
	a, b, c := randoms(ar*ac), randoms(br*bc), kernels.MakeFloats(s.m*s.n)
	if impl == Gonum {
		ga := blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: a}
		gb := blas64.General{Rows: br, Cols: bc, Stride: bc, Data: b}
		gc := blas64.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
		return func() { blas64.Gemm(transpose(s.transA), transpose(s.transB), 1, ga, gb, s.beta, gc) }
	}
	return func() { kernels.Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, ac, b, bc, s.beta, c, s.n) }
}

func gemvSetup(trans bool, m, n int, impl string) func() {
	lx, ly := n, m
	if trans {
		lx, ly = m, n
	}
	a, x, y := randoms(m*n), randoms(lx), make([]float64, ly)
	if impl == Gonum {
		ga := blas64.General{Rows: m, Cols: n, Stride: n, Data: a}
		gx, gy := blas64.Vector{N: lx, Inc: 1, Data: x}, blas64.Vector{N: ly, Inc: 1, Data: y}
		return func() { blas64.Gemv(transpose(trans), 1, ga, gx, 0, gy) }
	}
	return func() { kernels.Gemv(trans, m, n, 1, a, n, x, 0, y) }
}

// sink keeps the results of reductions alive.
var sink float64

func dotSetup(n int, impl string) func() {
	x, y := randoms(n), randoms(n)
	if impl == Gonum {
		gx, gy := blas64.Vector{N: n, Inc: 1, Data: x}, blas64.Vector{N: n, Inc: 1, Data: y}
		return func() { sink += blas64.Dot(gx, gy) }
	}
	return func() { sink += kernels.Dot(x, y) }
}

func axpySetup(n int, impl string) func() {
	x, y := randoms(n), randoms(n)
	// A tiny alpha keeps y bounded however often the call is repeated.
	const alpha = 1e-12
	if impl == Gonum {
		gx, gy := blas64.Vector{N: n, Inc: 1, Data: x}, blas64.Vector{N: n, Inc: 1, Data: y}
		return func() { blas64.Axpy(alpha, gx, gy) }
	}
	return func() { kernels.Axpy(alpha, x, y) }
}

func sumSqSetup(n int) func() {
	x := randoms(n)
	return func() { sink += kernels.SumSq(x) }
}
