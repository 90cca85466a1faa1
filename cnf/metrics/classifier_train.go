package metrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// TrainConfig configures TrainClassifier; zero values select the defaults
// of DefaultTrainConfig.
type TrainConfig struct {
	C1, C2, F int     // widths (16, 32, 64)
	Epochs    int     // passes over the data (2)
	Batch     int     // mini-batch size (64)
	LR        float64 // Adam step size (1e-3), betas 0.9, 0.999, eps 1e-8
	Seed      uint64  // initialisation and batch order
}

// DefaultTrainConfig is the short default training of the classifier.
var DefaultTrainConfig = TrainConfig{C1: 16, C2: 32, F: 64, Epochs: 2, Batch: 64, LR: 1e-3}

func (c TrainConfig) withDefaults() TrainConfig {
	d := DefaultTrainConfig
	for _, f := range []struct{ v, def *int }{{&c.C1, &d.C1}, {&c.C2, &d.C2}, {&c.F, &d.F}, {&c.Epochs, &d.Epochs}, {&c.Batch, &d.Batch}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	return c
}

// TrainClassifier trains a classifier on 16x16 images (pixel values
// 0..255, row-major n x 256) with labels 0..9 by Adam on the mean softmax
// cross-entropy, visiting the images in a seeded random order each epoch.
// It reports the mean loss of each epoch on progress (may be nil). When ctx
// ends it stops before the next step and returns ctx's error.
func TrainClassifier(ctx context.Context, images []float64, labels []int, cfg TrainConfig, progress io.Writer) (*Classifier, error) {
	cfg = cfg.withDefaults()
	if cfg.C1 < 1 || cfg.C2 < 1 || cfg.F < 1 || cfg.Epochs < 1 || cfg.Batch < 1 || !(cfg.LR > 0) {
		return nil, fmt.Errorf("train classifier: bad configuration %+v", cfg)
	}
	n, err := checkImages(images, labels)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("train classifier: no images")
	}
	if progress == nil {
		progress = io.Discard
	}
	c := NewClassifier(cfg.C1, cfg.C2, cfg.F, cfg.Seed)
	grad := c.zeroLike()
	m1, m2 := c.zeroLike(), c.zeroLike()
	rng := rand.New(rand.NewPCG(cfg.Seed, streams.ClassifierOrder))
	const b1, b2, eps = 0.9, 0.999, 1e-8
	step := 0
	batchX := make([]float64, cfg.Batch*side*side)
	batchY := make([]int, cfg.Batch)
	for epoch := range cfg.Epochs {
		perm := rng.Perm(n)
		var total float64
		for lo := 0; lo < n; lo += cfg.Batch {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("train classifier: epoch %d, step %d: %w", epoch+1, step+1, err)
			}
			m := min(cfg.Batch, n-lo)
			for k := range m {
				i := perm[lo+k]
				copy(batchX[k*side*side:(k+1)*side*side], images[i*side*side:(i+1)*side*side])
				batchY[k] = labels[i]
			}
			for _, g := range grad.params() {
				clear(g.v)
			}
			loss := c.lossGrad(c.forward(batchX, m), batchY[:m], grad)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return nil, fmt.Errorf("train classifier: epoch %d, step %d: loss is %v", epoch+1, step+1, loss)
			}
			total += loss * float64(m)
			step++
			c1 := 1 - math.Pow(b1, float64(step))
			c2 := 1 - math.Pow(b2, float64(step))
			ps, gs, ms, vs := c.params(), grad.params(), m1.params(), m2.params()
			for k := range ps {
				for j, g := range gs[k].v {
					ms[k].v[j] = b1*ms[k].v[j] + (1-b1)*g
					vs[k].v[j] = b2*vs[k].v[j] + (1-b2)*g*g
					ps[k].v[j] -= cfg.LR * (ms[k].v[j] / c1) / (math.Sqrt(vs[k].v[j]/c2) + eps)
				}
			}
		}
		fmt.Fprintf(progress, "classifier: epoch %d/%d: mean loss %.4f\n", epoch+1, cfg.Epochs, total/float64(n))
	}
	return c, nil
}
