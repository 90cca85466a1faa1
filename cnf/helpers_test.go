package cnf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testRNG returns a deterministic generator for a test.
func testRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

// points returns n random 2-D points and labels in 0..k-1 spread around k
// centres.
func points(n, d, k int, seed uint64) ([]float64, []int) {
	rng := testRNG(seed)
	x := make([]float64, n*d)
	labels := make([]int, n)
	for s := range labels {
		labels[s] = s % k
		for i := 0; i < d; i++ {
			x[s*d+i] = float64(labels[s]) - 0.5*float64(k-1) + 0.5*rng.NormFloat64()
		}
	}
	return x, labels
}

// lossAt evaluates the loss of m at parameters theta with the rng seeded
// by seed (so that every evaluation sees the same noise).
func lossAt(t *testing.T, m *Model, theta []float64, x []float64, labels []int, seed uint64) float64 {
	t.Helper()
	saved := append([]float64(nil), m.theta...)
	copy(m.theta, theta)
	defer copy(m.theta, saved)
	grad := make([]float64, len(m.theta))
	st, err := m.LossGrad(x, labels, testRNG(seed), grad)
	if err != nil {
		t.Fatal(err)
	}
	return st.Loss
}

// checkGradFD compares the gradient of m's loss with fourth-order central
// differences along dirs random unit directions in parameter space,
//
//	g.v ~ (-L(+2h) + 8 L(+h) - 8 L(-h) + L(-2h)) / (12 h).
//
// The truncation error is h^4 |L^(5)|/30 ~ 1e-13 for h = 1e-3 and
// derivatives of order one; the rounding error is about
// (18/12) delta |L| / h, where delta ~ 1e-14 is the relative rounding error
// of one loss evaluation (thousands of operations), so about 1e-10 for
// |L| ~ 5. Against |g.v| of order 0.1 both are below 1e-8 relative; we
// assert 1e-7.
func checkGradFD(t *testing.T, m *Model, x []float64, labels []int, seed uint64, dirs int) {
	t.Helper()
	grad := make([]float64, len(m.theta))
	if _, err := m.LossGrad(x, labels, testRNG(seed), grad); err != nil {
		t.Fatal(err)
	}
	theta0 := append([]float64(nil), m.theta...)
	rng := testRNG(seed + 1000)
	const h = 1e-3
	for dir := 0; dir < dirs; dir++ {
		v := make([]float64, len(theta0))
		var norm float64
		for i := range v {
			v[i] = rng.NormFloat64()
			norm += v[i] * v[i]
		}
		var gv float64
		for i := range v {
			v[i] /= math.Sqrt(norm)
			gv += grad[i] * v[i]
		}
		at := func(step float64) float64 {
			th := make([]float64, len(theta0))
			for i := range th {
				th[i] = theta0[i] + step*v[i]
			}
			return lossAt(t, m, th, x, labels, seed)
		}
		fd := (-at(2*h) + 8*at(h) - 8*at(-h) + at(-2*h)) / (12 * h)
		rel := math.Abs(fd-gv) / math.Abs(fd)
		t.Logf("direction %d: gradient %.15g, differences %.15g, relative %.2g", dir, gv, fd, rel)
		if !(rel < 1e-7) {
			t.Errorf("direction %d: gradient . v = %.15g, finite differences %.15g (relative %.3g)", dir, gv, fd, rel)
		}
	}
}
