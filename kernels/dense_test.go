package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// Tolerance of the dense reductions. Let u = eps/2 be the unit roundoff and
// T = |alpha|*sum_p |a_ip*b_pj| + |beta*c_ij| (for dot and sum of squares,
// T = sum_i |x_i*y_i|). To first order, a sum of k products accumulated with
// r roundings in any order is within r*u*T of the exact value.
//   - The reference rounds k times in its FMA chain, once in beta*c and once
//     in the final FMA: r = k+2.
//   - The assembly rounds at most k times in its FMA chains (each element is
//     one lane of one chain), at most 4 times when combining lanes and
//     accumulators, once per k-block when adding a block into C (at most k
//     blocks) and once in beta*c: r <= 2k+5 (and r <= k+5 without k-blocks).
//
// So |got-ref| <= (3k+7)*u*T = (1.5k+3.5)*eps*T, i.e. c = 1.5 in the
// c*k*eps*T bound plus a constant term for the short sums; second-order
// terms are below 1e-10 of this for k < 1e5.
func denseTol(k int, t float64) float64 {
	return (1.5*float64(k) + 3.5) * eps * t
}

// matrix is an r x c row-major matrix with leading dimension ld stored at
// offset off of a NaN-guarded buffer, so that writes outside its elements,
// including the gaps between rows when ld > c, are detected.
type matrix struct {
	g           *guardedSlice
	r, c, ld    int
	initialised []float64
}

// newMatrix returns a guarded r x c matrix filled by fill (nil: NaN).
func newMatrix(r, c, ld, off int, fill func() float64) *matrix {
	n := 0
	if r > 0 && c > 0 {
		n = (r-1)*ld + c
	}
	m := &matrix{g: newGuarded(n, off), r: r, c: c, ld: ld}
	d := m.g.data()
	if fill != nil {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				d[i*ld+j] = fill()
			}
		}
	}
	m.initialised = append([]float64(nil), d...)
	return m
}

func (m *matrix) data() []float64 { return m.g.data() }

// checkGaps fails if anything outside the matrix elements was written.
func (m *matrix) checkGaps(t *testing.T, name string) {
	t.Helper()
	m.g.check(t, name)
	if m.r == 0 || m.c == 0 {
		return
	}
	d := m.data()
	for i := 0; i < m.r-1; i++ {
		for j := m.c; j < m.ld; j++ {
			if !m.g.isGuard(d[i*m.ld+j]) {
				t.Fatalf("%s: gap element (%d, %d) between rows was written (%v)", name, i, j, d[i*m.ld+j])
			}
		}
	}
}

// gemmCase is one Gemm call to check against the reference.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	padA, padB     int // leading dimension minus row length
	padC, off      int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v pads=%d,%d,%d off=%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC, tc.off)
}

// checkGemm runs tc with Gemm and gemmRef on the same inputs and compares.
func checkGemm(t *testing.T, r *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	val := func() float64 { return 2*r.Float64() - 1 }
	a := newMatrix(ar, ac, max(1, ac+tc.padA), tc.off, val)
	b := newMatrix(br, bc, max(1, bc+tc.padB), tc.off, val)
	var cfill func() float64
	if tc.beta != 0 {
		cfill = val
	}
	c := newMatrix(tc.m, tc.n, max(1, tc.n+tc.padC), tc.off, cfill)
	want := append([]float64(nil), c.data()...)
	gemmRef(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, want, c.ld)

	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)

	if !sameSlice(a.data(), a.initialised) || !sameSlice(b.data(), b.initialised) {
		t.Fatalf("%v: an input was modified", tc)
	}
	c.checkGaps(t, tc.String())
	got := c.data()
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s float64
			for p := 0; p < tc.k; p++ {
				var av, bv float64
				if tc.transA {
					av = a.data()[p*a.ld+i]
				} else {
					av = a.data()[i*a.ld+p]
				}
				if tc.transB {
					bv = b.data()[j*b.ld+p]
				} else {
					bv = b.data()[p*b.ld+j]
				}
				s += math.Abs(av * bv)
			}
			bound := math.Abs(tc.alpha) * s
			if tc.beta != 0 {
				bound += math.Abs(tc.beta * c.initialised[i*c.ld+j])
			}
			g, w := got[i*c.ld+j], want[i*c.ld+j]
			if math.Abs(g-w) > denseTol(tc.k, bound) || math.IsNaN(g) {
				t.Fatalf("%v: C[%d,%d] = %v, reference %v (|diff| %g > bound %g)", tc, i, j, g, w, math.Abs(g-w), denseTol(tc.k, bound))
			}
		}
	}
}

