package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// gemmBenchShapes are square GEMMs and the GEMMs of a 3x3 convolution with 65
// input channels (64 plus time), 64 output channels, 16x16 images and batch
// 64 done by im2col: forward C(64 x 16384) = W(64 x 585) * cols(585 x 16384).
var gemmBenchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"64", false, false, 64, 64, 64},
	{"256", false, false, 256, 256, 256},
	{"1024", false, false, 1024, 1024, 1024},
	{"1024TT", true, true, 1024, 1024, 1024},
	{"conv_fwd_64x16384x585", false, false, 64, 16384, 585},
	{"conv_dw_64x585x16384", false, true, 64, 585, 16384},
	{"conv_dx_585x16384x64", true, false, 585, 16384, 64},
	{"planar_448x32x1", false, false, 448, 32, 1},
	{"classifier_256x64x512BT", false, true, 256, 64, 512},
}

// The benchmarks time the tier chosen at start-up: MMCNF_KERNELS selects it,
// and make benchcmp runs them under each tier and compares the tiers.

func BenchmarkGemm(b *testing.B) {
	for _, sh := range gemmBenchShapes {
		b.Run(sh.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a := randSlice(r, sh.m*sh.k, -1, 1)
			bb := randSlice(r, sh.k*sh.n, -1, 1)
			c := make([]float64, sh.m*sh.n)
			lda, ldb := sh.k, sh.n
			if sh.transA {
				lda = sh.m
			}
			if sh.transB {
				ldb = sh.k
			}
			if Impl() == "purego" && sh.m*sh.n*sh.k > 1<<24 {
				b.Skip("the reference takes seconds per call at this size")
			}
			b.ReportAllocs()
			for b.Loop() {
				Gemm(sh.transA, sh.transB, sh.m, sh.n, sh.k, 1, a, lda, bb, ldb, 0, c, sh.n)
			}
			b.ReportMetric(2*float64(sh.m*sh.n*sh.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkGemv(b *testing.B) {
	for _, trans := range []bool{false, true} {
		for _, mn := range [][2]int{{32, 32}, {256, 256}, {1024, 1024}, {448, 32}} {
			m, n := mn[0], mn[1]
			b.Run(fmt.Sprintf("trans=%v/%dx%d", trans, m, n), func(b *testing.B) {
				r := rand.New(rand.NewPCG(2, 2))
				a, x, y := randSlice(r, m*n, -1, 1), randSlice(r, max(m, n), -1, 1), make([]float64, max(m, n))
				b.ReportAllocs()
				for b.Loop() {
					Gemv(trans, m, n, 1, a, n, x, 0, y)
				}
				b.ReportMetric(2*float64(m*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkVec(b *testing.B) {
	for _, n := range []int{16, 256, 4096} {
		r := rand.New(rand.NewPCG(3, 3))
		x, y := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
		var sink float64
		kernels := []struct {
			name string
			f    func()
		}{
			{"Dot", func() { sink += Dot(x, y) }},
			{"SumSq", func() { sink += SumSq(x) }},
			{"Axpy", func() { Axpy(1e-9, x, y) }},
		}
		for _, k := range kernels {
			b.Run(fmt.Sprintf("%s/%d", k.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					k.f()
				}
				b.ReportMetric(2*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		_ = sink
	}
}
