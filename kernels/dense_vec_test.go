package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// vecLengths are every length up to a few vector blocks (the assembly works
// in blocks of 16 and 4 with a scalar tail) and some longer ones.
func vecLengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 127, 128, 129, 1000, 4099)
}

// input returns n random values at offset off of a fresh slice.
func input(r *rand.Rand, n, off int) []float64 {
	return randSlice(r, n+off, -1, 1)[off:]
}

func TestDotSumSq(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, n := range vecLengths() {
			for off := range 2 {
				x, y := input(r, n, off), input(r, n+r.IntN(3), 1-off)
				x0, y0 := append([]float64(nil), x...), append([]float64(nil), y...)
				var bound, boundSq float64
				for i := range x {
					bound += math.Abs(x[i] * y[i])
					boundSq += x[i] * x[i]
				}
				if got, want := Dot(x, y), dotRef(x, y[:n]); math.Abs(got-want) > denseTol(n, bound) {
					t.Fatalf("Dot n=%d off=%d: %v, reference %v", n, off, got, want)
				}
				if got, want := SumSq(x), sumSqRef(x); math.Abs(got-want) > denseTol(n, boundSq) {
					t.Fatalf("SumSq n=%d off=%d: %v, reference %v", n, off, got, want)
				}
				if !sameSlice(x, x0) || !sameSlice(y, y0) {
					t.Fatalf("Dot/SumSq n=%d: an input was modified", n)
				}
			}
		}
	})
}

// TestAxpy expects bit-identical results: every implementation rounds each
// element once, alpha*x[i]+y[i] as one FMA.
func TestAxpy(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for _, n := range vecLengths() {
			for off := range 2 {
				alpha := []float64{1, -0.3, 0, 2.5}[n%4]
				x := input(r, n, off)
				x0 := append([]float64(nil), x...)
				// y is longer than x: the elements past len(x) stay NaN.
				y := newGuarded(n+2, 1-off)
				for i := range n {
					y.data()[i] = 2*r.Float64() - 1
				}
				want := append([]float64(nil), y.data()[:n]...)
				axpyRef(alpha, x, want)
				Axpy(alpha, x, y.data())
				if !sameSlice(y.data()[:n], want) {
					t.Fatalf("Axpy n=%d off=%d alpha=%v: differs from the reference", n, off, alpha)
				}
				if !math.IsNaN(y.data()[n]) || !math.IsNaN(y.data()[n+1]) {
					t.Fatalf("Axpy n=%d: wrote past len(x)", n)
				}
				y.check(t, fmt.Sprintf("Axpy n=%d", n))
				if !sameSlice(x, x0) {
					t.Fatalf("Axpy n=%d: x was modified", n)
				}
			}
		}
	})
}

func TestVecSpecialValues(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		for trial := range 200 {
			n := 1 + r.IntN(80)
			x, y := input(r, n, 0), input(r, n, 0)
			for range 1 + r.IntN(2) {
				x[r.IntN(n)] = specials[r.IntN(3)]
			}
			same := func(name string, got, want float64) {
				if math.IsNaN(got) != math.IsNaN(want) || ((math.IsInf(got, 0) || math.IsInf(want, 0)) && got != want) {
					t.Fatalf("trial %d %s n=%d: %v, reference %v", trial, name, n, got, want)
				}
			}
			same("Dot", Dot(x, y), dotRef(x, y))
			same("SumSq", SumSq(x), sumSqRef(x))
			want := append([]float64(nil), y...)
			axpyRef(0.5, x, want)
			Axpy(0.5, x, y)
			for i := range y {
				same("Axpy", y[i], want[i])
			}
		}
	})
}

