package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf"
)

// evalStream is the PCG stream of the held-out evaluation's noise.
const evalStream = 0x6576616c

// CNF adapts a flow to the loop. Held-out evaluation scores by the whole
// base (the mixture for a GMM base) in chunks of EvalBatch points, with
// noise from a generator seeded afresh by EvalSeed at every call, so that
// it depends only on the parameters.
type CNF struct {
	Model     *cnf.Model
	EvalBatch int
	EvalSeed  uint64
	logp      []float64
}

// Params returns the flow's parameters.
func (c *CNF) Params() []float64 { return c.Model.Params() }

// LossGrad evaluates the training loss and its gradient on a mini-batch.
func (c *CNF) LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (Stats, error) {
	s, err := c.Model.LossGrad(x, labels, rng, grad)
	return Stats{
		Loss: s.Loss, NLL: s.NLL, BitsPerDim: s.BitsPerDim,
		NFEForward: s.NFEForward, NFEBackward: s.NFEBackward, VJPBackward: s.VJPBackward,
	}, err
}

// Evaluate returns the mean NLL and bits/dim of the held-out set.
func (c *CNF) Evaluate(h Dataset) (Stats, error) {
	rng := rand.New(rand.NewPCG(c.EvalSeed, evalStream))
	logp, nfe, err := LogLikelihoods(c.Model, h.X, c.EvalBatch, rng, c.logp)
	c.logp = logp
	if err != nil {
		return Stats{}, err
	}
	var nll, bpd float64
	for _, l := range logp {
		nll -= l
		bpd += c.Model.BitsPerDim(l)
	}
	n := float64(len(logp))
	return Stats{Loss: nll / n, NLL: nll / n, BitsPerDim: bpd / n, NFEForward: nfe}, nil
}

// Save writes the flow's directory files.
func (c *CNF) Save(dir string) error { return c.Model.Save(dir) }

// LogLikelihoods returns log p(x) of every point of x (row by row), scored
// in chunks of at most batch points, reusing buf when it is large enough,
// and the total number of function evaluations.
func LogLikelihoods(m *cnf.Model, x []float64, batch int, rng *rand.Rand, buf []float64) ([]float64, int, error) {
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
		s, err := m.LogLikelihood(x[lo*d:hi*d], rng, out[lo:hi])
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
func BaseOnly(m *cnf.Model) (*cnf.Model, error) {
	cfg := m.Config()
	if cfg.Base.Learnable || cfg.Dynamics.WeightNorm {
		return nil, fmt.Errorf("base-only reference: undefined for a learnable base or weight normalisation")
	}
	b, err := cnf.New(cfg, 0)
	if err != nil {
		return nil, err
	}
	clear(b.Params())
	return b, nil
}
