package train

import (
	"fmt"
	"math"
)

// Config holds the settings of the training loop.
type Config struct {
	Iters           int        `json:"iters"`            // total number of updates
	Batch           int        `json:"batch"`            // points per mini-batch
	Adam            AdamConfig `json:"adam"`             // optimiser
	ClipNorm        float64    `json:"clip_norm"`        // maximum gradient norm; 0 for no clipping
	EvalEvery       int        `json:"eval_every"`       // held-out evaluation period in iterations; 0 for only at the end
	CheckpointEvery int        `json:"checkpoint_every"` // checkpoint period in iterations; 0 for only at the end
	Seed            uint64     `json:"seed"`             // seeds the mini-batch and noise generator
}

// DefaultConfig returns 1000 iterations of batch 512 with DefaultAdam, no
// clipping, evaluation and checkpoints every 100 iterations and seed 1.
func DefaultConfig() Config {
	return Config{Iters: 1000, Batch: 512, Adam: DefaultAdam(), EvalEvery: 100, CheckpointEvery: 100, Seed: 1}
}

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	switch {
	case c.Iters <= 0:
		return fmt.Errorf("iterations must be positive, got %d", c.Iters)
	case c.Batch <= 0:
		return fmt.Errorf("batch size must be positive, got %d", c.Batch)
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 1):
		return fmt.Errorf("gradient clipping norm must be non-negative and finite, got %v", c.ClipNorm)
	case c.EvalEvery < 0:
		return fmt.Errorf("evaluation period must not be negative, got %d", c.EvalEvery)
	case c.CheckpointEvery < 0:
		return fmt.Errorf("checkpoint period must not be negative, got %d", c.CheckpointEvery)
	}
	return c.Adam.Validate()
}

// due reports whether something with the given period happens after
// iteration it of a run of iters.
func due(it, period, iters int) bool {
	return it == iters || (period > 0 && it%period == 0)
}
