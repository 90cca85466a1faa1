package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// Tolerances. Every output of the three kernels is a sum of n terms
// (products, the bias, or the value dw or db held before the call). Any
// summation order, with or without fused multiply-adds, returns a value
// within gamma(n) * S of the exact sum, S = sum of |terms|, gamma(n) =
// n*u/(1-n*u), u = eps/2 (Higham, Accuracy and Stability of Numerical
// Algorithms, 3.1 and 4.2). The assembly and the reference are two such
// orders, so
//
//	|got - ref| <= 2*gamma(n) * S = c * n * eps * S, c = 1/(1-n*u) (about 1).
//
// S is computed by running the reference on the absolute values of the
// inputs, itself within a factor 1+gamma(n) of the exact S, which the
// bound absorbs by using c = 1/(1-n*u) * (1 + gamma(n)).
func convTol(n int, s float64) float64 {
	u := eps / 2
	g := float64(n) * u / (1 - float64(n)*u)
	return 2 * g * (1 + g) * s
}

// refForward, refData and refFilter are the references on compact images.
func refForward(s ConvShape, x, w, b, y []float64) {
	convForwardRef(s, compact(s, x, s.Cin), w, b, compact(s, y, s.Cout))
}

func refData(s ConvShape, dy, w, dx []float64) {
	convBackwardDataRef(s, compact(s, dy, s.Cout), w, compact(s, dx, s.Cin), 0, s.Cin)
}

func refFilter(s ConvShape, x, dy, dw, db []float64) {
	convBackwardFilterRef(s, compact(s, x, s.Cin), compact(s, dy, s.Cout), dw, db)
}

func absSlice(x []float64) []float64 {
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = math.Abs(v)
	}
	return a
}

// convCase holds random inputs for one shape.
type convCase struct {
	s              ConvShape
	x, w, b, dy    []float64
	dw0, db0       []float64 // initial values of the accumulated gradients
	ax, aw, ab, ag []float64 // absolute values, for the error bounds
}

func newConvCase(r *rand.Rand, s ConvShape) *convCase {
	c := &convCase{s: s,
		x:   randSlice(r, s.InLen(), -1, 1),
		w:   randSlice(r, s.WeightLen(), -1, 1),
		b:   randSlice(r, s.Cout, -1, 1),
		dy:  randSlice(r, s.OutLen(), -1, 1),
		dw0: randSlice(r, s.WeightLen(), -1, 1),
		db0: randSlice(r, s.Cout, -1, 1),
	}
	c.ax, c.aw, c.ab, c.ag = absSlice(c.x), absSlice(c.w), absSlice(c.b), absSlice(c.dy)
	return c
}

// checkClose fails if got and want differ by more than the bound of convTol
// for n terms with absolute sums abs.
func checkClose(t *testing.T, what string, got, want, abs []float64, n int) {
	t.Helper()
	for i := range want {
		tol := convTol(n, abs[i])
		if d := math.Abs(got[i] - want[i]); !(d <= tol) {
			t.Fatalf("%s[%d] = %v, reference %v: |diff| %.3g > bound %.3g (n=%d)", what, i, got[i], want[i], d, tol, n)
		}
	}
}

