package recipe

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
)

// baseOnlyGMM is a 2-D flow with zero dynamics and a GMM base of the given
// means, whose samples are draws of its base and whose log-densities have
// closed forms.
func baseOnlyGMM(t *testing.T, means [][]float64) *cnf.Model {
	t.Helper()
	m, err := cnf.New(cnf.Config{
		Shape:    []int{2},
		Dynamics: cnf.DynamicsConfig{Kind: cnf.HyperPlanar, Hidden: 4, Width: 3},
		Base:     cnf.BaseConfig{Kind: cnf.BaseGMM, Means: means},
		Solver:   cnf.SolverConfig{Method: "rk4", Steps: 2},
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.BaseOnly()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSampleByComponent draws from each component of a base-only flow: the
// k-th set's mean must be component k's mean, within 5 standard errors of
// unit-variance draws.
func TestSampleByComponent(t *testing.T) {
	means := [][]float64{{-3, 1}, {4, -2}, {0, 5}}
	const n = 2000
	x, err := SampleByComponent(baseOnlyGMM(t, means), n, 300, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != len(means) {
		t.Fatalf("%d sets of samples for %d components", len(x), len(means))
	}
	for k, mu := range means {
		if len(x[k]) != 2*n {
			t.Fatalf("component %d: %d values, want %d", k, len(x[k]), 2*n)
		}
		for j := range 2 {
			var s float64
			for i := range n {
				s += x[k][2*i+j]
			}
			if got := s / n; math.Abs(got-mu[j]) > 5/math.Sqrt(n) {
				t.Errorf("component %d, coordinate %d: mean %.3f, want %.3f", k, j, got, mu[j])
			}
		}
	}
	if _, err := SampleByComponent(baseOnlyGMM(t, means), 0, 10, 1); err == nil {
		t.Error("0 samples accepted")
	}
}

// TestLogDensityGrid evaluates a base-only flow on a 3 x 4 grid: every
// point must hold the closed-form log-density of the mixture, or of one
// component, at its coordinates, the rows running along y.
func TestLogDensityGrid(t *testing.T) {
	means := [][]float64{{-1, 0.5}, {2, -1}}
	m := baseOnlyGMM(t, means)
	rng := rand.New(rand.NewPCG(1, 2))
	logN := func(x, y float64, mu []float64) float64 {
		dx, dy := x-mu[0], y-mu[1]
		return -(dx*dx+dy*dy)/2 - math.Log(2*math.Pi)
	}
	for c := -1; c < 2; c++ {
		xs, ys, logp, err := LogDensityGrid(m, c, -2, 4, -3, 3, 3, 4, 5, rng)
		if err != nil {
			t.Fatal(err)
		}
		if len(xs) != 3 || len(ys) != 4 || xs[1] != 1 || ys[3] != 3 || len(logp) != 4 {
			t.Fatalf("grid x %v, y %v, %d rows", xs, ys, len(logp))
		}
		for i, y := range ys {
			for j, x := range xs {
				var want float64
				if c < 0 {
					want = math.Log(0.5*math.Exp(logN(x, y, means[0])) + 0.5*math.Exp(logN(x, y, means[1])))
				} else {
					want = logN(x, y, means[c])
				}
				if got := logp[i][j]; math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Errorf("component %d at (%g, %g): %.15g, want %.15g", c, x, y, got, want)
				}
			}
		}
	}
	if _, _, _, err := LogDensityGrid(m, -1, 1, 1, 0, 1, 3, 3, 5, rng); err == nil {
		t.Error("an empty x range accepted")
	}
}
