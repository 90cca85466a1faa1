package ode

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gradCase is a loss L = sum_j w_j . y(ts[j]) of the tanhNet system.
type gradCase struct {
	name string
	opt  Options
	t0   float64
	ts   []float64
}

var gradCases = []gradCase{
	{"euler", Options{Method: Euler, Steps: 10}, 0, []float64{1}},
	{"rk4", Options{Method: RK4, Steps: 7}, 0, []float64{0.3, 0.7, 1}},
	{"rk38-step", Options{Method: RK38, Step: 0.13}, 0, []float64{0.5, 1}},
	{"rk4-recompute", Options{Method: RK4, Steps: 5, Gradient: BackpropRecompute}, 0, []float64{0.4, 1}},
	{"dopri5", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8}, 0, []float64{0.3, 0.7, 1.5}},
	{"dopri5-backwards", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8}, 1, []float64{0.2, -0.5}},
	{"dopri5-interpolate", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8, Interpolate: true}, 0, []float64{0.3, 0.35, 1.5}},
	{"dopri5-recompute", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8, Gradient: BackpropRecompute}, 0, []float64{0.3, 0.7, 1.5}},
	{"tsit5", Options{Method: Tsit5, RTol: 1e-7, ATol: 1e-9}, 0, []float64{1.5}},
	{"tsit5-interpolate-recompute", Options{Method: Tsit5, RTol: 1e-7, ATol: 1e-9, Interpolate: true, Gradient: BackpropRecompute}, 0, []float64{0.6, 1.5}},
}

const netDim = 3

// netProblem draws parameters, an initial state and loss weights.
func netProblem(seed uint64, nout int) (theta, y0 []float64, w [][]float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	theta = make([]float64, netDim*netDim+2*netDim)
	for i := range theta {
		theta[i] = 1.5 * r.NormFloat64()
	}
	y0 = make([]float64, netDim)
	for i := range y0 {
		y0[i] = r.NormFloat64()
	}
	w = make([][]float64, nout)
	for j := range w {
		w[j] = make([]float64, netDim)
		for i := range w[j] {
			w[j][i] = r.NormFloat64()
		}
	}
	return theta, y0, w
}

func loss(w, ys [][]float64) float64 {
	var l float64
	for j := range w {
		for i := range w[j] {
			l += w[j][i] * ys[j][i]
		}
	}
	return l
}

func outputs(n int) [][]float64 {
	ys := make([][]float64, n)
	for j := range ys {
		ys[j] = make([]float64, netDim)
	}
	return ys
}

// solveGradient records the solve of case c for the tanhNet system with
// parameters theta from y0 and returns the outputs, the gradient of
// sum_j w_j . y(ts[j]) with respect to (y0, theta) by c.opt.Gradient, and
// the statistics of the reverse pass. With forget, the system's records
// are invalidated between the passes.
func solveGradient(t *testing.T, c gradCase, theta, y0 []float64, w [][]float64, forget bool) (ys [][]float64, g []float64, st Stats) {
	t.Helper()
	net := newTanhNet(netDim, theta)
	s, err := NewSolver(netDim, c.opt)
	if err != nil {
		t.Fatal(err)
	}
	ys = outputs(len(c.ts))
	if _, err := s.SolveRecordAt(net, c.t0, y0, c.ts, ys); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	if forget {
		net.invalidate()
	}
	g = make([]float64, netDim+net.NumParams())
	if st, err = s.BackwardAt(net, w, g[:netDim], g[netDim:]); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return ys, g, st
}

// centralDiff differentiates L with respect to (y0, theta) by central
// differences of step delta.
func centralDiff(y0, theta []float64, delta float64, L func(y0, theta []float64) float64) []float64 {
	p := append(append([]float64(nil), y0...), theta...)
	g := make([]float64, len(p))
	for i := range p {
		orig := p[i]
		p[i] = orig + delta
		lp := L(p[:len(y0)], p[len(y0):])
		p[i] = orig - delta
		lm := L(p[:len(y0)], p[len(y0):])
		p[i] = orig
		g[i] = (lp - lm) / (2 * delta)
	}
	return g
}

// relErr is max|a - b| / max|b|.
func relErr(a, b []float64) float64 {
	var d, m float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
		m = math.Max(m, math.Abs(b[i]))
	}
	return d / m
}