// scalars are the alpha/beta pairs every shape is tried with.
var gemmScalars = [][2]float64{{1, 0}, {1, 1}, {-0.7, 0}, {0.3, -1.9}, {0, 1}, {0, 0}, {2.5, 0.5}}

func TestGemmSmallShapes(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for m := 0; m <= 9; m++ {
					for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 23, 24, 25} {
						for _, k := range []int{0, 1, 5, 13} {
							s := gemmScalars[r.IntN(len(gemmScalars))]
							checkGemm(t, r, gemmCase{transA: tA, transB: tB, m: m, n: n, k: k, alpha: s[0], beta: s[1],
								padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3), off: r.IntN(2)})
						}
					}
				}
			}
		}
	})
}

func TestGemmScalars(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, s := range gemmScalars {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					checkGemm(t, r, gemmCase{transA: tA, transB: tB, m: 13, n: 29, k: 37, alpha: s[0], beta: s[1], padC: 3, off: 1})
				}
			}
		}
	})
}

// TestGemmTileEdges covers every register tile of the assembly tiers and
// its edges: m around multiples of 4 and 8 (the row tiles, and the avx512
// tier's 4-row kernels for the last rows), n around multiples of 8, 12, 16
// and 24 (the column tiles, and the avx512 tier's 8- and 16-column kernels
// for the last columns), k around the kernels' unrolling by 4 and the
// transposing packer's blocks of 8, all four transposes, and C clipped by
// opmasks or written through a bounce tile.
func TestGemmTileEdges(t *testing.T) {
	ms := []int{1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 20}
	ns := []int{1, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49}
	ks := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, m := range ms {
			for _, n := range ns {
				for tr := range 4 {
					s := gemmScalars[r.IntN(len(gemmScalars))]
					checkGemm(t, r, gemmCase{transA: tr&1 == 1, transB: tr&2 == 2, m: m, n: n, k: ks[r.IntN(len(ks))],
						alpha: s[0], beta: s[1], padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3), off: r.IntN(2)})
				}
			}
		}
	})
}

// TestGemmBlocks uses shapes that cross the cache-block boundaries of the
// packed GEMM of both tiers (kc, mc and nc of gemmAVX2 and gemmAVX512,
// split into even blocks) with partial tiles at every edge.
func TestGemmBlocks(t *testing.T) {
	shapes := [][3]int{{97, 25, 257}, {4, 12, 256}, {5, 4100, 3}, {8, 24, 600},
		{96, 24, 512}, {97, 49, 513}, {9, 17, 1025}, {193, 26, 9}, {5, 2041, 3}, {17, 2065, 2}}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, sh := range shapes {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					s := gemmScalars[r.IntN(len(gemmScalars))]
					checkGemm(t, r, gemmCase{transA: tA, transB: tB, m: sh[0], n: sh[1], k: sh[2], alpha: s[0], beta: s[1],
						padA: r.IntN(2), padB: r.IntN(2), padC: r.IntN(4), off: r.IntN(2)})
				}
			}
		}
	})
}

func TestGemmRandomShapes(t *testing.T) {
	n := 30
	if testing.Short() {
		n = 10
	}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for range n {
			s := gemmScalars[r.IntN(len(gemmScalars))]
			checkGemm(t, r, gemmCase{transA: r.IntN(2) == 1, transB: r.IntN(2) == 1,
				m: 1 + r.IntN(40), n: 1 + r.IntN(60), k: 1 + r.IntN(300), alpha: s[0], beta: s[1],
				padA: r.IntN(5), padB: r.IntN(5), padC: r.IntN(5), off: r.IntN(2)})
		}
	})
}

