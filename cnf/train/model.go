package train

import (
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf"
)

// Model is what the loop trains.
type Model interface {
	// Params returns all learnable parameters as one flat slice that aliases
	// the model: writing to it changes the model.
	Params() []float64
	// LossGrad evaluates the loss on a mini-batch of points x (row by row)
	// with class labels, writes its gradient into grad (len(Params())) and
	// draws any noise it needs from rng.
	LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (cnf.LossStats, error)
	// Evaluate scores the held-out set with the model as used at test time.
	// It must not depend on anything but the parameters and the data.
	Evaluate(heldout Dataset) (cnf.LossStats, error)
	// Save writes the model (configuration and weights) into the directory.
	Save(dir string) error
}
