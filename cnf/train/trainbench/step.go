package trainbench

import (
	"fmt"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// Stepper runs training steps of one workload on its fixed batch with the
// training loop's defaults (train.DefaultConfig: Adam and clipping).
type Stepper struct {
	model  *train.CNF
	adam   *train.Adam
	clip   float64
	x      []float64
	params []float64
	grad   []float64
	rng    *rand.Rand
	it     int
}

// NewStepper builds the workload's model with weights, data and noise all
// drawn from seed.
func NewStepper(w Workload, seed uint64) (*Stepper, error) {
	m, err := cnf.New(w.Config, seed)
	if err != nil {
		return nil, fmt.Errorf("workload %s: %w", w.Name, err)
	}
	x, err := w.Inputs(seed)
	if err != nil {
		return nil, err
	}
	tc := train.DefaultConfig()
	params := m.Params()
	return &Stepper{
		model:  &train.CNF{Model: m},
		adam:   train.NewAdam(tc.Adam, len(params)),
		clip:   tc.ClipNorm,
		x:      x,
		params: params,
		grad:   make([]float64, len(params)),
		rng:    rand.New(rand.NewPCG(seed, streams.BenchNoise)),
	}, nil
}

// Step runs one training step: loss and gradient on the batch, clipping of
// the gradient's norm and Adam's update of the parameters.
func (s *Stepper) Step() (cnf.LossStats, error) {
	it := s.it + 1
	st, _, err := train.Step(s.model, s.adam, it, s.params, s.grad, s.x, nil, s.rng, s.clip)
	if err != nil {
		return st, fmt.Errorf("step %d: %w", it, err)
	}
	s.it = it
	return st, nil
}
