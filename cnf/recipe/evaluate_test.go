package recipe

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// TestEvaluateStops: Evaluate scores a split a solve at a time with the
// noise of one LogLikelihoods call over it (bit for bit), and a context
// that has ended stops it before any solve.
func TestEvaluateStops(t *testing.T) {
	o := smallOptions()
	o.Train.Iters, o.Trace = 2, "rademacher"
	tr, err := Train(context.Background(), filepath.Join(t.TempDir(), "m"), o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const batch, seed = 7, 3
	scores, err := Evaluate(context.Background(), tr.Model, tr.Set, batch, seed)
	if err != nil {
		t.Fatal(err)
	}
	test := tr.Set.Test
	if test.N <= batch || len(scores) == 0 || scores[0].Split != test.Name {
		t.Fatalf("%d test points, %d scores: want more points than a solve's %d, test split first", test.N, len(scores), batch)
	}
	want, nfe, err := tr.Model.LogLikelihoods(test.X, batch, rand.New(rand.NewPCG(seed, streams.Eval)), nil)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	if !slices.EqualFunc(scores[0].LogP, want, same) || scores[0].NFE != nfe {
		t.Errorf("test split: NFE %d, log p %v; LogLikelihoods gives NFE %d, %v", scores[0].NFE, scores[0].LogP, nfe, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := Evaluate(ctx, tr.Model, tr.Set, batch, seed); !errors.Is(err, context.Canceled) || got != nil {
		t.Errorf("cancelled: %d scores, error %v; want none and context.Canceled", len(got), err)
	}
}
