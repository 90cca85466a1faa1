package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzGemm compares Gemm, under every implementation, with the reference on
// fuzzer-chosen shapes, transposes, scalars, padding and data seeds.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(4), uint8(12), uint8(8), false, false, 1.0, 0.0, uint8(0), uint64(1))
	f.Add(uint8(5), uint8(13), uint8(17), true, false, -2.0, 0.5, uint8(3), uint64(2))
	f.Add(uint8(33), uint8(7), uint8(255), false, true, 0.25, 1.0, uint8(1), uint64(3))
	f.Add(uint8(97), uint8(25), uint8(3), true, true, 1.0, -1.0, uint8(6), uint64(4))
	f.Add(uint8(1), uint8(1), uint8(1), false, false, 0.0, 0.0, uint8(2), uint64(5))
	// The avx512 tier's tiles (8x24, and 4 rows or 8 and 16 columns at the
	// edges) and its transposing packer's blocks of 8.
	f.Add(uint8(8), uint8(24), uint8(8), false, true, 1.0, 0.0, uint8(4), uint64(6))
	f.Add(uint8(9), uint8(25), uint8(17), true, true, -1.5, 2.0, uint8(40), uint64(7))
	f.Add(uint8(7), uint8(23), uint8(9), true, false, 0.5, 0.0, uint8(13), uint64(8))
	f.Add(uint8(12), uint8(10), uint8(15), false, true, 1.0, 1.0, uint8(30), uint64(9))
	f.Fuzz(func(t *testing.T, m, n, k uint8, transA, transB bool, alpha, beta float64, pad uint8, seed uint64) {
		// Scalars beyond this range could overflow or underflow in one
		// summation order and not another, which the relative bound does not
		// cover.
		for _, s := range []float64{alpha, beta} {
			if !(math.Abs(s) <= 1e100) || (s != 0 && math.Abs(s) < 1e-100) {
				t.Skip()
			}
		}
		r := rand.New(rand.NewPCG(seed, 31))
		forEachImpl(t, func(t *testing.T) {
			checkGemm(t, r, gemmCase{transA: transA, transB: transB, m: int(m), n: int(n), k: int(k), alpha: alpha, beta: beta,
				padA: int(pad % 3), padB: int(pad / 3 % 3), padC: int(pad / 9 % 3), off: int(pad / 27 % 2)})
		})
	})
}
