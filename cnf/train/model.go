package train

import "math/rand/v2"

// Stats describes one loss evaluation: a training step's mini-batch or the
// held-out set.
type Stats struct {
	Loss        float64 // the objective minimised: mean NLL plus any regularisation
	NLL         float64 // mean negative log-likelihood in nats
	BitsPerDim  float64 // mean bits per dimension
	NFEForward  int     // function evaluations of the forward solve
	NFEBackward int     // function evaluations of the gradient pass (adjoint; 0 for evaluation)
	VJPBackward int     // vector-Jacobian products of the gradient pass
}

// Model is what the loop trains.
type Model interface {
	// Params returns all learnable parameters as one flat slice that aliases
	// the model: writing to it changes the model.
	Params() []float64
	// LossGrad evaluates the loss on a mini-batch of points x (row by row)
	// with class labels, writes its gradient into grad (len(Params())) and
	// draws any noise it needs from rng.
	LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (Stats, error)
	// Evaluate scores the held-out set with the model as used at test time.
	// It must not depend on anything but the parameters and the data.
	Evaluate(heldout Dataset) (Stats, error)
	// Save writes the model (configuration and weights) into the directory.
	Save(dir string) error
}
