package cnf

import (
	"math"
	"testing"

	"github.com/mmcnf/mmcnf/ode"
)

// TestAdjointMatchesBackprop compares the continuous adjoint's gradient
// with backpropagation through the solver, both with dopri5 at
// rtol = atol = 1e-10. Each approximates the gradient of the exact flow's
// loss with an error of the order of the tolerance times the problem's
// scale, so they agree to about 1e-8 relative; we assert 1e-6 in the
// 2-norm of the difference.
func TestAdjointMatchesBackprop(t *testing.T) {
	cases := map[string]Config{"planar": planarConfig(BaseGMM, 2), "mlp": mlpConfig(BaseGMM)}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			cfg.Trace = TraceRademacher
			cfg.Regularize = RegularizeConfig{Kinetic: 0.1}
			cfg.Solver = SolverConfig{Method: "dopri5", RTol: 1e-10, ATol: 1e-10}
			var grads [2][]float64
			for i, method := range []string{ode.Backprop.Name(), ode.ContinuousAdjoint.Name()} {
				cfg.Solver.Gradient = method
				m, err := New(cfg, 5)
				if err != nil {
					t.Fatal(err)
				}
				x, labels := points(9, m.D(), 2, 1)
				grads[i] = make([]float64, len(m.Params()))
				st, err := m.LossGrad(x, labels, testRNG(2), grads[i])
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: loss %.12g, NFE forward %d, backward %d, VJP %d", method, st.Loss, st.NFEForward, st.NFEBackward, st.VJPBackward)
			}
			var diff, norm float64
			for i := range grads[0] {
				diff += (grads[0][i] - grads[1][i]) * (grads[0][i] - grads[1][i])
				norm += grads[0][i] * grads[0][i]
			}
			rel := math.Sqrt(diff / norm)
			t.Logf("relative difference %.3g", rel)
			if !(rel < 1e-6) {
				t.Errorf("adjoint and backprop gradients differ by %.3g relative", rel)
			}
		})
	}
}