// runConvCase runs the three kernels on c with outputs at slice offset off
// inside NaN guard bands, and checks them against the reference, the guard
// bands, and that the inputs are unchanged.
func runConvCase(t *testing.T, c *convCase, off int) {
	t.Helper()
	s := c.s
	name := fmt.Sprintf("%+v off %d", s, off)
	x, w, b, dy := append([]float64(nil), c.x...), append([]float64(nil), c.w...),
		append([]float64(nil), c.b...), append([]float64(nil), c.dy...)
	work := newGuarded(s.WorkLen(), off)

	// Forward: terms are Cin*K*K products and the bias.
	y := newGuarded(s.OutLen(), off)
	ConvForward(s, x, w, b, y.data(), work.data())
	y.check(t, name+" forward y")
	work.check(t, name+" forward work")
	want := make([]float64, s.OutLen())
	refForward(s, c.x, c.w, c.b, want)
	abs := make([]float64, s.OutLen())
	refForward(s, c.ax, c.aw, c.ab, abs)
	checkClose(t, name+" forward y", y.data(), want, abs, s.Cin*s.K*s.K+1)

	// Data gradient: Cout*K*K products.
	dx := newGuarded(s.InLen(), off)
	ConvBackwardData(s, dy, w, dx.data(), work.data())
	dx.check(t, name+" data dx")
	work.check(t, name+" data work")
	want = make([]float64, s.InLen())
	refData(s, c.dy, c.w, want)
	abs = make([]float64, s.InLen())
	refData(s, c.ag, c.aw, abs)
	checkClose(t, name+" data dx", dx.data(), want, abs, s.Cout*s.K*s.K)

	checkFilter(t, name, c, off, work, func(dw, db []float64) { ConvBackwardFilter(s, x, dy, dw, db, work.data()) })

	for _, in := range []struct {
		name      string
		got, want []float64
	}{{"x", x, c.x}, {"w", w, c.w}, {"b", b, c.b}, {"dy", dy, c.dy}} {
		if !sameSlice(in.got, in.want) {
			t.Fatalf("%s: input %s was modified", name, in.name)
		}
	}
}

// checkFilter runs filter, a weight gradient of c's data adding to dw and
// db, on c's initial gradients inside guard bands at offset off, checks
// it against the reference (N*H*W products and the initial value, in each
// sum) and returns the weight gradient.
func checkFilter(t *testing.T, name string, c *convCase, off int, work *guardedSlice, filter func(dw, db []float64)) []float64 {
	t.Helper()
	s := c.s
	dw, db := newGuarded(s.WeightLen(), off), newGuarded(s.Cout, off)
	copy(dw.data(), c.dw0)
	copy(db.data(), c.db0)
	filter(dw.data(), db.data())
	dw.check(t, name+" filter dw")
	db.check(t, name+" filter db")
	work.check(t, name+" filter work")
	wantW, wantB := append([]float64(nil), c.dw0...), append([]float64(nil), c.db0...)
	refFilter(s, c.x, c.dy, wantW, wantB)
	absW, absB := absSlice(c.dw0), absSlice(c.db0)
	refFilter(s, c.ax, c.ag, absW, absB)
	n := s.N*s.H*s.W + 1
	checkClose(t, name+" filter dw", dw.data(), wantW, absW, n)
	checkClose(t, name+" filter db", db.data(), wantB, absB, n)
	return dw.data()
}

// convShortGroup is a batch whose last group of images in the avx512
// weight gradient is short: groups of two padded images of 50 planes of
// 18 x 18 (TestConvShortGroup checks that it is).
var convShortGroup = ConvShape{N: 3, Cin: 49, Cout: 9, H: 16, W: 16, K: 3}