// frozen re-runs the accepted steps of the tape with records off: the map
// whose exact derivative Backward computes.
func frozen(tb *Tableau, steps []tapeStep, outs []tapeOut, sys System, y0 []float64, ys [][]float64) {
	r, err := NewSolver(len(y0), Options{Method: tb, Steps: 1})
	if err != nil {
		panic(err)
	}
	copy(r.y, y0)
	r.firstStage = false
	oi := 0
	for n, st := range steps {
		r.step(sys, n, st.t, st.h, st.tn)
		for ; oi < len(outs) && outs[oi].dense && outs[oi].step == n; oi++ {
			r.interpolate(outs[oi].x, st.h, ys[oi])
		}
		r.advance()
		for ; oi < len(outs) && !outs[oi].dense && outs[oi].step == n+1; oi++ {
			copy(ys[oi], r.y)
		}
	}
}

// TestBackwardExact checks Backward against central differences of the same
// sequence of steps. That map is smooth, so the difference has truncation
// error delta^2/6 times the third derivative of L and rounding error about eps |L| / delta; with
// delta = 1e-5, |L| and its derivatives of order 1-10 and eps = 2.2e-16 this
// is below 1e-9 relative to the gradient, and 1e-7 leaves a margin of 100.
func TestBackwardExact(t *testing.T) {
	for seed, c := range gradCases {
		t.Run(c.name, func(t *testing.T) {
			theta, y0, w := netProblem(uint64(seed), len(c.ts))
			net := newTanhNet(netDim, theta)
			s, err := NewSolver(netDim, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			ys := outputs(len(c.ts))
			st, err := s.SolveRecordAt(net, c.t0, y0, c.ts, ys)
			if err != nil {
				t.Fatal(err)
			}
			steps := append([]tapeStep(nil), s.tape.steps...)
			outs := append([]tapeOut(nil), s.tape.outs...)
			if c.opt.Gradient == BackpropRecompute {
				net.invalidate()
			}
			g := make([]float64, netDim+net.NumParams())
			bst, err := s.BackwardAt(net, w, g[:netDim], g[netDim:])
			if err != nil {
				t.Fatal(err)
			}
			fd := centralDiff(y0, theta, 1e-5, func(y0, theta []float64) float64 {
				frozen(s.tb, steps, outs, newTanhNet(netDim, theta), y0, ys)
				return loss(w, ys)
			})
			rel := relErr(g, fd)
			t.Logf("forward %+v backward %+v relative error %.2e", st, bst, rel)
			if rel > 1e-7 {
				t.Errorf("backward vs finite differences: relative error %.3g > 1e-7\n got %v\nwant %v", rel, g, fd)
			}
		})
	}
}

func TestGradientByName(t *testing.T) {
	for _, g := range Gradients() {
		got, err := GradientByName(g.Name())
		if err != nil || got != g {
			t.Errorf("GradientByName(%q) = %v, %v", g.Name(), got, err)
		}
	}
	for name, want := range map[string]Gradient{"backprop": Backprop, "backprop-recompute": BackpropRecompute, "adjoint": ContinuousAdjoint} {
		if got, err := GradientByName(name); err != nil || got != want {
			t.Errorf("GradientByName(%q) = %v, %v", name, got, err)
		}
	}
	const msg = `ode: unknown gradient method "Adjoint" (want backprop, backprop-recompute or adjoint)`
	if _, err := GradientByName("Adjoint"); err == nil || err.Error() != msg {
		t.Errorf("GradientByName(Adjoint): error %v, want %s", err, msg)
	}
	s, err := NewSolver(1, Options{Method: RK4, Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Options().Gradient != Backprop {
		t.Errorf("default gradient method %v, want Backprop", s.Options().Gradient)
	}
}

// TestRecomputeMatchesTape: recomputing each step's stages from its initial
// state repeats the forward arithmetic exactly, so BackpropRecompute gives
// Backprop's gradient bit for bit, for one more evaluation per stage.
func TestRecomputeMatchesTape(t *testing.T) {
	for seed, c := range gradCases {
		theta, y0, w := netProblem(uint64(seed), len(c.ts))
		var grads [2][]float64
		var stats [2]Stats
		for k, method := range []Gradient{Backprop, BackpropRecompute} {
			c.opt.Gradient = method
			// The recomputing reverse pass must not use the forward pass's
			// records.
			_, grads[k], stats[k] = solveGradient(t, c, theta, y0, w, method == BackpropRecompute)
		}
		for i := range grads[0] {
			if grads[0][i] != grads[1][i] {
				t.Errorf("%s: gradient %d is %.17g with the tape, %.17g recomputed", c.name, i, grads[0][i], grads[1][i])
				break
			}
		}
		if stats[0].VJP != stats[1].VJP || stats[0].NFE != 0 || stats[1].NFE == 0 {
			t.Errorf("%s: reverse passes %+v with the tape, %+v recomputed", c.name, stats[0], stats[1])
		}
	}
}
