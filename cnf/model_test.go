package cnf

import (
	"math"
	"testing"
)

func planarConfig(base string, k int) Config {
	cfg := Config{
		Shape:    []int{2},
		Dynamics: DynamicsConfig{Kind: HyperPlanar, Hidden: 8, Width: 6},
		Base:     BaseConfig{Kind: base},
		Trace:    TraceExact,
		Solver:   SolverConfig{Method: "rk4", Steps: 4},
	}
	if base == BaseGMM {
		for j := 0; j < k; j++ {
			cfg.Base.Means = append(cfg.Base.Means, []float64{float64(j) - 0.5, 0.3 * float64(j)})
		}
	}
	return cfg
}

// TestPlanarGradient checks the backprop gradient of the whole mean loss
// of HyperPlanar models against finite differences, for both bases, every
// trace estimator (noise held fixed by reseeding), the regularisers, a
// learnable base and several blocks.
func TestPlanarGradient(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
	}{
		{"gaussian-exact", func(c *Config) {}},
		{"gmm-exact", func(c *Config) {}},
		{"gaussian-rademacher", func(c *Config) { c.Trace = TraceRademacher }},
		{"gmm-gaussiannoise", func(c *Config) { c.Trace = TraceGaussian }},
		{"gmm-learnable", func(c *Config) {
			c.Base.Learnable = true
			c.Base.LogWeights = []float64{0.2, -0.1}
		}},
		{"gaussian-learnable-mean", func(c *Config) {
			c.Base.Learnable = true
			c.Base.Means = [][]float64{{0.1, -0.2}}
		}},
		{"gmm-regularised-exact", func(c *Config) { c.Regularize = RegularizeConfig{Kinetic: 0.3, Jacobian: 0.2} }},
		{"gmm-regularised-rademacher", func(c *Config) {
			c.Trace = TraceRademacher
			c.Regularize = RegularizeConfig{Kinetic: 0.3, Jacobian: 0.2}
		}},
		{"gmm-blocks", func(c *Config) { c.Blocks = 2 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := BaseGaussian
			if tc.name[:3] == "gmm" {
				base = BaseGMM
			}
			cfg := planarConfig(base, 2)
			tc.edit(&cfg)
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			x, labels := points(12, 2, 2, 3)
			checkGradFD(t, m, x, labels, 5, 2)
		})
	}
}

// TestSampleInverts draws class-conditional samples and maps them forward
// again: the result must be the base draw the samples came from. Forward
// and backward RK4 solves with h = 1/32 each err by about h^4 = 1e-6 times
// the size of f's higher derivatives along the path, which for these
// freshly initialised dynamics (|f| < 0.05) are below 1e-2: we assert 1e-8.
func TestSampleInverts(t *testing.T) {
	const n = 9
	for _, steps := range []int{32} {
		cfg := planarConfig(BaseGMM, 3)
		cfg.Solver.Steps = steps
		m, err := New(cfg, 4)
		if err != nil {
			t.Fatal(err)
		}
		z1 := make([]float64, n*2)
		m.base.sample(2, testRNG(6), z1)
		x := make([]float64, n*2)
		if err := m.Sample(n, 2, testRNG(6), x); err != nil {
			t.Fatal(err)
		}
		r, err := m.run(n, modeSample)
		if err != nil {
			t.Fatal(err)
		}
		z := append([]float64(nil), x...)
		if _, err := r.solvers[0].Solve(r.flows[0], 0, z, m.Config().Solver.T1, z); err != nil {
			t.Fatal(err)
		}
		var worst, moved float64
		for i := range z {
			worst = max(worst, math.Abs(z[i]-z1[i]))
			moved = max(moved, math.Abs(x[i]-z1[i]))
		}
		t.Logf("steps %d: round-trip error %.3g, distance moved %.3g", steps, worst, moved)
		if moved < 1e-3 {
			t.Fatalf("the flow barely moves the samples (%g): the test would prove nothing", moved)
		}
		if worst > 1e-8 {
			t.Errorf("steps %d: round-trip error %g, want below 1e-8", steps, worst)
		}
	}
}