// convShapes lists the shapes of the equivalence tests: tiny and odd sizes
// around the vector widths (4 and 8) and the tile widths (16 pixels, 3 or
// 6 output channels for the tiles, 4 or 8 for the weight gradient), every
// kernel size, and the three layers of the conv16 workload at a small
// batch.
func convShapes(r *rand.Rand) []ConvShape {
	shapes := []ConvShape{
		{N: 1, Cin: 1, Cout: 1, H: 1, W: 1, K: 1},
		{N: 1, Cin: 1, Cout: 1, H: 1, W: 1, K: 3},
		{N: 1, Cin: 1, Cout: 1, H: 1, W: 1, K: 5},
		{N: 2, Cin: 3, Cout: 4, H: 5, W: 5, K: 5},
		{N: 1, Cin: 2, Cout: 64, H: 16, W: 16, K: 3},
		{N: 1, Cin: 65, Cout: 64, H: 16, W: 16, K: 3},
		{N: 1, Cin: 65, Cout: 1, H: 16, W: 16, K: 3},
		{N: 1, Cin: 3, Cout: 5, H: 17, W: 33, K: 3},
		{N: 0, Cin: 2, Cout: 2, H: 3, W: 3, K: 3},
		{N: 1, Cin: 0, Cout: 2, H: 3, W: 3, K: 3},
		{N: 1, Cin: 2, Cout: 0, H: 3, W: 3, K: 3},
		{N: 1, Cin: 2, Cout: 2, H: 0, W: 3, K: 3},
	}
	for c := 1; c <= 9; c++ {
		for hw := 1; hw <= 9; hw++ {
			shapes = append(shapes, ConvShape{N: 1 + r.IntN(3), Cin: c, Cout: 1 + r.IntN(9), H: hw, W: 1 + r.IntN(9), K: []int{1, 3, 5}[r.IntN(3)]})
		}
	}
	// Widths around multiples of 8 (the avx512 tier's vectors: rows end in
	// a masked vector) and of 16 and 24 (its tiles: two or three vectors a
	// row), channels around the tiles' blocks of output channels (6 and 8
	// on avx512, the data gradient's being the input channels), batch 1,
	// and images narrower and shorter than a tile.
	for _, w := range []int{1, 2, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25} {
		for _, k := range []int{1, 3, 5} {
			c := []int{5, 6, 7, 8, 9, 12, 13, 16, 17}
			shapes = append(shapes, ConvShape{N: 1 + r.IntN(2), Cin: c[r.IntN(len(c))], Cout: c[r.IntN(len(c))],
				H: 1 + r.IntN(4), W: w, K: k})
		}
	}
	shapes = append(shapes, convShortGroup)
	for range 20 {
		hw := []int{1 + r.IntN(9), 16}
		shapes = append(shapes, ConvShape{N: 1 + r.IntN(3), Cin: 1 + r.IntN(9), Cout: 1 + r.IntN(9),
			H: hw[r.IntN(2)], W: hw[r.IntN(2)], K: []int{1, 3, 5}[r.IntN(3)]})
	}
	return shapes
}

func TestConvMatchesReference(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for i, s := range convShapes(r) {
			runConvCase(t, newConvCase(r, s), i%2)
		}
	})
}

// dotSum returns sum a[i]*b[i] and sum |a[i]*b[i]|.
func dotSum(a, b []float64) (dot, abs float64) {
	for i := range a {
		dot += a[i] * b[i]
		abs += math.Abs(a[i] * b[i])
	}
	return dot, abs
}

// TestConvAdjoint checks the three kernels against each other, without the
// reference: with F(x, w) the convolution without bias, for any x, w, y,
//
//	<F(x, w), y> = <x, ConvBackwardData(y, w)> = <w, ConvBackwardFilter(x, y)>
//	<ConvForward(x, w, b) - F(x, w), y> = <b, db>.
//
// Each side is a sum over the same triple products x*w*y, computed as an
// inner sum of at most m = max(Cin*K*K, Cout*K*K, N*H*W) + 1 terms and an
// outer dot of at most M = max(InLen, OutLen, WeightLen) terms; each side is
// within (gamma(m) + gamma(M) + gamma(m)*gamma(M)) * T of the exact value,
// T = sum of |triple products|, bounded in turn by the outer sum of absolute
// values computed below (again within 1 + gamma(M) of its exact value), so
// the sides differ by at most 2.1 * (m + M) * u * T.
func TestConvAdjoint(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, s := range convShapes(r) {
			checkAdjoint(t, s, newConvCase(r, s))
		}
	})
}

