package ode

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// blowUp is y' = y^2, whose solution 1/(1 - t) from y(0) = 1 ends at t = 1.
var blowUp = Func(1, func(t float64, y, dydt []float64) { dydt[0] = y[0] * y[0] })

// jump has a derivative jumping by 1e200 at t = 1.5: no step across it
// passes the error test until t + h == t.
var jump = Func(1, func(t float64, y, dydt []float64) {
	dydt[0] = 0
	if t >= 1.5 {
		dydt[0] = 1e200
	}
})

// nanAfter returns NaN derivatives after t = 0.5.
var nanAfter = Func(1, func(t float64, y, dydt []float64) {
	dydt[0] = -y[0]
	if t > 0.5 {
		dydt[0] = math.NaN()
	}
})

func TestFailures(t *testing.T) {
	adaptive := Options{RTol: 1e-6, ATol: 1e-6}
	cases := []struct {
		name   string
		opt    Options
		sys    System
		t0, t1 float64
		kind   error
		want   []string
	}{
		{"min step", Options{RTol: 1e-6, ATol: 1e-6, MinStep: 1e-6}, blowUp, 0, 2, ErrStepUnderflow,
			[]string{"step size underflow at t = 0.99999", "below MinStep = 1e-06"}},
		{"underflow", adaptive, jump, 1, 2, ErrStepUnderflow, []string{"step size underflow at t = 1.5 with h = "}},
		{"max steps", Options{RTol: 1e-6, ATol: 1e-6, MaxSteps: 3}, decay, 0, 1, ErrMaxSteps,
			[]string{"maximum number of steps reached at t = 0.", "MaxSteps = 3"}},
		{"max steps fixed", Options{Method: RK4, Step: 1e-3, MaxSteps: 100}, decay, 0, 1, ErrMaxSteps,
			[]string{"maximum number of steps reached at t = 0 with h = 0.001", "1000 steps of 0.001"}},
		{"non-finite adaptive", adaptive, nanAfter, 0, 1, ErrNonFinite, []string{"non-finite state or derivative at t = 0.", "with h = "}},
		{"non-finite fixed", Options{Method: Euler, Steps: 10}, nanAfter, 0, 1, ErrNonFinite,
			[]string{"non-finite state or derivative at t = 0.6", "with h = 0.1"}},
		{"non-finite backwards", Options{Method: Euler, Steps: 10}, nanAfter, 1, 0, ErrNonFinite,
			[]string{"non-finite state or derivative at t = 1 with h = -0.1"}},
		{"non-finite adaptive backwards", adaptive, nanAfter, 1, 0, ErrNonFinite,
			[]string{"non-finite state or derivative at t = 1 with h = NaN (choosing the first step)"}},
		{"underflow fixed", Options{Method: RK4, Steps: 100}, decay, 1e20, 1e20 + 1e5, ErrStepUnderflow,
			[]string{"step size underflow at t = 1e+20 with h = 0"}},
		{"min step backwards", Options{RTol: 1e-6, ATol: 1e-6, MinStep: 1e-6}, blowUp, 0, -2, ErrStepUnderflow,
			[]string{"step size underflow at t = -0.99999", "with h = -9.", "below MinStep = 1e-06"}},
		{"max steps backwards", Options{RTol: 1e-6, ATol: 1e-6, MaxSteps: 3}, decay, 1, 0, ErrMaxSteps,
			[]string{"maximum number of steps reached at t = 0.", "with h = -", "MaxSteps = 3"}},
	}
	for _, c := range cases {
		s, err := NewSolver(1, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		y := []float64{1}
		if c.sys == blowUp && c.t1 < c.t0 {
			y[0] = -1 // 1/(-1 - t), which blows up at t = -1
		}
		_, err = s.Solve(c.sys, c.t0, y, c.t1, y)
		var se *StepError
		if !errors.Is(err, c.kind) || !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a *StepError wrapping %v", c.name, err, c.kind)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
		t.Logf("%s: %v", c.name, err)
	}
}

// TestFailuresBetweenOutputs: the limit on steps counts the whole solve,
// not one output interval, for both controllers.
func TestFailuresBetweenOutputs(t *testing.T) {
	cases := []struct {
		name string
		opt  Options
		want string
	}{
		{"fixed", Options{Method: RK4, Steps: 10, MaxSteps: 15},
			"maximum number of steps reached at t = 0.5 with h = 0.05 (MaxSteps = 15)"},
		{"fixed step size", Options{Method: RK4, Step: 0.05, MaxSteps: 15},
			"maximum number of steps reached at t = 0.5 with h = 0.05 (10 steps of 0.05 to cover 0.5 exceed MaxSteps = 15)"},
		{"adaptive", Options{RTol: 1e-10, ATol: 1e-10, MaxSteps: 16, Interpolate: true},
			"maximum number of steps reached at t = 0."},
	}
	for _, c := range cases {
		s, err := NewSolver(1, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		ys := [][]float64{{0}, {0}}
		_, err = s.SolveAt(decay, 0, []float64{1}, []float64{0.5, 1}, ys)
		var se *StepError
		if !errors.Is(err, ErrMaxSteps) || !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want a *StepError containing %q", c.name, err, c.want)
			continue
		}
		// The fixed-step controller checks the limit at the start of each
		// output interval; the adaptive one at each attempt, 12 of which
		// reach t = 0.5 at this tolerance.
		if (c.opt.Method == RK4 && se.T != 0.5) || !(se.T >= 0.5 && se.T < 1) {
			t.Errorf("%s: failed at t = %g, want the second output interval", c.name, se.T)
		}
		if e := math.Abs(ys[0][0] - math.Exp(-0.5)); !(e < 1e-6) {
			t.Errorf("%s: first output %g, want exp(-0.5)", c.name, ys[0][0])
		}
		t.Logf("%s: %v", c.name, err)
	}
}

// TestBlowUpEnds: a solution that blows up ends in an error near the
// singularity rather than a hang or garbage, with no MinStep set.
func TestBlowUpEnds(t *testing.T) {
	s, err := NewSolver(1, Options{RTol: 1e-6, ATol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{1}
	st, err := s.Solve(blowUp, 0, y, 2, y)
	var se *StepError
	if !errors.As(err, &se) || math.Abs(se.T-1) > 1e-3 {
		t.Fatalf("error %v after %+v, want a *StepError near t = 1", err, st)
	}
	t.Logf("%v after %+v", err, st)
}

func TestArgumentErrors(t *testing.T) {
	s, err := NewSolver(1, Options{RTol: 1e-6, ATol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{1}
	checks := []struct {
		name string
		err  error
		want string
	}{
		{"y0 NaN", second(s.Solve(decay, 0, []float64{math.NaN()}, 1, y)), "y0[0] = NaN is not finite"},
		{"y0 length", second(s.Solve(decay, 0, []float64{1, 2}, 1, y)), "y0 has length 2, want 1"},
		{"dimension", second(s.Solve(oscillator, 0, y, 1, y)), "system dimension 2, solver dimension 1"},
		{"t1 = t0", second(s.Solve(decay, 1, y, 1, y)), "output time 0 (1) does not move away from 1"},
		{"t1 NaN", second(s.Solve(decay, 0, y, math.NaN(), y)), "output time 0 (NaN) is not finite"},
		{"order", second(s.SolveAt(decay, 0, y, []float64{1, 0.5}, [][]float64{{0}, {0}})), "output time 1 (0.5) does not move away from 1"},
		{"buffers", second(s.SolveAt(decay, 0, y, []float64{1, 2}, [][]float64{{0}})), "1 output buffers for 2 output times"},
	}
	net := newTanhNet(1, make([]float64, 3))
	checks = append(checks, struct {
		name string
		err  error
		want string
	}{"backward without record", second(s.Backward(net, y, y, make([]float64, 3))), "no successful SolveRecord"})
	if _, err := s.SolveRecord(net, 0, []float64{1}, 1, y); err != nil {
		t.Fatal(err)
	}
	checks = append(checks, struct {
		name string
		err  error
		want string
	}{"gtheta length", second(s.Backward(net, y, y, make([]float64, 2))), "gtheta has length 2, want 3"})
	for _, c := range checks {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second(_ Stats, err error) error { return err }

func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		opt  Options
		want string
	}{
		{Options{}, "RTol = 0 is not a positive finite tolerance"},
		{Options{RTol: 1e-6}, "ATol = 0 is not a positive finite tolerance"},
		{Options{RTol: -1, ATol: 1}, "RTol = -1"},
		{Options{RTol: math.NaN(), ATol: 1}, "RTol = NaN"},
		{Options{RTol: 1, ATol: math.Inf(1)}, "ATol = +Inf"},
		{Options{Method: RK4}, "method rk4 has no error estimate: set Steps or Step"},
		{Options{Method: RK4, Steps: -1}, "Steps = -1 is negative"},
		{Options{Method: RK4, Step: -0.1}, "Step = -0.1 is not a positive finite step size"},
		{Options{Method: RK4, Steps: 2, Step: 0.1}, "both Steps = 2 and Step = 0.1 are set"},
		{Options{Method: RK4, Steps: 10, MaxSteps: 5}, "Steps = 10 exceeds MaxSteps = 5"},
		{Options{Method: RK4, Steps: 10, MaxSteps: -5}, "MaxSteps = -5 is negative"},
		{Options{Method: RK4, Steps: 10, Interpolate: true}, "Interpolate needs an adaptive solve"},
		{Options{RTol: 1, ATol: 1, FirstStep: -1}, "FirstStep = -1"},
		{Options{RTol: 1, ATol: 1, MinStep: -1}, "MinStep = -1"},
		{Options{RTol: 1, ATol: 1, Groups: []int{1, 1}}, "Groups sum to 2, want 3"},
		{Options{RTol: 1, ATol: 1, Groups: []int{3, 0}}, "Groups[1] = 0 is not positive"},
	}
	for _, c := range cases {
		_, err := NewSolver(3, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.opt, err, c.want)
		}
	}
	if _, err := NewSolver(0, Options{RTol: 1, ATol: 1}); err == nil || !strings.Contains(err.Error(), "dimension 0") {
		t.Errorf("dimension 0: error %v", err)
	}
	s, err := NewSolver(3, Options{RTol: 1e-3, ATol: 1e-3, Groups: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Options().Method != Dopri5 || s.Options().MaxSteps != DefaultMaxSteps {
		t.Errorf("defaults not filled in: %+v", s.Options())
	}
}
