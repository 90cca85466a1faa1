package ode

import (
	"math"
	"testing"
)

var tolerances = []float64{1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10}

func solveTol(t *testing.T, tb *Tableau, sys System, tol, t0, t1 float64, y0 []float64) ([]float64, Stats) {
	t.Helper()
	s, err := NewSolver(len(y0), Options{Method: tb, RTol: tol, ATol: tol})
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(y0))
	st, err := s.Solve(sys, t0, y0, t1, y)
	if err != nil {
		t.Fatal(err)
	}
	return y, st
}

func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// trackTolerance checks that the global error follows the tolerance. The
// controller keeps the estimated local error of the fourth-order embedded
// solution near tol per step, so a step has h ~ tol^(1/5) and the
// propagated fifth-order solution has local error ~ tol^(6/5); summed over
// ~tol^(-1/5) steps the global error scales as tol^1 (a little faster
// while the estimate overstates the error). So the least-squares slope of
// log error on log tol must lie in [0.8, 1.5], and each error must be
// within a factor 1000 of its tolerance, the range of the constant for
// these problems over a few time units: a controller that ignored the
// tolerance fails the first check, one off by a constant factor the second.
func trackTolerance(t *testing.T, name string, errs []float64) {
	t.Helper()
	for i, tol := range tolerances {
		if r := errs[i] / tol; r > 1000 || r < 1e-3 {
			t.Errorf("%s: tolerance %.0e gives error %.3g, ratio %.3g outside [1e-3, 1e3]", name, tol, errs[i], r)
		}
	}
	if k := slope(tolerances, errs); k < 0.8 || k > 1.5 {
		t.Errorf("%s: error against tolerance has log-log slope %.3f, want [0.8, 1.5]", name, k)
	} else {
		t.Logf("%s: log-log slope of error against tolerance %.3f", name, k)
	}
}

// TestAdaptiveAccuracy measures the global error against the tolerance on
// the harmonic oscillator over three periods (exact solution), on
// Lotka-Volterra (drift of its conserved quantity) and on Van der Pol with
// mu = 1 (against a solve at tolerance 1e-13 with the other method).
func TestAdaptiveAccuracy(t *testing.T) {
	for _, tb := range []*Tableau{Dopri5, Tsit5} {
		other := Tsit5
		if tb == Tsit5 {
			other = Dopri5
		}
		T := 6 * math.Pi
		vdpT := 5.0
		vdp0 := []float64{2, 0}
		ref, _ := solveTol(t, other, vanDerPol, 1e-13, 0, vdpT, vdp0)
		lv0 := []float64{1.5, 0.5}
		v0 := lotkaVolterraInvariant(lv0)
		var osc, lv, vdp []float64
		for _, tol := range tolerances {
			y, st := solveTol(t, tb, oscillator, tol, 0, T, []float64{1, 0})
			e1 := maxDiff(y, []float64{math.Cos(T), -math.Sin(T)})
			osc = append(osc, e1)
			y, _ = solveTol(t, tb, lotkaVolterra, tol, 0, 10, lv0)
			e2 := math.Abs(lotkaVolterraInvariant(y) - v0)
			lv = append(lv, e2)
			y, _ = solveTol(t, tb, vanDerPol, tol, 0, vdpT, vdp0)
			e3 := maxDiff(y, ref)
			vdp = append(vdp, e3)
			t.Logf("%s tol %.0e: oscillator %.2e (%d steps), Lotka-Volterra %.2e, Van der Pol %.2e", tb.Name, tol, e1, st.Accepted, e2, e3)
		}
		trackTolerance(t, tb.Name+" oscillator", osc)
		trackTolerance(t, tb.Name+" Lotka-Volterra", lv)
		trackTolerance(t, tb.Name+" Van der Pol", vdp)
	}
}

// TestForwardBackward integrates forward then backward in time and expects
// y0 back within the tolerance times the same factor as above, on problems
// whose flow neither contracts nor expands volumes strongly (the oscillator
// and Lotka-Volterra are periodic). Van der Pol is left out: its limit cycle
// attracts forwards and so repels backwards, amplifying the forward error
// by orders of magnitude on the way back.
func TestForwardBackward(t *testing.T) {
	for _, tb := range []*Tableau{Dopri5, Tsit5} {
		for _, tol := range []float64{1e-4, 1e-7, 1e-10} {
			for _, p := range []struct {
				name string
				sys  System
				y0   []float64
			}{{"oscillator", oscillator, []float64{1, 0}}, {"Lotka-Volterra", lotkaVolterra, []float64{1.5, 0.5}}} {
				y1, _ := solveTol(t, tb, p.sys, tol, 0, 5, p.y0)
				back, st := solveTol(t, tb, p.sys, tol, 5, 0, y1)
				e := maxDiff(back, p.y0)
				t.Logf("%s %s tol %.0e: |y0 - back| = %.2e (%d steps back)", tb.Name, p.name, tol, e, st.Accepted)
				if e > 1000*tol {
					t.Errorf("%s %s tol %.0e: returned %v, %.3g from y0", tb.Name, p.name, tol, back, e)
				}
			}
		}
	}
}
