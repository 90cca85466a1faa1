package ode

import (
	"testing"
)

// vdpNet is Van der Pol (mu = 1) as a Differentiable system with the
// parameter mu, keeping (y, mu-term) per record.
type vdpNet struct {
	mu   float64
	recs [][2]float64
}

func (v *vdpNet) Dim() int       { return 2 }
func (v *vdpNet) NumParams() int { return 1 }
func (v *vdpNet) Reserve(n int) {
	if n > len(v.recs) {
		v.recs = append(v.recs, make([][2]float64, n-len(v.recs))...)
	}
}
func (v *vdpNet) Eval(t float64, y, dydt []float64, rec int) {
	dydt[0] = y[1]
	dydt[1] = v.mu*(1-y[0]*y[0])*y[1] - y[0]
	if rec >= 0 {
		v.recs[rec] = [2]float64{y[0], y[1]}
	}
}
func (v *vdpNet) VJP(rec int, a, ay, gtheta []float64) {
	y := v.recs[rec]
	ay[0] = a[1] * (-2*v.mu*y[0]*y[1] - 1)
	ay[1] = a[0] + a[1]*v.mu*(1-y[0]*y[0])
	gtheta[0] += a[1] * (1 - y[0]*y[0]) * y[1]
}

var benchY0 = []float64{2, 0}

// TestNoAllocations: once a solver and system have grown their buffers, a
// solve, a recorded solve with its reverse pass, and the adjoint allocate
// nothing.
func TestNoAllocations(t *testing.T) {
	sys := &vdpNet{mu: 1}
	y := make([]float64, 2)
	g := make([]float64, 2)
	gt := make([]float64, 1)
	for _, opt := range []Options{
		{Method: RK4, Steps: 50},
		{Method: Dopri5, RTol: 1e-8, ATol: 1e-8},
		{Method: Tsit5, RTol: 1e-8, ATol: 1e-8, Interpolate: true},
		{Method: Dopri5, RTol: 1e-8, ATol: 1e-8, Gradient: BackpropRecompute},
	} {
		s, err := NewSolver(2, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Gradient = ContinuousAdjoint
		a, err := NewSolver(2, opt)
		if err != nil {
			t.Fatal(err)
		}
		run := func() {
			if _, err := s.Solve(sys, 0, benchY0, 5, y); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SolveRecord(sys, 0, benchY0, 5, y); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Backward(sys, y, g, gt); err != nil {
				t.Fatal(err)
			}
			if _, err := a.SolveRecord(sys, 0, benchY0, 5, y); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Backward(sys, y, g, gt); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if n := testing.AllocsPerRun(5, run); n != 0 {
			t.Errorf("%+v: %.1f allocations per solve, backward and adjoint, want 0", opt, n)
		}
	}
}

// BenchmarkEval is the cost of one evaluation of f, the unit against which
// the solver's overhead is judged.
func BenchmarkEval(b *testing.B) {
	sys := &vdpNet{mu: 1}
	y := []float64{2, 0}
	dy := make([]float64, 2)
	var s System = sys
	b.ReportAllocs()
	for b.Loop() {
		s.Eval(0, y, dy, -1)
		y[0] += 1e-300 * dy[0]
	}
}

// BenchmarkFixed times 100 fixed steps of each method on Van der Pol.
func BenchmarkFixed(b *testing.B) {
	for _, tb := range []*Tableau{Euler, RK4, RK38, Dopri5, Tsit5} {
		b.Run(tb.Name, func(b *testing.B) {
			benchSolve(b, Options{Method: tb, Steps: 100})
		})
	}
}

// BenchmarkAdaptive times adaptive solves of Van der Pol at tolerance 1e-8.
func BenchmarkAdaptive(b *testing.B) {
	for _, tb := range []*Tableau{Dopri5, Tsit5} {
		b.Run(tb.Name, func(b *testing.B) {
			benchSolve(b, Options{Method: tb, RTol: 1e-8, ATol: 1e-8})
		})
	}
}

func benchSolve(b *testing.B, opt Options) {
	sys := &vdpNet{mu: 1}
	s, err := NewSolver(2, opt)
	if err != nil {
		b.Fatal(err)
	}
	y := make([]float64, 2)
	var st Stats
	b.ReportAllocs()
	for b.Loop() {
		st, err = s.Solve(sys, 0, benchY0, 5, y)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(st.Accepted+st.Rejected)), "ns/step")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*st.NFE), "ns/eval")
}

// BenchmarkGradient times a recorded dopri5 solve with Backward, and the
// adjoint, on Van der Pol at tolerance 1e-8.
func BenchmarkGradient(b *testing.B) {
	sys := &vdpNet{mu: 1}
	s, err := NewSolver(2, Options{Method: Dopri5, RTol: 1e-8, ATol: 1e-8})
	if err != nil {
		b.Fatal(err)
	}
	y := make([]float64, 2)
	g := make([]float64, 2)
	gt := make([]float64, 1)
	b.Run("backprop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.SolveRecord(sys, 0, benchY0, 5, y); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Backward(sys, y, g, gt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("adjoint", func(b *testing.B) {
		a, err := NewSolver(2, Options{Method: Dopri5, RTol: 1e-8, ATol: 1e-8, Gradient: ContinuousAdjoint})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.SolveRecord(sys, 0, benchY0, 5, y); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Backward(sys, y, g, gt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
