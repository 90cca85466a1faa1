package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// planarCase holds the inputs of one planar-layer test.
type planarCase struct {
	n, d, w            int
	z, Wt, U, B        []float64
	gf, gtrace         []float64
	gWt0, gU0, gB0     []float64 // initial values of the accumulated gradients
	scaleZ, scaleParam float64
}

func newPlanarCase(r *rand.Rand, n, d, w int, sz, sp float64) *planarCase {
	c := &planarCase{n: n, d: d, w: w, scaleZ: sz, scaleParam: sp}
	c.z = randSlice(r, n*d, -sz, sz)
	c.Wt = randSlice(r, w*d, -sp, sp)
	c.U = randSlice(r, w*d, -sp, sp)
	c.B = randSlice(r, w, -sp, sp)
	c.gf = randSlice(r, n*d, -1, 1)
	c.gtrace = randSlice(r, n, -1, 1)
	c.gWt0 = randSlice(r, w*d, -1, 1)
	c.gU0 = randSlice(r, w*d, -1, 1)
	c.gB0 = randSlice(r, w, -1, 1)
	return c
}

// planarBounds returns the allowed absolute differences between two
// evaluations of the planar layer (assembly and reference) for f, trace,
// gz, gWt, gU and gB. The derivation, with u = eps = 2^-52:
//
//   - a_i = Wt_i.z + B_i is formed in the same order by both, so identically.
//   - h_i differs by at most (ulpTanh+1) u |h_i| and h'_i by at most 11 u
//     (the reference's 1 - h^2 is within 3 u absolutely, the assembly's
//     within ulpTanhPrime u relatively, and h' <= 1).
//   - A sum of m products evaluated in different orders differs by at most
//     (m+2) u times the sum of the absolute values of its terms.
//
// With |h| <= 1 and h' <= 1 every term is bounded by a magnitude M built
// from absolute values (below), and c = m + 18 covers ordering, the tanh
// and h' differences and the few extra roundings of each term.
func planarBounds(c *planarCase) (f, tr, gz, gWt, gU, gB []float64) {
	n, d, w := c.n, c.d, c.w
	inv := 1 / float64(w)
	f, tr, gz = make([]float64, n*d), make([]float64, n), make([]float64, n*d)
	gWt, gU, gB = make([]float64, w*d), make([]float64, w*d), make([]float64, w)
	cw, cn := float64(w+18)*eps, float64(n+18)*eps
	// The initial values of the accumulated gradients are terms of their sums.
	for i := range gWt {
		gWt[i] = cn * math.Abs(c.gWt0[i])
		gU[i] = cn * math.Abs(c.gU0[i])
	}
	for i := range gB {
		gB[i] = cn * math.Abs(c.gB0[i])
	}
	for s := 0; s < n; s++ {
		gt := math.Abs(c.gtrace[s]) * inv
		for i := 0; i < w; i++ {
			var uw, gu float64
			for k := 0; k < d; k++ {
				uw += math.Abs(c.U[i*d+k] * c.Wt[i*d+k])
				gu += math.Abs(c.gf[s*d+k] * c.U[i*d+k])
			}
			ga := gu*inv + 2*uw*gt // bounds |dL/da_i|
			tr[s] += cw * inv * uw
			gB[i] += cn * ga
			for k := 0; k < d; k++ {
				wk, uk := math.Abs(c.Wt[i*d+k]), math.Abs(c.U[i*d+k])
				f[s*d+k] += cw * inv * uk
				gz[s*d+k] += cw * ga * wk
				gWt[i*d+k] += cn * (ga*math.Abs(c.z[s*d+k]) + gt*uk)
				gU[i*d+k] += cn * (inv*math.Abs(c.gf[s*d+k]) + gt*wk)
			}
		}
	}
	return
}

// planarRun evaluates PlanarForward and PlanarReverse on c with guarded
// outputs at offset off, checking the guards and that no input changed, and
// returns the outputs.
func planarRun(t *testing.T, c *planarCase, off int) (f, tr, gz, gWt, gU, gB []float64) {
	t.Helper()
	n, d, w := c.n, c.d, c.w
	ins := [][]float64{c.z, c.Wt, c.U, c.B, c.gf, c.gtrace}
	var saved [][]float64
	for _, s := range ins {
		saved = append(saved, append([]float64(nil), s...))
	}
	gF, gT := newGuarded(n*d, off), newGuarded(n, 1-off)
	PlanarForward(d, w, c.z, c.Wt, c.U, c.B, gF.data(), gT.data())
	gZ, gW, gUg, gBg := newGuarded(n*d, off), newGuarded(w*d, off), newGuarded(w*d, 1-off), newGuarded(w, off)
	copy(gW.data(), c.gWt0)
	copy(gUg.data(), c.gU0)
	copy(gBg.data(), c.gB0)
	PlanarReverse(d, w, c.z, c.Wt, c.U, c.B, c.gf, c.gtrace, gZ.data(), gW.data(), gUg.data(), gBg.data())
	name := fmt.Sprintf("n=%d d=%d w=%d off=%d", n, d, w, off)
	for _, g := range []struct {
		name string
		g    *guardedSlice
	}{{"f", gF}, {"trace", gT}, {"gz", gZ}, {"gWt", gW}, {"gU", gUg}, {"gB", gBg}} {
		g.g.check(t, name+" "+g.name)
	}
	for j := range ins {
		if !sameSlice(ins[j], saved[j]) {
			t.Fatalf("%s: input %d modified", name, j)
		}
	}
	return gF.data(), gT.data(), gZ.data(), gW.data(), gUg.data(), gBg.data()
}

