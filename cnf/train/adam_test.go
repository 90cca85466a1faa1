package train

import (
	"math"
	"testing"
)

// TestAdamFirstSteps checks Adam against values worked out by hand. With
// bias correction, step 1 moves every parameter by exactly lr*g/(|g|+eps')
// where eps' = eps (the corrected moments are g and g^2); step 2 with
// gradients g1, g2 uses m-hat = (b1 g1 (1-b1) + (1-b1) g2)/(1-b1^2) and the
// same for v. The formulas are evaluated here independently of Step's loop.
func TestAdamFirstSteps(t *testing.T) {
	cfg := DefaultAdam()
	a := NewAdam(cfg, 2)
	p := []float64{1, -2}
	g1 := []float64{0.5, -4}
	a.Step(1, p, append([]float64(nil), g1...))
	for i, want := range []float64{1 - 1e-3*0.5/(0.5+1e-8), -2 - 1e-3*(-4)/(4+1e-8)} {
		// The bias corrections 1-b^1 are inexact in binary and round the
		// moments by a few ulps; the step is 1e-3 of the parameter, so the
		// parameter differs by far less than 1e-15 (about 4 of its ulps).
		if math.Abs(p[i]-want) > 1e-15 {
			t.Errorf("step 1: p[%d] = %.17g, want %.17g", i, p[i], want)
		}
	}
	g2 := []float64{-1, 2}
	p1 := append([]float64(nil), p...)
	a.Step(2, p, append([]float64(nil), g2...))
	b1, b2 := cfg.Beta1, cfg.Beta2
	for i := range p {
		m := (b1*(1-b1)*g1[i] + (1-b1)*g2[i]) / (1 - b1*b1)
		v := (b2*(1-b2)*g1[i]*g1[i] + (1-b2)*g2[i]*g2[i]) / (1 - b2*b2)
		want := p1[i] - 1e-3*m/(math.Sqrt(v)+1e-8)
		// Both sides round a handful of operations on values of order 1:
		// a few ulps of the parameter.
		if math.Abs(p[i]-want) > 8*math.Abs(want)*0x1p-52 {
			t.Errorf("step 2: p[%d] = %.17g, want %.17g", i, p[i], want)
		}
	}
}

// TestAdamWarmupAndDecay checks the warm-up and annealing schedules and
// both kinds of weight decay on a zero gradient, where the answers are exact.
func TestAdamWarmupAndDecay(t *testing.T) {
	cfg := DefaultAdam()
	cfg.Warmup = 4
	a := NewAdam(cfg, 1)
	for it, want := range map[int]float64{1: 0.25e-3, 2: 0.5e-3, 4: 1e-3, 9: 1e-3} {
		if got := a.LearningRate(it); got != want {
			t.Errorf("warm-up: lr(%d) = %v, want %v", it, got, want)
		}
	}

	// Annealing over 4 iterations after no warm-up: the factors
	// (1 + cos(pi k/4))/2 for k = 0..4, then 0.
	cfg = DefaultAdam()
	cfg.Anneal = 4
	a = NewAdam(cfg, 1)
	for it, f := range map[int]float64{1: 1, 2: (2 + math.Sqrt2) / 4, 3: 0.5, 4: (2 - math.Sqrt2) / 4, 5: 0, 9: 0} {
		if got, want := a.LearningRate(it), 1e-3*f; math.Abs(got-want) > 1e-18 {
			t.Errorf("annealing: lr(%d) = %v, want %v", it, got, want)
		}
	}
	cfg.Warmup = 2
	a = NewAdam(cfg, 1)
	if got, want := a.LearningRate(1), 0.5e-3*1; got != want {
		t.Errorf("warm-up with annealing: lr(1) = %v, want %v", got, want)
	}
	if cfg.Anneal = -1; cfg.Validate() == nil {
		t.Error("negative annealing length accepted")
	}

	cfg = DefaultAdam()
	cfg.WeightDecay = 0.1
	a = NewAdam(cfg, 1)
	p := []float64{2}
	a.Step(1, p, []float64{0})
	if want := 2 * (1 - 1e-3*0.1); p[0] != want {
		t.Errorf("decoupled decay: p = %.17g, want %.17g", p[0], want)
	}

	cfg.DecayMode = DecayL2
	a = NewAdam(cfg, 1)
	p = []float64{2}
	a.Step(1, p, []float64{0})
	// The gradient becomes wd*p = 0.2 and step 1 moves by lr*g/(|g|+eps).
	if want := 2 - 1e-3*0.2/(0.2+1e-8); math.Abs(p[0]-want) > 4*0x1p-52 {
		t.Errorf("L2 decay: p = %.17g, want %.17g", p[0], want)
	}
}

func TestAdamValidate(t *testing.T) {
	bad := []func(*AdamConfig){
		func(c *AdamConfig) { c.LR = 0 },
		func(c *AdamConfig) { c.LR = math.Inf(1) },
		func(c *AdamConfig) { c.Beta1 = 1 },
		func(c *AdamConfig) { c.Beta2 = -0.1 },
		func(c *AdamConfig) { c.Eps = 0 },
		func(c *AdamConfig) { c.Warmup = -1 },
		func(c *AdamConfig) { c.WeightDecay = math.NaN() },
		func(c *AdamConfig) { c.DecayMode = "both" },
	}
	for i, f := range bad {
		c := DefaultAdam()
		f(&c)
		if c.Validate() == nil {
			t.Errorf("case %d: %+v accepted", i, c)
		}
	}
	if err := DefaultAdam().Validate(); err != nil {
		t.Errorf("default rejected: %v", err)
	}
}

func TestClipNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := ClipNorm(g, 10); n != 5 || g[0] != 3 || g[1] != 4 {
		t.Errorf("below the limit: norm %v, g %v; want 5 and g unchanged", n, g)
	}
	if n := ClipNorm(g, 1); n != 5 {
		t.Errorf("norm before clipping = %v, want 5", n)
	}
	// g = (3,4) * (1/5): the norm of the result is 1 up to the rounding of
	// two products and a square root.
	if n := GradNorm(g); math.Abs(n-1) > 4*0x1p-52 {
		t.Errorf("norm after clipping = %.17g, want 1", n)
	}
	g = []float64{3, 4}
	ClipNorm(g, 0)
	if g[0] != 3 || g[1] != 4 {
		t.Errorf("maxNorm 0 changed g to %v", g)
	}
}
