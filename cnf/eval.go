package cnf

import (
	"fmt"
	"math/rand/v2"
)

// LogLikelihoods returns log p(x) of every point of x (row by row), scored
// in chunks of at most batch points (all at once when batch <= 0), reusing
// buf when it is large enough, and the total number of function
// evaluations. The chunks draw their noise from rng in turn.
func (m *Model) LogLikelihoods(x []float64, batch int, rng *rand.Rand, buf []float64) ([]float64, int, error) {
	return m.logLikelihoods(x, -1, batch, rng, buf)
}

// ComponentLogLikelihoods is LogLikelihoods under base component k alone
// (see ComponentLogLikelihood).
func (m *Model) ComponentLogLikelihoods(x []float64, k, batch int, rng *rand.Rand, buf []float64) ([]float64, int, error) {
	if k < 0 || k >= m.base.k {
		return nil, 0, fmt.Errorf("cnf: component %d is outside the base's components 0..%d", k, m.base.k-1)
	}
	return m.logLikelihoods(x, k, batch, rng, buf)
}

// logLikelihoods scores x in chunks under the whole base (k = -1) or
// component k.
func (m *Model) logLikelihoods(x []float64, k, batch int, rng *rand.Rand, buf []float64) ([]float64, int, error) {
	d := m.D()
	n := len(x) / d
	if batch <= 0 {
		batch = n
	}
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	out := buf[:n]
	nfe := 0
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		s, err := m.logLikelihood(x[lo*d:hi*d], k, rng, out[lo:hi])
		if err != nil {
			return out, nfe, fmt.Errorf("points %d to %d: %w", lo, hi-1, err)
		}
		nfe += s.NFEForward
	}
	return out, nfe, nil
}

// BaseOnly returns a copy of m whose dynamics are zero, so that it scores
// points by the base distribution alone (after the same preprocessing):
// the reference a trained flow should beat. Every dynamics ends in a
// linear map, so zero parameters give f = 0; it fails for learnable bases,
// whose parameters share the vector with the dynamics, and for weight
// normalisation, where zero weights are undefined.
func (m *Model) BaseOnly() (*Model, error) {
	cfg := m.Config()
	if cfg.Base.Learnable || cfg.Dynamics.WeightNorm {
		return nil, fmt.Errorf("base-only reference: undefined for a learnable base or weight normalisation")
	}
	b, err := New(cfg, 0)
	if err != nil {
		return nil, err
	}
	clear(b.Params())
	return b, nil
}