func checkAdjoint(t *testing.T, s ConvShape, c *convCase) {
	t.Helper()
	work := make([]float64, s.WorkLen())
	zb := make([]float64, s.Cout)
	y := make([]float64, s.OutLen())
	ConvForward(s, c.x, c.w, zb, y, work)
	yb := make([]float64, s.OutLen())
	ConvForward(s, c.x, c.w, c.b, yb, work)
	dx := make([]float64, s.InLen())
	ConvBackwardData(s, c.dy, c.w, dx, work)
	dw, db := make([]float64, s.WeightLen()), make([]float64, s.Cout)
	ConvBackwardFilter(s, c.x, c.dy, dw, db, work)

	// T, the sum of |triple products|, from the absolute values.
	ay := make([]float64, s.OutLen())
	ConvForward(s, c.ax, c.aw, zb, ay, work)
	_, T := dotSum(ay, c.ag)
	m := max(s.Cin*s.K*s.K, s.Cout*s.K*s.K, s.N*s.H*s.W) + 1
	M := max(s.InLen(), s.OutLen(), s.WeightLen())
	tol := 2.1 * float64(m+M) * (eps / 2) * T

	lhs, _ := dotSum(y, c.dy)
	for _, side := range []struct {
		name string
		a, b []float64
	}{{"<x, dx>", c.x, dx}, {"<w, dw>", c.w, dw}} {
		rhs, _ := dotSum(side.a, side.b)
		if d := math.Abs(lhs - rhs); !(d <= tol) {
			t.Fatalf("%+v: <F(x,w), y> = %v, %s = %v: |diff| %.3g > bound %.3g", s, lhs, side.name, rhs, d, tol)
		}
	}
	// The bias part. yb[i] - y[i] differs from b[o] by the rounding errors
	// of the two forward sums, together at most convTol(Cin*K*K+1, S_i) with
	// S_i the sum of |terms| of yb[i]; beyond that, <b, db> and the dot
	// with dy are sums of the same products b*dy, N*H*W terms inside and
	// OutLen outside, bounded as above.
	diff := make([]float64, s.OutLen())
	for i := range diff {
		diff[i] = yb[i] - y[i]
	}
	ayb := make([]float64, s.OutLen())
	ConvForward(s, c.ax, c.aw, c.ab, ayb, work)
	var slack float64
	for i := range diff {
		slack += convTol(s.Cin*s.K*s.K+1, ayb[i]) * math.Abs(c.dy[i])
	}
	l, absL := dotSum(diff, c.dy)
	rhs, absB := dotSum(c.b, db)
	btol := slack + 2.1*float64(s.N*s.H*s.W+1+s.OutLen())*(eps/2)*(absL+absB+slack)
	if d := math.Abs(l - rhs); !(d <= btol) {
		t.Fatalf("%+v: <yb - y, dy> = %v, <b, db> = %v: |diff| %.3g > bound %.3g", s, l, rhs, d, btol)
	}
}

// TestConvFiniteDifferences checks each gradient against central
// differences of L(x, w, b) = <ConvForward(x, w, b), dy>. L is linear in
// each argument, so the difference quotient with step h has no truncation
// error: it differs from the derivative only by the rounding of the two
// evaluations of L, each within (gamma(m) + gamma(M)) * T of the exact
// value (m = Cin*K*K+1 terms per output, M = OutLen outputs, T = sum of
// |terms|), that is by at most 2.1*(m+M)*u*T/h.
func TestConvFiniteDifferences(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, s := range []ConvShape{
			{N: 2, Cin: 3, Cout: 4, H: 6, W: 7, K: 3},
			{N: 1, Cin: 2, Cout: 3, H: 16, W: 16, K: 5},
		} {
			c := newConvCase(r, s)
			work := make([]float64, s.WorkLen())
			y := make([]float64, s.OutLen())
			loss := func() float64 {
				ConvForward(s, c.x, c.w, c.b, y, work)
				l, _ := dotSum(y, c.dy)
				return l
			}
			ConvForward(s, c.ax, c.aw, c.ab, y, work)
			_, T := dotSum(y, c.ag)
			const h = 0.5
			tol := 2.1 * float64(s.Cin*s.K*s.K+1+s.OutLen()) * (eps / 2) * 2 * T / h

			dx := make([]float64, s.InLen())
			ConvBackwardData(s, c.dy, c.w, dx, work)
			dw, db := make([]float64, s.WeightLen()), make([]float64, s.Cout)
			ConvBackwardFilter(s, c.x, c.dy, dw, db, work)
			for _, p := range []struct {
				name       string
				param, grd []float64
			}{{"x", c.x, dx}, {"w", c.w, dw}, {"b", c.b, db}} {
				for range 5 {
					i := r.IntN(len(p.param))
					v := p.param[i]
					p.param[i] = v + h
					lp := loss()
					p.param[i] = v - h
					lm := loss()
					p.param[i] = v
					fd := (lp - lm) / (2 * h)
					// The gradient itself carries its own rounding error,
					// within the same kind of bound.
					if d := math.Abs(fd - p.grd[i]); !(d <= 2*tol) {
						t.Fatalf("%+v: dL/d%s[%d] = %v, central difference %v: |diff| %.3g > %.3g", s, p.name, i, p.grd[i], fd, d, 2*tol)
					}
				}
			}
		}
	})
}

