package cnf

import (
	"math"
	"slices"
	"testing"
)

// TestDeterministic checks that two models built with the same seed give
// bit-identical losses and gradients, run after run.
func TestDeterministic(t *testing.T) {
	cfg := planarConfig(BaseGMM, 2)
	cfg.Trace = TraceRademacher
	cfg.Regularize.Kinetic = 0.1
	x, labels := points(37, 2, 2, 4)
	var grads [][]float64
	var losses []float64
	for run := 0; run < 2; run++ {
		m, err := New(cfg, 11)
		if err != nil {
			t.Fatal(err)
		}
		rng := testRNG(3)
		for it := 0; it < 2; it++ {
			g := make([]float64, len(m.Params()))
			st, err := m.LossGrad(x, labels, rng, g)
			if err != nil {
				t.Fatal(err)
			}
			grads = append(grads, g)
			losses = append(losses, st.Loss)
		}
	}
	for it := 0; it < 2; it++ {
		if losses[it] != losses[2+it] || !slices.Equal(grads[it], grads[2+it]) {
			t.Errorf("iteration %d: runs differ (loss %v vs %v)", it, losses[it], losses[2+it])
		}
	}
}

// TestNoAllocs checks that, once built, function evaluations and
// vector-Jacobian products of a flow (with every integral and the
// Hutchinson probes) allocate nothing, and that the model's own work in a
// training step allocates nothing beyond what the solver does.
func TestNoAllocs(t *testing.T) {
	cfg := planarConfig(BaseGMM, 2)
	cfg.Trace = TraceRademacher
	cfg.Regularize = RegularizeConfig{Kinetic: 0.1, Jacobian: 0.1}
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	x, labels := points(n, 2, 2, 4)
	g := make([]float64, len(m.Params()))
	rng := testRNG(1)
	if _, err := m.LossGrad(x, labels, rng, g); err != nil {
		t.Fatal(err)
	}
	r := m.runs[runKey{n, modeTrain}]
	fl := r.flows[0]
	y := append([]float64(nil), r.ys[0]...)
	dy := make([]float64, fl.Dim())
	a := make([]float64, fl.Dim())
	for i := range a {
		a[i] = 0.01 * float64(i%5)
	}
	ay := make([]float64, fl.Dim())
	gtheta := make([]float64, fl.NumParams())
	if allocs := testing.AllocsPerRun(10, func() {
		fl.Eval(0.2, y, dy, 3)
		fl.VJP(3, a, ay, gtheta)
	}); allocs != 0 {
		t.Errorf("Eval and VJP allocate %v times", allocs)
	}
	// A solve's own allocations, measured on the solver alone.
	y1 := make([]float64, fl.Dim())
	solver := testing.AllocsPerRun(5, func() {
		if _, err := r.solvers[0].SolveRecord(fl, 0, y, 1, y1); err != nil {
			t.Fatal(err)
		}
		if _, err := r.solvers[0].Backward(fl, a, ay, gtheta); err != nil {
			t.Fatal(err)
		}
	})
	step := testing.AllocsPerRun(5, func() {
		if _, err := m.LossGrad(x, labels, rng, g); err != nil {
			t.Fatal(err)
		}
	})
	if step > solver {
		t.Errorf("LossGrad allocates %v times per call, the solver alone %v", step, solver)
	}
}

// TestHutchinsonMean compares, per sample, the mean of many Hutchinson
// estimates v^T J v (and |J v|^2) with the exact trace (and |J|_F^2). Each
// estimate is a mean of N independent draws, so its error is within
// 5 standard errors (sample standard deviation / sqrt(N)) except with
// probability below 1e-6; the test is deterministic for its seed.
func TestHutchinsonMean(t *testing.T) {
	const n, draws = 5, 4000
	for _, noise := range []string{TraceRademacher, TraceGaussian} {
		t.Run(noise, func(t *testing.T) {
			m, err := New(planarConfig(BaseGaussian, 1), 2)
			if err != nil {
				t.Fatal(err)
			}
			x, _ := points(n, 2, 1, 5)
			dyn := m.newDynamics("")
			exact := newFlow(dyn, m.theta, n, 0, 1, true, false, true)
			y := make([]float64, exact.Dim())
			copy(y, x)
			dy := make([]float64, exact.Dim())
			exact.Eval(0.3, y, dy, -1)
			tr, frob := dy[exact.offTrace:exact.offTrace+n], dy[exact.offJacob:exact.offJacob+n]

			hut := newFlow(m.newDynamics(""), m.theta, n, 1, 1, true, false, true)
			yh := make([]float64, hut.Dim())
			copy(yh, x)
			dh := make([]float64, hut.Dim())
			rng := testRNG(8)
			sum, sum2 := make([]float64, 2*n), make([]float64, 2*n)
			for range draws {
				drawProbes(noise, rng, hut.probe, 1, 2)
				hut.Eval(0.3, yh, dh, -1)
				for s := 0; s < n; s++ {
					for j, v := range []float64{dh[hut.offTrace+s], dh[hut.offJacob+s]} {
						sum[j*n+s] += v
						sum2[j*n+s] += v * v
					}
				}
			}
			for j, want := range [][]float64{tr, frob} {
				for s := 0; s < n; s++ {
					mean := sum[j*n+s] / draws
					sd := math.Sqrt(max(0, sum2[j*n+s]/draws-mean*mean))
					bound := 5 * sd / math.Sqrt(draws)
					if math.Abs(mean-want[s]) > bound {
						t.Errorf("quantity %d sample %d: Hutchinson mean %v, exact %v, bound %v", j, s, mean, want[s], bound)
					}
				}
			}
		})
	}
}