// planarRef evaluates the references on c.
func planarRef(c *planarCase) (f, tr, gz, gWt, gU, gB []float64) {
	n, d, w := c.n, c.d, c.w
	f, tr, gz = make([]float64, n*d), make([]float64, n), make([]float64, n*d)
	gWt = append([]float64(nil), c.gWt0...)
	gU = append([]float64(nil), c.gU0...)
	gB = append([]float64(nil), c.gB0...)
	planarForwardRef(n, d, w, c.z, c.Wt, c.U, c.B, f, tr)
	planarReverseRef(n, d, w, c.z, c.Wt, c.U, c.B, c.gf, c.gtrace, gz, gWt, gU, gB)
	return
}

func comparePlanar(t *testing.T, c *planarCase, off int) {
	t.Helper()
	got := [6][]float64{}
	got[0], got[1], got[2], got[3], got[4], got[5] = planarRun(t, c, off)
	want := [6][]float64{}
	want[0], want[1], want[2], want[3], want[4], want[5] = planarRef(c)
	tol := [6][]float64{}
	tol[0], tol[1], tol[2], tol[3], tol[4], tol[5] = planarBounds(c)
	names := []string{"f", "trace", "gz", "gWt", "gU", "gB"}
	for o := range got {
		for i := range want[o] {
			if d := math.Abs(got[o][i] - want[o][i]); !(d <= tol[o][i]) {
				t.Fatalf("n=%d d=%d w=%d off=%d scale %g/%g: %s[%d] = %g, reference %g (difference %g > bound %g)",
					c.n, c.d, c.w, off, c.scaleZ, c.scaleParam, names[o], i, got[o][i], want[o][i], d, tol[o][i])
			}
		}
	}
}

// TestPlanarMatchesReference holds every implementation to the reference
// within planarBounds, over batch sizes around the vector widths (0..33
// covers the AVX2 kernels' blocks of four points and the AVX-512 kernels'
// groups of sixteen, blocks of eight and masked tails) and random larger
// ones, several dimensions and widths, offsets 0 and 1, and scales from
// tiny to large pre-activations (saturated tanh).
func TestPlanarMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	forEachImpl(t, func(t *testing.T) {
		for _, d := range []int{1, 2, 3} {
			for _, w := range []int{1, 3, 4, 5, 64} {
				for n := 0; n <= 33; n++ {
					comparePlanar(t, newPlanarCase(r, n, d, w, 2, 1), n&1)
				}
				n := 34 + r.IntN(100)
				comparePlanar(t, newPlanarCase(r, n, d, w, 2, 1), n&1)
				for _, sc := range [][2]float64{{1e-9, 1e-9}, {30, 3}, {300, 3}} {
					comparePlanar(t, newPlanarCase(r, 37, d, w, sc[0], sc[1]), 0)
				}
			}
		}
	})
}

// TestPlanarSpecials: a NaN in a point makes that point's outputs NaN and
// no other point's; infinities saturate tanh. The special points fall in a
// group of sixteen, a block of eight and a masked tail of the AVX-512
// kernels. Finite outputs are held to 1e-12 relative, far above
// planarBounds here (about 1e-14: this test is about which outputs are
// NaN).
func TestPlanarSpecials(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	forEachImpl(t, func(t *testing.T) {
		c := newPlanarCase(r, 27, 2, 8, 2, 1)
		c.z[2*3] = math.NaN()
		c.z[2*5] = math.Inf(1)
		c.z[2*6+1] = math.Inf(-1)
		c.z[2*20+1] = math.NaN()
		c.z[2*25] = math.NaN()
		c.z[2*26+1] = math.Inf(1)
		got := [6][]float64{}
		got[0], got[1], got[2], got[3], got[4], got[5] = planarRun(t, c, 0)
		want := [6][]float64{}
		want[0], want[1], want[2], want[3], want[4], want[5] = planarRef(c)
		for o := 0; o < 3; o++ {
			for i := range want[o] {
				gv, wv := got[o][i], want[o][i]
				if math.IsNaN(wv) != math.IsNaN(gv) || (!math.IsNaN(wv) && math.Abs(gv-wv) > 1e-12*(1+math.Abs(wv))) {
					t.Errorf("output %d element %d: got %g, reference %g", o, i, gv, wv)
				}
			}
		}
	})
}

