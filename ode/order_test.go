package ode

import (
	"math"
	"testing"
)

// slope is the least-squares slope of log err against log h.
func slope(h, err []float64) float64 {
	var sx, sy, sxx, sxy float64
	n := float64(len(h))
	for i := range h {
		x, y := math.Log(h[i]), math.Log(err[i])
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// TestConvergenceOrder regresses the log of the global error at T on the log
// of the step size and requires a slope within 0.2 of the order. The step
// counts start where the leading error term dominates and end before
// rounding matters: rounding adds at most about eps |y| = 2e-16 per step, at
// most 2e-14 after 96 steps, so errors of at least 3e-13 are kept within
// 10% (a bias below 0.05 in the slope).
func TestConvergenceOrder(t *testing.T) {
	problems := []struct {
		name  string
		sys   System
		y0    []float64
		T     float64
		exact []float64
	}{
		{"oscillator", oscillator, []float64{1, 0}, 2, []float64{math.Cos(2), -math.Sin(2)}},
		{"logistic", logistic, []float64{0.1}, 8, []float64{1 / (1 + 9*math.Exp(-8))}},
	}
	methods := []struct {
		tb    *Tableau
		steps []int
	}{
		{Euler, []int{200, 400, 800, 1600, 3200}},
		{RK4, []int{10, 20, 40, 80, 160}},
		{RK38, []int{16, 32, 64, 128, 256}},
		{Dopri5, []int{12, 24, 48, 96}},
		{Tsit5, []int{12, 24, 48, 96}},
	}
	// Each way of stepping goes through the same loop: Steps per interval,
	// a Step size, and Steps backwards in time from the exact y(T) to 0.
	// Backwards only on the oscillator, whose flow preserves volume: the
	// logistic equation repels from y = 1 backwards in time, amplifying
	// the local errors by up to exp(8), which mixes error terms of several
	// orders in the slope.
	variants := []string{"steps", "step size", "backwards"}
	for _, m := range methods {
		for _, p := range problems {
			for _, v := range variants {
				if v == "backwards" && p.name != "oscillator" {
					continue
				}
				var hs, errs []float64
				for _, n := range m.steps {
					opt := Options{Method: m.tb, Steps: n}
					if v == "step size" {
						opt = Options{Method: m.tb, Step: p.T / float64(n)}
					}
					s, err := NewSolver(len(p.y0), opt)
					if err != nil {
						t.Fatal(err)
					}
					y := make([]float64, len(p.y0))
					from, to, want := 0.0, p.T, p.exact
					start := p.y0
					if v == "backwards" {
						from, to, want, start = p.T, 0, p.y0, p.exact
					}
					if _, err := s.Solve(p.sys, from, start, to, y); err != nil {
						t.Fatal(err)
					}
					var e float64
					for i := range y {
						e = math.Max(e, math.Abs(y[i]-want[i]))
					}
					if e < 3e-13 {
						t.Fatalf("%s on %s (%s) with %d steps: error %.3g is too close to rounding for the regression", m.tb.Name, p.name, v, n, e)
					}
					hs = append(hs, p.T/float64(n))
					errs = append(errs, e)
				}
				got := slope(hs, errs)
				t.Logf("%-6s %-11s %-9s slope %.3f (errors %.2e .. %.2e)", m.tb.Name, p.name, v, got, errs[0], errs[len(errs)-1])
				bad := math.Abs(got-float64(m.tb.Order)) > 0.2
				if m.tb == Tsit5 && p.name == "logistic" {
					// Tsitouras chose the coefficients to make the fifth-order
					// error terms small, so on this nonlinear problem sixth-order
					// terms dominate until the error is near rounding and the
					// slope over the usable range exceeds 5 (the ratios of
					// successive errors fall towards 32); that the order is
					// exactly 5 is shown by TestOrderConditions.
					bad = got < float64(m.tb.Order)-0.2
				}
				if bad {
					t.Errorf("%s on %s (%s): slope %.3f, want %d +- 0.2", m.tb.Name, p.name, v, got, m.tb.Order)
				}
			}
		}
	}
}
