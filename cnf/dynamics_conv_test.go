package cnf

import (
	"math"
	"testing"
)

func mlpConfig(base string) Config {
	cfg := Config{
		Shape:    []int{3},
		Dynamics: DynamicsConfig{Kind: ConcatMLP, Dims: []int{5, 4}},
		Base:     BaseConfig{Kind: base},
		Trace:    TraceExact,
		Solver:   SolverConfig{Method: "rk4", Steps: 3},
	}
	if base == BaseGMM {
		cfg.Base.Means = [][]float64{{-0.5, 0.2, 0.1}, {0.5, -0.3, 0.4}}
	}
	return cfg
}

func convConfig(base string) Config {
	cfg := Config{
		Shape:      []int{1, 4, 3},
		Dynamics:   DynamicsConfig{Kind: ConcatConv, Dims: []int{3, 2}},
		Base:       BaseConfig{Kind: base},
		Trace:      TraceRademacher,
		Solver:     SolverConfig{Method: "rk4", Steps: 2},
		Preprocess: PreprocessConfig{Dequantize: true, Logit: true, Alpha: 0.05},
	}
	if base == BaseGMM {
		for j := 0; j < 2; j++ {
			mean := make([]float64, 12)
			for i := range mean {
				mean[i] = 0.3 * float64(j) * math.Sin(float64(i))
			}
			cfg.Base.Means = append(cfg.Base.Means, mean)
		}
	}
	return cfg
}

// pixels returns n random 8-bit images of d pixels and labels in 0..1.
func pixels(n, d int, seed uint64) ([]float64, []int) {
	rng := testRNG(seed)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(rng.IntN(256))
	}
	labels := make([]int, n)
	for s := range labels {
		labels[s] = s % 2
	}
	return x, labels
}

// TestConcatGradient checks the backprop gradient of the whole mean loss
// of ConcatMLP and ConcatConv models against finite differences, for both
// bases, every trace estimator, weight normalisation, both activations and
// the regularisers (see checkGradFD for the tolerance).
func TestConcatGradient(t *testing.T) {
	cases := []struct {
		name string
		cfg  func() Config
	}{
		{"mlp-gaussian-exact", func() Config { return mlpConfig(BaseGaussian) }},
		{"mlp-gmm-rademacher-tanh", func() Config {
			c := mlpConfig(BaseGMM)
			c.Trace, c.Dynamics.Activation = TraceRademacher, "tanh"
			return c
		}},
		{"mlp-gmm-gaussiannoise-weightnorm-regularised", func() Config {
			c := mlpConfig(BaseGMM)
			c.Trace, c.Dynamics.WeightNorm = TraceGaussian, true
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
		{"mlp-gmm-exact-regularised-blocks", func() Config {
			c := mlpConfig(BaseGMM)
			c.Blocks = 2
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
		{"conv-gaussian-rademacher", func() Config { return convConfig(BaseGaussian) }},
		{"conv-gmm-gaussiannoise-weightnorm", func() Config {
			c := convConfig(BaseGMM)
			c.Trace, c.Dynamics.WeightNorm = TraceGaussian, true
			return c
		}},
		{"conv-gmm-exact-regularised", func() Config {
			c := convConfig(BaseGMM)
			c.Trace = TraceExact
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			var x []float64
			var labels []int
			if cfg.Dynamics.Kind == ConcatConv {
				x, labels = pixels(5, m.D(), 2)
			} else {
				x, labels = points(7, m.D(), 2, 2)
			}
			checkGradFD(t, m, x, labels, 9, 2)
		})
	}
}