// TestGemmSpecialValues checks that NaN and Inf in A, B or C propagate as in
// the reference (sums of finite values in [-1, 1] cannot overflow here, so
// the order of summation does not change which results are NaN or Inf) and
// that beta = 0 ignores NaN in C.
func TestGemmSpecialValues(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for trial := range 40 {
			tA, tB := trial%2 == 1, trial/2%2 == 1
			m, n, k := 1+r.IntN(20), 1+r.IntN(30), 1+r.IntN(300)
			beta := []float64{0, 1, -0.5}[trial%3]
			a := randSlice(r, m*k, -1, 1)
			b := randSlice(r, k*n, -1, 1)
			c := randSlice(r, m*n, -1, 1)
			for range 3 {
				a[r.IntN(len(a))] = specials[r.IntN(3)]
				b[r.IntN(len(b))] = specials[r.IntN(3)]
				c[r.IntN(len(c))] = specials[r.IntN(3)]
			}
			lda, ldb := k, n
			if tA {
				lda = m
			}
			if tB {
				ldb = k
			}
			want := append([]float64(nil), c...)
			gemmRef(tA, tB, m, n, k, 1.5, a, lda, b, ldb, beta, want, n)
			Gemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, beta, c, n)
			for i := range c {
				g, w := c[i], want[i]
				if math.IsNaN(g) != math.IsNaN(w) || (math.IsInf(w, 0) && g != w) || (math.IsInf(g, 0) && g != w) {
					t.Fatalf("trial %d (tA=%v tB=%v m=%d n=%d k=%d beta=%v): C[%d] = %v, reference %v", trial, tA, tB, m, n, k, beta, i, g, w)
				}
			}
		}
	})
}

// TestGemmRankOne covers k = 1 with alpha = 1 and B not transposed, which
// the assembly path computes as a rank-one update rather than through the
// packed kernel: every row count, row lengths around the axpy's vector width
// and its size threshold, every beta class (0: C not read, 1, other), then
// NaN and infinities in A, B and C, which must propagate as in the reference.
func TestGemmRankOne(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, tA := range []bool{false, true} {
			for m := 0; m <= 9; m++ {
				for _, n := range []int{7, 8, 9, 13, 31, 32, 33, 40, 64, 67} {
					for _, beta := range []float64{0, 1, -0.5} {
						checkGemm(t, r, gemmCase{transA: tA, m: m, n: n, k: 1, alpha: 1, beta: beta,
							padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3), off: r.IntN(2)})
					}
				}
			}
		}
		for trial := range 30 {
			tA := trial%2 == 1
			m, n := 1+r.IntN(12), 8+r.IntN(40)
			beta := []float64{0, 1, -0.5}[trial%3]
			a, b, c := randSlice(r, m, -1, 1), randSlice(r, n, -1, 1), randSlice(r, m*n, -1, 1)
			a[r.IntN(m)] = specials[r.IntN(3)]
			b[r.IntN(n)] = specials[r.IntN(3)]
			c[r.IntN(m*n)] = specials[r.IntN(3)]
			lda := 1
			if tA {
				lda = m
			}
			want := append([]float64(nil), c...)
			gemmRef(tA, false, m, n, 1, 1, a, lda, b, n, beta, want, n)
			Gemm(tA, false, m, n, 1, 1, a, lda, b, n, beta, c, n)
			for i := range c {
				g, w := c[i], want[i]
				if math.IsNaN(g) != math.IsNaN(w) || (math.IsInf(w, 0) && g != w) || (math.IsInf(g, 0) && g != w) {
					t.Fatalf("trial %d (tA=%v m=%d n=%d beta=%v): C[%d] = %v, reference %v", trial, tA, m, n, beta, i, g, w)
				}
			}
		}
	})
}

// TestGemmConcurrent runs Gemm from several goroutines at once (each with its
// own packing workspace) and checks every result.
func TestGemmConcurrent(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]string, 4)
		for g := range 4 {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(g), 11))
				m, n, k := 30+g, 50+3*g, 280+g
				a, b := randSlice(r, m*k, -1, 1), randSlice(r, k*n, -1, 1)
				want := make([]float64, m*n)
				gemmRef(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
				for range 5 {
					c := make([]float64, m*n)
					Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
					for i := range c {
						if math.Abs(c[i]-want[i]) > denseTol(k, float64(k)) {
							errs[g] = fmt.Sprintf("goroutine %d: C[%d] = %v, reference %v", g, i, c[i], want[i])
							return
						}
					}
				}
			})
		}
		wg.Wait()
		for _, e := range errs {
			if e != "" {
				t.Fatal(e)
			}
		}
	})
}