// TestConvPanics checks that bad shapes and short slices panic with a
// message naming the kernel and the sizes, before any output is written.
func TestConvPanics(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		s := ConvShape{N: 2, Cin: 3, Cout: 4, H: 5, W: 6, K: 3}
		mk := func(n int) []float64 { return make([]float64, n) }
		type call struct {
			name string
			outs [][]float64
			run  func(outs [][]float64)
		}
		x, w, b, dy := mk(s.InLen()), mk(s.WeightLen()), mk(s.Cout), mk(s.OutLen())
		fwd := func(s ConvShape, x, w, b []float64, yn, workn int) call {
			return call{"ConvForward", [][]float64{mk(yn), mk(workn)}, func(o [][]float64) { ConvForward(s, x, w, b, o[0], o[1]) }}
		}
		data := func(s ConvShape, dy, w []float64, dxn, workn int) call {
			return call{"ConvBackwardData", [][]float64{mk(dxn), mk(workn)}, func(o [][]float64) { ConvBackwardData(s, dy, w, o[0], o[1]) }}
		}
		filt := func(s ConvShape, x, dy []float64, dwn, dbn, workn int) call {
			return call{"ConvBackwardFilter", [][]float64{mk(dwn), mk(dbn), mk(workn)}, func(o [][]float64) { ConvBackwardFilter(s, x, dy, o[0], o[1], o[2]) }}
		}
		wl := s.WorkLen()
		even := s
		even.K = 2
		neg := s
		neg.H = -1
		cases := []struct {
			c    call
			want string
		}{
			{fwd(s, x[1:], w, b, s.OutLen(), wl), fmt.Sprintf("len(x) = %d, need at least %d", s.InLen()-1, s.InLen())},
			{fwd(s, x, w[1:], b, s.OutLen(), wl), "len(w)"},
			{fwd(s, x, w, b[1:], s.OutLen(), wl), "len(b)"},
			{fwd(s, x, w, b, s.OutLen()-1, wl), "len(y)"},
			{fwd(even, x, w, b, s.OutLen(), wl), "K=2"},
			{fwd(neg, x, w, b, s.OutLen(), wl), "H=-1"},
			{data(s, dy[1:], w, s.InLen(), wl), "len(dy)"},
			{data(s, dy, w[1:], s.InLen(), wl), "len(w)"},
			{data(s, dy, w, s.InLen()-1, wl), "len(dx)"},
			{data(even, dy, w, s.InLen(), wl), "K=2"},
			{filt(s, x[1:], dy, s.WeightLen(), s.Cout, wl), "len(x)"},
			{filt(s, x, dy[1:], s.WeightLen(), s.Cout, wl), "len(dy)"},
			{filt(s, x, dy, s.WeightLen()-1, s.Cout, wl), "len(dw)"},
			{filt(s, x, dy, s.WeightLen(), s.Cout-1, wl), "len(db)"},
			{filt(neg, x, dy, s.WeightLen(), s.Cout, wl), "H=-1"},
		}
		if wl > 0 { // the reference needs no work
			cases = append(cases, []struct {
				c    call
				want string
			}{
				{fwd(s, x, w, b, s.OutLen(), wl-1), "len(work)"},
				{data(s, dy, w, s.InLen(), wl-1), "len(work)"},
				{filt(s, x, dy, s.WeightLen(), s.Cout, wl-1), "len(work)"},
			}...)
		}
		for _, tc := range cases {
			for _, o := range tc.c.outs {
				for i := range o {
					o[i] = math.NaN()
				}
			}
			msg := func() (msg string) {
				defer func() {
					if r := recover(); r != nil {
						msg = fmt.Sprint(r)
					}
				}()
				tc.c.run(tc.c.outs)
				return ""
			}()
			if !strings.Contains(msg, "kernels."+tc.c.name) || !strings.Contains(msg, tc.want) {
				t.Fatalf("%s: panic %q, want one naming the kernel and %q", tc.c.name, msg, tc.want)
			}
			for _, o := range tc.c.outs {
				for i, v := range o {
					if !math.IsNaN(v) {
						t.Fatalf("%s (%s): output element %d written before the panic", tc.c.name, tc.want, i)
					}
				}
			}
		}
	})
}

