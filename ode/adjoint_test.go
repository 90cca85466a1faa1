package ode

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tight is the tolerance of the adaptive solves compared with the exact
// gradient of the flow.
const tight = 1e-12

// TestAdjointGradient checks every gradient method (the continuous
// adjoint, and backpropagation through an adaptive solve with a full tape
// and with recomputation) against central differences of the adaptive
// solve, all at tolerance 1e-12, and against each other. Each differs from
// the gradient of the exact flow by the global error of its own solve, a
// small multiple of the tolerance (the accuracy tests below measure the
// multiple: under 100 here). The differences also see the controller: a
// change of delta in the parameters may change a step size or an accept
// decision, shifting L by up to that error, ~1e-10, so with delta = 1e-4
// the difference quotient is off by ~1e-10/1e-4 = 1e-6 at worst plus
// truncation delta^2/6 times the third derivative of L, ~1e-8; 1e-6 is the bound required and the
// agreement is expected to be much better.
func TestAdjointGradient(t *testing.T) {
	cases := []gradCase{
		{"dopri5", Options{Method: Dopri5, RTol: tight, ATol: tight}, 0, []float64{1.5}},
		{"dopri5-outputs", Options{Method: Dopri5, RTol: tight, ATol: tight}, 0, []float64{0.3, 0.7, 1.5}},
		{"dopri5-backwards-interpolate", Options{Method: Dopri5, RTol: tight, ATol: tight, Interpolate: true}, 1, []float64{0.2, -0.5}},
		{"tsit5", Options{Method: Tsit5, RTol: tight, ATol: tight}, 0, []float64{0.6, 1.5}},
	}
	for seed, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			theta, y0, w := netProblem(uint64(100+seed), len(c.ts))
			grads := map[Gradient][]float64{}
			var ys [][]float64
			for _, method := range Gradients() {
				g := c
				g.opt.Gradient = method
				var st Stats
				ys, grads[method], st = solveGradient(t, g, theta, y0, w, false)
				t.Logf("%s: %+v", method.Name(), st)
			}
			s, err := NewSolver(netDim, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			fd := centralDiff(y0, theta, 1e-4, func(y0, theta []float64) float64 {
				if _, err := s.SolveAt(newTanhNet(netDim, theta), c.t0, y0, c.ts, ys); err != nil {
					t.Fatal(err)
				}
				return loss(w, ys)
			})
			for i, a := range Gradients() {
				r := relErr(grads[a], fd)
				t.Logf("%s against finite differences: relative error %.2e", a.Name(), r)
				if !(r <= 1e-6) {
					t.Errorf("%s against finite differences: relative error %.3g; want <= 1e-6", a.Name(), r)
				}
				for _, b := range Gradients()[i+1:] {
					if r := relErr(grads[a], grads[b]); !(r <= 1e-6) {
						t.Errorf("%s against %s: relative error %.3g; want <= 1e-6", a.Name(), b.Name(), r)
					}
				}
			}
		})
	}
}

// TestLinearAnalytic compares the gradients of L = c . y(T) for y' = A y
// by every method with the analytic ones: dL/dy0 = exp(A^T T) c and dL/dA = T times the
// upper right block of exp([[A^T T, c y0^T], [0, A^T T]]) (Van Loan 1978).
// The solves use tolerance 1e-12 and the error of each gradient is that of
// a linear solve with ||A|| T < 2, about the tolerance times a growth factor
// below exp(2) and the 1-100 by which the embedded estimate understates the
// local error, so 1e-8 holds with margin.
func TestLinearAnalytic(t *testing.T) {
	const d, T = 3, 1.0
	a := []float64{-0.4, 0.9, 0.1, -0.8, 0.2, 0.3, 0.05, -0.3, -0.6}
	y0 := []float64{1, -0.5, 0.25}
	c := []float64{0.3, 1, -0.7}

	at := mat.NewDense(d, d, nil)
	at.CloneFrom(mat.NewDense(d, d, a).T())
	at.Scale(T, at)
	var ey mat.Dense
	ey.Exp(at)
	var wantY0 mat.VecDense
	wantY0.MulVec(&ey, mat.NewVecDense(d, c))
	block := mat.NewDense(2*d, 2*d, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			block.Set(i, j, at.At(i, j))
			block.Set(d+i, d+j, at.At(i, j))
			block.Set(i, d+j, c[i]*y0[j])
		}
	}
	var eb mat.Dense
	eb.Exp(block)
	want := make([]float64, d+d*d)
	for i := 0; i < d; i++ {
		want[i] = wantY0.AtVec(i)
		for j := 0; j < d; j++ {
			want[d+i*d+j] = T * eb.At(i, d+j)
		}
	}

	for _, tb := range []*Tableau{Dopri5, Tsit5} {
		for _, method := range Gradients() {
			sys := &linear{d: d, a: a}
			s, err := NewSolver(d, Options{Method: tb, RTol: tight, ATol: tight, Gradient: method})
			if err != nil {
				t.Fatal(err)
			}
			y1 := make([]float64, d)
			if _, err := s.SolveRecord(sys, 0, y0, T, y1); err != nil {
				t.Fatal(err)
			}
			g := make([]float64, d+d*d)
			if _, err := s.Backward(sys, c, g[:d], g[d:]); err != nil {
				t.Fatal(err)
			}
			r := relErr(g, want)
			t.Logf("%s %s: relative error %.2e", tb.Name, method.Name(), r)
			if !(r <= 1e-8) {
				t.Errorf("%s %s: relative error %.3g against the analytic gradient; want <= 1e-8", tb.Name, method.Name(), r)
			}
		}
	}
}

// TestAdjointKeepsOutputs: the continuous adjoint starts from the state
// the recorded solve returned, not from the caller's buffer, which may have
// changed since.
func TestAdjointKeepsOutputs(t *testing.T) {
	theta, y0, w := netProblem(7, 2)
	ts := []float64{0.5, 1.2}
	gradient := func(clobber bool) []float64 {
		net := newTanhNet(netDim, theta)
		s, err := NewSolver(netDim, Options{Method: Dopri5, RTol: 1e-8, ATol: 1e-8, Gradient: ContinuousAdjoint})
		if err != nil {
			t.Fatal(err)
		}
		ys := outputs(len(ts))
		if _, err := s.SolveRecordAt(net, 0, y0, ts, ys); err != nil {
			t.Fatal(err)
		}
		if clobber {
			for _, y := range ys {
				for i := range y {
					y[i] = 1e3
				}
			}
		}
		g := make([]float64, netDim+len(theta))
		if _, err := s.BackwardAt(net, w, g[:netDim], g[netDim:]); err != nil {
			t.Fatal(err)
		}
		return g
	}
	want, got := gradient(false), gradient(true)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("gradient %d is %.17g after the outputs were overwritten, %.17g before", i, got[i], want[i])
		}
	}
}
