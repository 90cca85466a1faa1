package cnf

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/ode"
)

// TestSolverConfig: the solver section names its methods and gradients as
// package ode does, and a setting that cannot work is named.
func TestSolverConfig(t *testing.T) {
	for _, c := range []struct {
		solver SolverConfig
		want   string // "" for a valid section
	}{
		{SolverConfig{Method: "rk5"}, "solver method"},
		{SolverConfig{Method: "dopri5", Gradient: "both"}, "solver gradient"},
		{SolverConfig{Method: "rk4"}, "rk4 is fixed-step, set steps"},
		{SolverConfig{Method: "rk38", Steps: 4, Interpolate: true}, "interpolate needs an adaptive method (dopri5, tsit5)"},
		{SolverConfig{Method: "dopri5", RTol: math.Inf(1)}, "rtol"},
		{SolverConfig{Method: "tsit5", Interpolate: true, Gradient: "backprop-recompute"}, ""},
		{SolverConfig{Method: "euler", Steps: 3, Gradient: "adjoint"}, ""},
	} {
		cfg := planarConfig(BaseGaussian, 1)
		cfg.Solver = c.solver
		err := cfg.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: error %v, want %q", c.solver, err, c.want)
		}
	}
	for _, m := range ode.Methods() {
		cfg := planarConfig(BaseGaussian, 1)
		cfg.Solver = SolverConfig{Method: m.Name, Steps: 2}
		if err := cfg.Validate(); err != nil {
			t.Errorf("ode's method %s refused: %v", m.Name, err)
		}
	}
	for _, g := range ode.Gradients() {
		cfg := planarConfig(BaseGaussian, 1)
		cfg.Solver = SolverConfig{Method: "rk4", Steps: 2, Gradient: g.Name()}
		if err := cfg.Validate(); err != nil {
			t.Errorf("ode's gradient %s refused: %v", g.Name(), err)
		}
	}
}

// TestSolverInterpolate: a model asked to interpolate at t1 keeps that
// through config.json and solves otherwise than one that shortens its last
// step, by about the tolerance; backprop-recompute gives the bits of
// backprop with it.
func TestSolverInterpolate(t *testing.T) {
	cfg := planarConfig(BaseGMM, 2)
	cfg.Solver = SolverConfig{Method: "dopri5", RTol: 1e-5, ATol: 1e-5}
	x, labels := points(12, 2, 2, 1)
	logp := func(cfg Config) []float64 {
		m, err := New(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, 12)
		if _, err := m.LogLikelihood(x, testRNG(1), out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	land := logp(cfg)
	cfg.Solver.Interpolate = true
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Config().Solver.Interpolate {
		t.Fatal("config.json lost solver.interpolate")
	}
	interp := logp(back.Config())
	// The same solver set on a model trained (here: drawn) without it.
	plain, err := New(planarConfig(BaseGMM, 2), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain.theta {
		plain.theta[i] = m.theta[i]
	}
	switched, err := plain.WithSolver(cfg.Solver)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 12)
	if _, err := switched.LogLikelihood(x, testRNG(1), got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, interp) || plain.Config().Solver.Interpolate || !switched.Config().Solver.Interpolate {
		t.Error("WithSolver does not give the model of its solver section, or changed the original")
	}
	if _, err := plain.WithSolver(SolverConfig{Method: "rk4", Steps: 2, Interpolate: true}); err == nil {
		t.Error("WithSolver accepted interpolation for a fixed-step method")
	}
	// The two ways of reaching t1 differ by the local error of the last
	// step, a fraction of the tolerance times the scale of the state.
	for i := range land {
		d := math.Abs(land[i] - interp[i])
		if d == 0 || d > 1e-3*math.Abs(land[i]) {
			t.Errorf("point %d: %.17g landing on t1, %.17g interpolating (difference %.3g)", i, land[i], interp[i], d)
		}
	}
	grad := func(name string) []float64 {
		c := cfg
		c.Solver.Gradient = name
		m, err := New(c, 3)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, len(m.Params()))
		if _, err := m.LossGrad(x, labels, testRNG(2), g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	if a, b := grad(ode.Backprop.Name()), grad(ode.BackpropRecompute.Name()); !slices.Equal(a, b) {
		t.Error("backprop-recompute's gradient differs from backprop's with interpolation")
	}
}
