package train

import (
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/internal/streams"
)

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
func (c *CNF) LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (cnf.LossStats, error) {
	return c.Model.LossGrad(x, labels, rng, grad)
}

// Evaluate returns the mean NLL and bits/dim of the held-out set.
func (c *CNF) Evaluate(h Dataset) (cnf.LossStats, error) {
	rng := rand.New(rand.NewPCG(c.EvalSeed, streams.Heldout))
	logp, nfe, err := c.Model.LogLikelihoods(h.X, c.EvalBatch, rng, c.logp)
	c.logp = logp
	if err != nil {
		return cnf.LossStats{}, err
	}
	var nll, bpd float64
	for _, l := range logp {
		nll -= l
		bpd += c.Model.BitsPerDim(l)
	}
	n := float64(len(logp))
	return cnf.LossStats{Loss: nll / n, NLL: nll / n, BitsPerDim: bpd / n, NFEForward: nfe}, nil
}

// Save writes the flow's directory files.
func (c *CNF) Save(dir string) error { return c.Model.Save(dir) }
