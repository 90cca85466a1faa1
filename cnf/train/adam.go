package train

import (
	"fmt"
	"math"
)

// Weight-decay modes of AdamConfig.
const (
	// DecayDecoupled shrinks the parameters directly, p -= lr_t * wd * p,
	// apart from the adaptive step (AdamW, Loshchilov and Hutter 2019).
	DecayDecoupled = "decoupled"
	// DecayL2 adds wd * p to the gradient before the moments are updated,
	// the classic L2 penalty (wd/2)|p|^2 as Adam sees it.
	DecayL2 = "l2"
)

// AdamConfig holds Adam's hyper-parameters (Kingma and Ba 2015).
type AdamConfig struct {
	LR          float64 `json:"lr"`               // peak learning rate
	Beta1       float64 `json:"beta1"`            // decay of the first moment
	Beta2       float64 `json:"beta2"`            // decay of the second moment
	Eps         float64 `json:"eps"`              // added to sqrt(v-hat)
	Warmup      int     `json:"warmup"`           // iterations of linear warm-up; 0 for none
	Anneal      int     `json:"anneal,omitempty"` // iterations of half-cosine decay to zero; 0 for a constant rate
	WeightDecay float64 `json:"weight_decay"`     // 0 for none
	DecayMode   string  `json:"decay_mode"`       // DecayDecoupled or DecayL2
}

// DefaultAdam returns lr 1e-3, betas (0.9, 0.999), eps 1e-8, no warm-up
// and no weight decay (decoupled if turned on), the values FFJORD trains with.
func DefaultAdam() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, DecayMode: DecayDecoupled}
}

// Validate reports the first out-of-range hyper-parameter.
func (c AdamConfig) Validate() error {
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 1):
		return fmt.Errorf("adam: learning rate must be positive and finite, got %v", c.LR)
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return fmt.Errorf("adam: beta1 must lie in [0, 1), got %v", c.Beta1)
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("adam: beta2 must lie in [0, 1), got %v", c.Beta2)
	case !(c.Eps > 0) || math.IsInf(c.Eps, 1):
		return fmt.Errorf("adam: eps must be positive and finite, got %v", c.Eps)
	case c.Warmup < 0:
		return fmt.Errorf("adam: warm-up must not be negative, got %d", c.Warmup)
	case c.Anneal < 0:
		return fmt.Errorf("adam: annealing length must not be negative, got %d", c.Anneal)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 1):
		return fmt.Errorf("adam: weight decay must be non-negative and finite, got %v", c.WeightDecay)
	case c.DecayMode != DecayDecoupled && c.DecayMode != DecayL2:
		return fmt.Errorf("adam: weight-decay mode must be %q or %q, got %q", DecayDecoupled, DecayL2, c.DecayMode)
	}
	return nil
}

// Adam is the optimiser's state: the first and second moment estimates.
type Adam struct {
	Config AdamConfig
	M, V   []float64 // first and second moments, one per parameter
}

// NewAdam returns Adam with zero moments for n parameters.
func NewAdam(cfg AdamConfig, n int) *Adam {
	return &Adam{Config: cfg, M: make([]float64, n), V: make([]float64, n)}
}

// LearningRate is the step size of iteration t (1-based): the peak rate
// scaled by t/warmup during warm-up and, with annealing over A iterations,
// by (1 + cos(pi (t-1)/A))/2 (cosine annealing without restarts, Loshchilov
// and Hutter 2017), which falls from 1 at the first step towards 0 at step
// A + 1 and stays at 0 after it.
func (a *Adam) LearningRate(t int) float64 {
	lr := a.Config.LR
	if w := a.Config.Warmup; w > 0 && t < w {
		lr *= float64(t) / float64(w)
	}
	if n := a.Config.Anneal; n > 0 {
		lr *= (1 + math.Cos(math.Pi*float64(min(t-1, n))/float64(n))) / 2
	}
	return lr
}

// Step applies update t (1-based) to params given grad. With DecayL2 the
// decay term is added to grad in place.
func (a *Adam) Step(t int, params, grad []float64) {
	c := a.Config
	lr := a.LearningRate(t)
	if c.WeightDecay > 0 && c.DecayMode == DecayL2 {
		for i, p := range params {
			grad[i] += c.WeightDecay * p
		}
	}
	shrink := 1.0
	if c.WeightDecay > 0 && c.DecayMode == DecayDecoupled {
		shrink = 1 - lr*c.WeightDecay
	}
	bc1 := 1 - math.Pow(c.Beta1, float64(t))
	bc2 := 1 - math.Pow(c.Beta2, float64(t))
	for i, g := range grad {
		m := c.Beta1*a.M[i] + (1-c.Beta1)*g
		v := c.Beta2*a.V[i] + (1-c.Beta2)*g*g
		a.M[i], a.V[i] = m, v
		params[i] = params[i]*shrink - lr*(m/bc1)/(math.Sqrt(v/bc2)+c.Eps)
	}
}
