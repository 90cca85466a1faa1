package cnf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// twoComponentConfig is a small 2-D flow with a GMM base of two
// components.
func twoComponentConfig() Config {
	return Config{
		Shape:    []int{2},
		Dynamics: DynamicsConfig{Kind: HyperPlanar, Hidden: 4, Width: 3},
		Base:     BaseConfig{Kind: BaseGMM, Means: [][]float64{{-1, 0.5}, {2, -1}}},
	}
}

// TestBaseOnlyScoresByTheBase checks that the base-only copy of a flow
// gives the closed-form log-density of an equal-weight mixture of two
// unit-covariance Gaussians in 2-D: log(0.5 sum_k exp(-|x-mu_k|^2/2)) -
// log(2 pi). With f = 0 the solve is exact, so only rounding separates the
// two: 1e-12 relative is far above it and far below any real difference.
func TestBaseOnlyScoresByTheBase(t *testing.T) {
	cfg := twoComponentConfig()
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.BaseOnly()
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0, 0, 1.5, -2, -3, 4}
	logp, _, err := b.LogLikelihoods(x, 2, rand.New(rand.NewPCG(1, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		var s float64
		for _, mu := range cfg.Base.Means {
			dx, dy := x[2*i]-mu[0], x[2*i+1]-mu[1]
			s += 0.5 * math.Exp(-(dx*dx+dy*dy)/2)
		}
		want := math.Log(s) - math.Log(2*math.Pi)
		if math.Abs(logp[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("point %d: log p = %.15g, want %.15g", i, logp[i], want)
		}
	}
	cfg.Base.Learnable = true
	if m, err = New(cfg, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := m.BaseOnly(); err == nil {
		t.Error("base-only copy of a learnable base accepted")
	}
}

// TestComponentLogLikelihoods checks the density under one base
// component: with f = 0 it is the closed-form log N(x; mu_k, I); for a
// trained-looking flow with a learnable base of unequal weights, the
// mixture's log p(x) is log sum_k w_k p(x | k). The trace is exact and
// 2-D points have no noise, so the solves are the same and only rounding
// separates the two sides (1e-12 relative).
func TestComponentLogLikelihoods(t *testing.T) {
	cfg := twoComponentConfig()
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.BaseOnly()
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0, 0, 1.5, -2, -3, 4}
	rng := rand.New(rand.NewPCG(1, 1))
	for k, mu := range cfg.Base.Means {
		logp, _, err := b.ComponentLogLikelihoods(x, k, 2, rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			dx, dy := x[2*i]-mu[0], x[2*i+1]-mu[1]
			want := -(dx*dx+dy*dy)/2 - math.Log(2*math.Pi)
			if math.Abs(logp[i]-want) > 1e-12*math.Abs(want) {
				t.Errorf("component %d, point %d: log p = %.15g, want %.15g", k, i, logp[i], want)
			}
		}
	}
	cfg.Base.Learnable = true
	if m, err = New(cfg, 3); err != nil {
		t.Fatal(err)
	}
	p := m.Params()
	logits := []float64{0.3, -1.2}
	copy(p[len(p)-2:], logits)
	mix, _, err := m.LogLikelihoods(x, 3, rng, nil)
	if err != nil {
		t.Fatal(err)
	}
	var byComponent [2][]float64
	for k := range byComponent {
		if byComponent[k], _, err = m.ComponentLogLikelihoods(x, k, 3, rng, nil); err != nil {
			t.Fatal(err)
		}
	}
	lse := math.Log(math.Exp(logits[0]) + math.Exp(logits[1]))
	for i := range 3 {
		want := math.Log(math.Exp(logits[0]-lse+byComponent[0][i]) + math.Exp(logits[1]-lse+byComponent[1][i]))
		if math.Abs(mix[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("point %d: mixture log p = %.15g, sum over components %.15g", i, mix[i], want)
		}
	}
	for _, k := range []int{-1, 2} {
		if _, _, err := m.ComponentLogLikelihoods(x, k, 3, rng, nil); err == nil {
			t.Errorf("component %d of 2 accepted", k)
		}
	}
}