// TestConvConcurrent runs the kernels from several goroutines at once, each
// with its own work buffer, and checks that every result equals the one
// computed alone (the kernels share no state).
func TestConvConcurrent(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		s := ConvShape{N: 1, Cin: 5, Cout: 7, H: 16, W: 16, K: 3}
		c := newConvCase(rand.New(rand.NewPCG(7, 8)), s)
		run := func() (y, dx, dw, db []float64) {
			work := make([]float64, s.WorkLen())
			y, dx = make([]float64, s.OutLen()), make([]float64, s.InLen())
			dw, db = make([]float64, s.WeightLen()), make([]float64, s.Cout)
			ConvForward(s, c.x, c.w, c.b, y, work)
			ConvBackwardData(s, c.dy, c.w, dx, work)
			ConvBackwardFilter(s, c.x, c.dy, dw, db, work)
			return
		}
		y0, dx0, dw0, db0 := run()
		var wg sync.WaitGroup
		bad := make([]bool, 4)
		for g := range bad {
			wg.Go(func() {
				for range 5 {
					y, dx, dw, db := run()
					if !sameSlice(y, y0) || !sameSlice(dx, dx0) || !sameSlice(dw, dw0) || !sameSlice(db, db0) {
						bad[g] = true
					}
				}
			})
		}
		wg.Wait()
		for g, b := range bad {
			if b {
				t.Fatalf("goroutine %d: concurrent result differs from the one computed alone", g)
			}
		}
	})
}

// fuzzConvFLOPs bounds the nominal work (ConvShape.FLOPs) of one FuzzConv
// input. Each input runs the three kernels and their references about 40
// times in all over the tiers, with the fuzzer's coverage instrumentation,
// and the fuzzer gives up on an input after ten seconds: on a two-core
// machine under a load average of 18, shapes of 7.5 MFLOP took that long.
const fuzzConvFLOPs = 2e6

// FuzzConv compares every tier with the reference and checks the
// adjoint identities on shapes and data drawn from the fuzzer's input
// (fewer images, then fewer channels, where the work would pass
// fuzzConvFLOPs).
func FuzzConv(f *testing.F) {
	f.Add(uint8(1), uint8(2), uint8(3), uint8(5), uint8(6), uint8(1), uint64(1))
	f.Add(uint8(2), uint8(9), uint8(1), uint8(16), uint8(16), uint8(1), uint64(2))
	f.Add(uint8(3), uint8(1), uint8(8), uint8(1), uint8(9), uint8(2), uint64(3))
	f.Add(uint8(1), uint8(65), uint8(4), uint8(4), uint8(7), uint8(0), uint64(4))
	f.Fuzz(func(t *testing.T, n, cin, cout, h, w, k uint8, seed uint64) {
		s := ConvShape{N: int(n % 4), Cin: int(cin % 70), Cout: int(cout % 70),
			H: int(h % 20), W: int(w % 27), K: 2*int(k%3) + 1}
		for s.FLOPs() > fuzzConvFLOPs && s.N > 1 {
			s.N--
		}
		for s.FLOPs() > fuzzConvFLOPs {
			if s.Cin > s.Cout {
				s.Cin /= 2
			} else {
				s.Cout /= 2
			}
		}
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		forEachImpl(t, func(t *testing.T) {
			c := newConvCase(r, s)
			runConvCase(t, c, int(seed%2))
			checkAdjoint(t, s, c)
		})
	})
}
