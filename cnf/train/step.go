package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf"
)

// Step is one optimisation step, the unit that Trainer.Run repeats and that
// the training benchmarks time: the loss on (x, labels) and its gradient
// into grad (cleared first), a check that both are finite, clipping of the
// gradient to the norm clip (0: none) and Adam's update of params (the
// model's Params()) for iteration it. It returns the statistics and the
// gradient's norm before clipping; on an error params are unchanged.
func Step(m Model, adam *Adam, it int, params, grad, x []float64, labels []int, rng *rand.Rand, clip float64) (cnf.LossStats, float64, error) {
	clear(grad)
	s, err := m.LossGrad(x, labels, rng, grad)
	if err != nil {
		return s, 0, err
	}
	if math.IsNaN(s.Loss) || math.IsInf(s.Loss, 0) {
		return s, 0, fmt.Errorf("loss is %v", s.Loss)
	}
	for i, g := range grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return s, 0, fmt.Errorf("gradient component %d is %v", i, g)
		}
	}
	norm := ClipNorm(grad, clip)
	adam.Step(it, params, grad)
	return s, norm, nil
}
