//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestWorkspaceKept checks that a work buffer given back is the one the
// next call takes, even after two garbage collections (which empty a
// sync.Pool), so that steady-state calls allocate nothing however often the
// collector runs.
func TestWorkspaceKept(t *testing.T) {
	w := gemmIdle.get()
	gemmIdle.put(w)
	runtime.GC()
	runtime.GC()
	got := gemmIdle.get()
	gemmIdle.put(got)
	if got != w {
		t.Fatal("a garbage collection dropped the idle GEMM workspace")
	}
}

// skipUnlessAVX512 skips a test of AVX-512 kernels called directly on a
// machine or build without the avx512 tier.
func skipUnlessAVX512(t *testing.T) {
	t.Helper()
	if !tierAVX512.runs() {
		t.Skip("skipping tier avx512: it does not run on this machine and build")
	}
}

// TestPackTransposeAVX512 holds packTranspose8AVX512 to its specification,
// dst[p*stride+i] = src[i*ld+p] for i < rows and 0 for rows <= i < 8, on
// every row count, lengths around its blocks of 8 columns, strides of the
// A and B panels, leading dimensions wider than the rows and offsets 0 and
// 1; the elements between the panel's rows (stride > 8) and around dst
// keep their NaN, and src is unchanged.
func TestPackTransposeAVX512(t *testing.T) {
	skipUnlessAVX512(t)
	r := rand.New(rand.NewPCG(41, 42))
	val := func() float64 { return 2*r.Float64() - 1 }
	for rows := 1; rows <= 8; rows++ {
		for _, kc := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 64, 65} {
			for _, stride := range []int{8, 24} {
				off, pad := r.IntN(2), r.IntN(3)
				name := fmt.Sprintf("rows=%d kc=%d stride=%d pad=%d off=%d", rows, kc, stride, pad, off)
				src := newMatrix(rows, kc, kc+pad, off, val)
				dst := newGuarded((kc-1)*stride+8, 1-off)
				packTranspose8AVX512(kc, src.data(), src.ld, rows, dst.data(), stride)
				if !sameSlice(src.data(), src.initialised) {
					t.Fatalf("%s: src was modified", name)
				}
				dst.check(t, name)
				d := dst.data()
				for p := 0; p < kc; p++ {
					for i := 0; i < stride && p*stride+i < len(d); i++ {
						got := d[p*stride+i]
						switch {
						case i < rows:
							if want := src.data()[i*src.ld+p]; got != want {
								t.Fatalf("%s: dst[%d*%d+%d] = %v, want src[%d*ld+%d] = %v", name, p, stride, i, got, i, p, want)
							}
						case i < 8:
							if got != 0 {
								t.Fatalf("%s: dst[%d*%d+%d] = %v, want 0 (row %d is padding)", name, p, stride, i, got, i)
							}
						default:
							if !dst.isGuard(got) {
								t.Fatalf("%s: dst[%d*%d+%d], between the panel's rows, was written (%v)", name, p, stride, i, got)
							}
						}
					}
				}
			}
		}
	}
}

// TestPackCopyAVX512 holds packCopy8AVX512 and packCopy24AVX512 to their
// specification, dst[p*w+j] = src[p*ld+j] for j < cols and 0 for
// cols <= j < w, on every column count, lengths around their blocks of 4
// rows, leading dimensions wider than the columns and offsets 0 and 1;
// nothing around dst is written and src is unchanged.
func TestPackCopyAVX512(t *testing.T) {
	skipUnlessAVX512(t)
	r := rand.New(rand.NewPCG(43, 44))
	val := func() float64 { return 2*r.Float64() - 1 }
	for _, w := range []int{8, 24} {
		pack := map[int]func(kc int, src []float64, ld, cols int, dst []float64){8: packCopy8AVX512, 24: packCopy24AVX512}[w]
		for cols := 1; cols <= w; cols++ {
			for _, kc := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17} {
				off, pad := r.IntN(2), r.IntN(3)
				name := fmt.Sprintf("w=%d cols=%d kc=%d pad=%d off=%d", w, cols, kc, pad, off)
				src := newMatrix(kc, cols, cols+pad, off, val)
				dst := newGuarded(kc*w, 1-off)
				pack(kc, src.data(), src.ld, cols, dst.data())
				if !sameSlice(src.data(), src.initialised) {
					t.Fatalf("%s: src was modified", name)
				}
				dst.check(t, name)
				for p := 0; p < kc; p++ {
					for j := 0; j < w; j++ {
						want := 0.0
						if j < cols {
							want = src.data()[p*src.ld+j]
						}
						if got := dst.data()[p*w+j]; got != want {
							t.Fatalf("%s: dst[%d*%d+%d] = %v, want %v", name, p, w, j, got, want)
						}
					}
				}
			}
		}
	}
}
