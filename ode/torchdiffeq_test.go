package ode

import (
	"math"
	"testing"
)

// TestTorchdiffeqCrossCheck compares with torchdiffeq 0.2.5's dopri5 on
// y' = -y, y(0) = 1, t from 0 to 1, rtol = atol = 1e-6, which makes 32
// function evaluations (f(t0, y0), one more for the initial step, then 6 per
// step for 5 accepted steps) and returns 0.3678793177438326. torchdiffeq
// steps past t1 and interpolates, which is what Interpolate does. The
// tolerance 1e-13 allows for a different order of the same floating-point
// sums over about 30 operations.
func TestTorchdiffeqCrossCheck(t *testing.T) {
	s, err := NewSolver(1, Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-6, Interpolate: true})
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{1}
	st, err := s.Solve(decay, 0, y, 1, y)
	if err != nil {
		t.Fatal(err)
	}
	const want = 0.3678793177438326
	if st.NFE != 32 || st.Accepted != 5 || st.Rejected != 0 {
		t.Errorf("stats %+v, want 32 evaluations, 5 accepted and 0 rejected steps", st)
	}
	if rel := math.Abs(y[0]-want) / want; rel > 1e-13 {
		t.Errorf("y(1) = %.17g, want %.17g (relative error %.3g)", y[0], want, rel)
	}
}

// TestClippedLastStep: without Interpolate the same controller takes the
// same first four steps and shortens the fifth to land on t1, so the count
// is unchanged and the result is within the tolerance of exp(-1).
func TestClippedLastStep(t *testing.T) {
	s, err := NewSolver(1, Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{1}
	st, err := s.Solve(decay, 0, y, 1, y)
	if err != nil {
		t.Fatal(err)
	}
	if st.NFE != 32 || st.Accepted != 5 {
		t.Errorf("stats %+v, want 32 evaluations and 5 accepted steps", st)
	}
	if e := math.Abs(y[0] - math.Exp(-1)); e > 1e-6 {
		t.Errorf("y(1) = %.17g, error %.3g > 1e-6", y[0], e)
	}
}
