package cnf

import "testing"

// BenchmarkPlanar2D times the loss and gradient of the planar2d workload:
// HyperPlanar (H 32, W 64), batch 512, exact trace, base N(0, I), RK4 with
// 8 steps, backprop through the solver.
func BenchmarkPlanar2D(b *testing.B) {
	cfg := Config{
		Shape:    []int{2},
		Dynamics: DynamicsConfig{Kind: HyperPlanar},
		Trace:    TraceExact,
		Solver:   SolverConfig{Method: "rk4", Steps: 8},
	}
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	x, _ := points(512, 2, 2, 1)
	g := make([]float64, len(m.Params()))
	rng := testRNG(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.LossGrad(x, nil, rng, g); err != nil {
			b.Fatal(err)
		}
	}
}