// TestPlanarReverseFiniteDifferences checks PlanarReverse against central
// differences of L = gf.f + gtrace.trace under every implementation. With
// step h = 1e-5 and inputs of order one, the truncation error h^2/6 max|d^3L/dx^3|
// and the rounding error 2^-52 |L|/h are both below 1e-8; the bound 1e-6
// (1 + |g|) leaves that margin, while a wrong term or factor in a gradient
// shows up at the size of the gradient itself.
func TestPlanarReverseFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	forEachImpl(t, func(t *testing.T) {
		for _, d := range []int{1, 2, 3} {
			c := newPlanarCase(r, 6, d, 5, 1.5, 1)
			n, w := c.n, c.w
			for i := range c.gWt0 {
				c.gWt0[i], c.gU0[i] = 0, 0
			}
			clear(c.gB0)
			loss := func() float64 {
				f, tr := make([]float64, n*d), make([]float64, n)
				PlanarForward(d, w, c.z, c.Wt, c.U, c.B, f, tr)
				var l float64
				for i := range f {
					l += c.gf[i] * f[i]
				}
				for s := range tr {
					l += c.gtrace[s] * tr[s]
				}
				return l
			}
			gz, gWt, gU, gB := make([]float64, n*d), make([]float64, w*d), make([]float64, w*d), make([]float64, w)
			PlanarReverse(d, w, c.z, c.Wt, c.U, c.B, c.gf, c.gtrace, gz, gWt, gU, gB)
			for _, p := range []struct {
				name string
				x, g []float64
			}{{"z", c.z, gz}, {"Wt", c.Wt, gWt}, {"U", c.U, gU}, {"B", c.B, gB}} {
				for i := range p.x {
					const h = 1e-5
					x0 := p.x[i]
					p.x[i] = x0 + h
					lp := loss()
					p.x[i] = x0 - h
					lm := loss()
					p.x[i] = x0
					fd := (lp - lm) / (2 * h)
					if math.Abs(fd-p.g[i]) > 1e-6*(1+math.Abs(p.g[i])) {
						t.Errorf("d=%d: dL/d%s[%d] = %g, central difference %g", d, p.name, i, p.g[i], fd)
					}
				}
			}
		}
	})
}

func TestPlanarShortPanics(t *testing.T) {
	d, w, n := 2, 3, 4
	z, Wt, U, B := make([]float64, n*d), make([]float64, w*d), make([]float64, w*d), make([]float64, w)
	f, tr := make([]float64, n*d), make([]float64, n)
	cases := []struct {
		f    func()
		want string
	}{
		{func() { PlanarForward(d, w, z[:7], Wt, U, B, f, tr) }, "kernels.PlanarForward: len(z) = 7, need at least 8"},
		{func() { PlanarForward(d, w, z, Wt, U, B[:2], f, tr) }, "kernels.PlanarForward: len(B) = 2, need at least 3"},
		{func() { PlanarForward(0, w, z, Wt, U, B, f, tr) }, "kernels.PlanarForward: bad shape: d=0 w=3"},
		{func() { PlanarReverse(d, w, z, Wt, U, B, f, tr, f[:7], Wt, U, B) }, "kernels.PlanarReverse: len(gz) = 7, need at least 8"},
		{func() { PlanarReverse(d, w, z, Wt, U, B, f, tr, f, Wt, U[:5], B) }, "kernels.PlanarReverse: len(gU) = 5, need at least 6"},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			if got := capturePanic(c.f); got != c.want {
				t.Errorf("panic %q, want %q", got, c.want)
			}
		}
	})
}

// FuzzPlanar compares the implementation in use with the reference at
// fuzzed scales of points and parameters.
func FuzzPlanar(f *testing.F) {
	f.Add(uint64(1), 9, 2, 8, 1.0, 1.0)
	f.Add(uint64(2), 4, 2, 64, 50.0, 2.0)
	f.Add(uint64(3), 13, 3, 5, 1e-8, 1e-3)
	f.Add(uint64(4), 7, 1, 1, 1e3, 10.0)
	f.Fuzz(func(t *testing.T, seed uint64, n, d, w int, sz, sp float64) {
		if n < 0 || n > 64 || d < 1 || d > 4 || w < 1 || w > 70 ||
			!(math.Abs(sz) < 1e6) || !(math.Abs(sp) < 1e3) {
			t.Skip()
		}
		c := newPlanarCase(rand.New(rand.NewPCG(seed, 9)), n, d, w, math.Abs(sz), math.Abs(sp))
		comparePlanar(t, c, int(seed&1))
	})
}