func TestGemmNoAllocs(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(12, 13))
		a, b, c := randSlice(r, 64*70, -1, 1), randSlice(r, 70*80, -1, 1), make([]float64, 64*80)
		allocs := testing.AllocsPerRun(20, func() {
			Gemm(false, true, 64, 80, 70, 1, a, 70, b, 70, 0, c, 80)
		})
		if allocs != 0 {
			t.Fatalf("Gemm allocates %v times per call in steady state", allocs)
		}
	})
}

// expectPanic calls f and fails unless it panics with a message containing
// every one of parts.
func expectPanic(t *testing.T, f func(), parts ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		if v == nil {
			t.Fatalf("no panic, want one mentioning %q", parts)
		}
		msg := fmt.Sprint(v)
		for _, p := range parts {
			if !strings.Contains(msg, p) {
				t.Fatalf("panic %q does not mention %q", msg, p)
			}
		}
	}()
	f()
}

func TestDenseBadShapesPanic(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		a := make([]float64, 100)
		b := make([]float64, 100)
		c := newGuarded(100, 0)
		cd := c.data()
		before := append([]float64(nil), cd...)
		expectPanic(t, func() { Gemm(false, false, -1, 2, 2, 1, a, 2, b, 2, 0, cd, 2) }, "kernels.Gemm", "m=-1")
		expectPanic(t, func() { Gemm(false, false, 4, 4, 4, 1, a, 3, b, 4, 0, cd, 4) }, "kernels.Gemm", "lda=3")
		expectPanic(t, func() { Gemm(true, false, 5, 4, 4, 1, a, 4, b, 4, 0, cd, 4) }, "kernels.Gemm", "lda=4")
		expectPanic(t, func() { Gemm(false, true, 4, 5, 6, 1, a, 6, b, 5, 0, cd, 5) }, "kernels.Gemm", "ldb=5")
		expectPanic(t, func() { Gemm(false, false, 4, 10, 4, 1, a, 4, b, 10, 0, cd, 9) }, "kernels.Gemm", "ldc=9")
		expectPanic(t, func() { Gemm(false, false, 11, 10, 4, 1, a, 4, b, 10, 0, cd, 10) }, "kernels.Gemm", "len(c) = 100", "110")
		expectPanic(t, func() { Gemm(false, false, 10, 10, 11, 1, a, 11, b, 10, 0, cd, 10) }, "kernels.Gemm", "len(a) = 100", "110")
		expectPanic(t, func() { Gemm(false, true, 10, 10, 11, 1, make([]float64, 110), 11, b, 11, 0, cd, 10) }, "kernels.Gemm", "len(b) = 100", "110")
		expectPanic(t, func() { Gemv(false, 10, 10, 1, a[:99], 10, b, 0, cd) }, "kernels.Gemv", "len(a) = 99", "100")
		expectPanic(t, func() { Gemv(false, 10, 9, 1, a, 10, b[:8], 0, cd) }, "kernels.Gemv", "len(x) = 8", "9")
		expectPanic(t, func() { Gemv(true, 10, 9, 1, a, 10, b[:9], 0, cd) }, "kernels.Gemv", "len(x) = 9", "10")
		expectPanic(t, func() { Gemv(true, 10, 9, 1, a, 10, b, 0, cd[:8]) }, "kernels.Gemv", "len(y) = 8", "9")
		expectPanic(t, func() { Gemv(false, 3, 9, 1, a, 8, b, 0, cd) }, "kernels.Gemv", "lda=8")
		expectPanic(t, func() { Dot(a, b[:99]) }, "kernels.Dot", "len(y) = 99", "100")
		expectPanic(t, func() { Axpy(2, a, cd[:50]) }, "kernels.Axpy", "len(y) = 50", "100")
		if !sameSlice(cd, before) {
			t.Fatal("a rejected call modified its output")
		}
		c.check(t, "rejected calls")
	})
}