// checkGemv runs one Gemv call and the reference on the same inputs.
func checkGemv(t *testing.T, r *rand.Rand, trans bool, m, n int, alpha, beta float64, pad, off int) {
	t.Helper()
	name := fmt.Sprintf("Gemv trans=%v m=%d n=%d alpha=%v beta=%v pad=%d off=%d", trans, m, n, alpha, beta, pad, off)
	a := newMatrix(m, n, max(1, n+pad), off, func() float64 { return 2*r.Float64() - 1 })
	lx, ly := n, m
	if trans {
		lx, ly = m, n
	}
	x := input(r, lx, off)
	x0 := append([]float64(nil), x...)
	y := newGuarded(ly, 1-off)
	if beta != 0 {
		for i := range y.data() {
			y.data()[i] = 2*r.Float64() - 1
		}
	}
	y0 := append([]float64(nil), y.data()...)
	want := append([]float64(nil), y0...)
	gemvRef(trans, m, n, alpha, a.data(), a.ld, x, beta, want)
	Gemv(trans, m, n, alpha, a.data(), a.ld, x, beta, y.data())
	y.check(t, name)
	if !sameSlice(a.data(), a.initialised) || !sameSlice(x, x0) {
		t.Fatalf("%s: an input was modified", name)
	}
	for i, got := range y.data() {
		var s float64
		for j := range lx {
			var av float64
			if trans {
				av = a.data()[j*a.ld+i]
			} else {
				av = a.data()[i*a.ld+j]
			}
			s += math.Abs(av * x[j])
		}
		bound := math.Abs(alpha) * s
		if beta != 0 {
			bound += math.Abs(beta * y0[i])
		}
		if math.Abs(got-want[i]) > denseTol(lx, bound) || math.IsNaN(got) {
			t.Fatalf("%s: y[%d] = %v, reference %v", name, i, got, want[i])
		}
	}
}

func TestGemv(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		for _, trans := range []bool{false, true} {
			for m := 0; m <= 13; m++ {
				for n := 0; n <= 37; n++ {
					s := gemmScalars[r.IntN(len(gemmScalars))]
					checkGemv(t, r, trans, m, n, s[0], s[1], r.IntN(3), r.IntN(2))
				}
			}
			for range 20 {
				s := gemmScalars[r.IntN(len(gemmScalars))]
				checkGemv(t, r, trans, 1+r.IntN(300), 1+r.IntN(300), s[0], s[1], r.IntN(5), r.IntN(2))
			}
		}
	})
}

// TestGemvBlocks covers the blocks of the AVX-512 kernels: rows in blocks of
// 8, 4, 2 and 1 and columns in pairs of vectors, one vector and a masked
// one (A*x); columns in blocks of 64 and a last block of one to eight
// vectors, the narrow ones over even and odd rows (A^T*x); and both sides
// of the size past which A^T*x goes to the AVX2 kernel.
func TestGemvBlocks(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, trans := range []bool{false, true} {
			for _, m := range []int{1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31} {
				for _, n := range []int{8, 15, 16, 17, 24, 33, 56, 63, 64, 65, 71, 72, 127, 128, 129, 200} {
					s := gemmScalars[r.IntN(len(gemmScalars))]
					checkGemv(t, r, trans, m, n, s[0], s[1], r.IntN(3), r.IntN(2))
				}
			}
			// 1008x65 and 1009x65 lie either side of gemvTMaxElems.
			for _, m := range []int{1008, 1009} {
				s := gemmScalars[r.IntN(len(gemmScalars))]
				checkGemv(t, r, trans, m, 65, s[0], s[1], r.IntN(3), r.IntN(2))
			}
		}
	})
}

func TestGemvSpecialValues(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(29, 30))
		for trial := range 100 {
			trans := trial%2 == 1
			m, n := 1+r.IntN(40), 1+r.IntN(40)
			beta := []float64{0, 1, -0.5}[trial%3]
			a := randSlice(r, m*n, -1, 1)
			lx, ly := n, m
			if trans {
				lx, ly = m, n
			}
			x, y := randSlice(r, lx, -1, 1), randSlice(r, ly, -1, 1)
			a[r.IntN(len(a))] = specials[r.IntN(3)]
			x[r.IntN(lx)] = specials[r.IntN(3)]
			y[r.IntN(ly)] = specials[r.IntN(3)]
			want := append([]float64(nil), y...)
			gemvRef(trans, m, n, 0.75, a, n, x, beta, want)
			Gemv(trans, m, n, 0.75, a, n, x, beta, y)
			for i := range y {
				if math.IsNaN(y[i]) != math.IsNaN(want[i]) || ((math.IsInf(y[i], 0) || math.IsInf(want[i], 0)) && y[i] != want[i]) {
					t.Fatalf("trial %d trans=%v m=%d n=%d beta=%v: y[%d] = %v, reference %v", trial, trans, m, n, beta, i, y[i], want[i])
				}
			}
		}
	})
}
