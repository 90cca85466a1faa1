package metrics

import (
	"context"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf/data"
)

func randomImages(rng *rand.Rand, n int) ([]float64, []int) {
	x := make([]float64, n*256)
	for i := range x {
		x[i] = float64(rng.IntN(256))
	}
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(10)
	}
	return x, y
}

// TestClassifierGradient compares every parameter's gradient with central
// differences (step h = 1e-5). The loss is O(1) with smooth layers, so the
// truncation error is O(h^2) ~ 1e-10 and the rounding error about
// 1e-16/h ~ 1e-11; 1e-7 absolute plus 1e-6 relative leaves room for both
// and would still catch any wrong term (errors of order the gradient).
func TestClassifierGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	c := NewClassifier(2, 3, 4, 9)
	for _, p := range c.params() {
		for i := range p.v {
			p.v[i] += 0.3 * rng.NormFloat64() // non-zero biases too
		}
	}
	x, y := randomImages(rng, 3)
	grad := c.zeroLike()
	c.lossGrad(c.forward(x, 3), y, grad)
	const h = 1e-5
	gs := grad.params()
	for k, p := range c.params() {
		// Every entry of the small arrays, every 5th of the large ones
		// (the same code path serves all entries of an array).
		stride := 1
		if len(p.v) > 50 {
			stride = 5
		}
		for i := 0; i < len(p.v); i += stride {
			old := p.v[i]
			p.v[i] = old + h
			lp := c.lossGrad(c.forward(x, 3), y, nil)
			p.v[i] = old - h
			lm := c.lossGrad(c.forward(x, 3), y, nil)
			p.v[i] = old
			fd := (lp - lm) / (2 * h)
			if g := gs[k].v[i]; math.Abs(g-fd) > 1e-7+1e-6*math.Abs(fd) {
				t.Errorf("%s[%d]: gradient %.10g, finite difference %.10g", p.name, i, g, fd)
			}
		}
	}
}

// TestClassifierLearns trains on a synthetic two-class task (class 0: the
// left half bright, class 1: the right half, plus noise; the difference
// survives both poolings) and expects near-perfect accuracy on fresh
// samples; it also checks Save/Load and Features.
func TestClassifierLearns(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	make1 := func(n int) ([]float64, []int) {
		x, y := randomImages(rng, n)
		for i := range n {
			y[i] %= 2
			for j := range 256 {
				x[i*256+j] *= 0.3
				if (j%16 < 8) == (y[i] == 0) {
					x[i*256+j] += 150
				}
			}
		}
		return x, y
	}
	xt, yt := make1(300)
	c, err := TrainClassifier(context.Background(), xt, yt, TrainConfig{C1: 4, C2: 8, F: 16, Epochs: 3, Batch: 16, LR: 3e-3, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	xv, yv := make1(200)
	acc, err := c.Accuracy(xv, yv)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.95 {
		t.Errorf("accuracy %.3f on a trivially separable task, want >= 0.95", acc)
	}
	path := filepath.Join(t.TempDir(), "clf.npz")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	d, err := LoadClassifier(path)
	if err != nil {
		t.Fatal(err)
	}
	f1, _ := c.Features(xv)
	f2, err := d.Features(xv)
	if err != nil || len(f1) != 200*16 {
		t.Fatalf("features: %d values, %v", len(f1), err)
	}
	for i := range f1 {
		if f1[i] != f2[i] {
			t.Fatalf("feature %d differs after Save/Load: %v vs %v", i, f1[i], f2[i])
		}
	}
	os.WriteFile(path, []byte("junk"), 0o644)
	if _, err := LoadClassifier(path); err == nil {
		t.Error("junk file loaded")
	}
	if _, err := c.Accuracy(xv, yv[:3]); err == nil {
		t.Error("label count mismatch accepted")
	}
}

var mnistAccuracy = flag.Bool("mnist-accuracy", false, "train the default classifier on MNIST (16x16) and report its test accuracy")

// TestClassifierMNIST trains the default classifier on the resized MNIST
// training set and reports its test accuracy (opt-in: -mnist-accuracy).
func TestClassifierMNIST(t *testing.T) {
	if !*mnistAccuracy {
		t.Skip("opt-in: go test ./cnf/metrics -run ClassifierMNIST -mnist-accuracy -v")
	}
	set, err := data.Load("mnist", data.Options{})
	if err != nil {
		t.Skipf("MNIST not available: %v (run `make data`)", err)
	}
	start := time.Now()
	c, err := TrainClassifier(context.Background(), set.Train.X, set.Train.Labels, TrainConfig{Seed: 1}, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	train := time.Since(start)
	acc, err := c.Accuracy(set.Test.X, set.Test.Labels)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MNIST 16x16: %d training images, %d epochs in %v; test accuracy %.4f on %d images", set.Train.N, DefaultTrainConfig.Epochs, train, acc, set.Test.N)
	if acc < 0.9 {
		t.Errorf("test accuracy %.4f below 0.9", acc)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

// TestTrainClassifierStops: a context that ends during training stops it
// at the next step, with the context's error and no classifier.
func TestTrainClassifierStops(t *testing.T) {
	x, y := randomImages(rand.New(rand.NewPCG(8, 9)), 64)
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled once the first epoch has reported: the second stops.
	c, err := TrainClassifier(ctx, x, y, TrainConfig{C1: 2, C2: 2, F: 4, Epochs: 3, Batch: 16, LR: 1e-3, Seed: 1}, cancelWriter(cancel))
	if !errors.Is(err, context.Canceled) || c != nil || !strings.Contains(err.Error(), "epoch 2") {
		t.Errorf("got %v, error %v; want no classifier and context.Canceled in epoch 2", c, err)
	}
}

// cancelWriter calls its function on every write.
type cancelWriter func()

func (w cancelWriter) Write(b []byte) (int, error) { w(); return len(b), nil }
