package train

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// fakeClock replaces the loop's clock with one that starts at start and
// moves only when told, until the test ends.
func fakeClock(t *testing.T, start time.Time) *time.Time {
	t.Helper()
	c := start
	now = func() time.Time { return c }
	t.Cleanup(func() { now = time.Now })
	return &c
}

// sameParams fails the test unless the checkpoints in a and b hold the
// same parameters and Adam moments, bit for bit.
func sameParams(t *testing.T, what, a, b string) {
	t.Helper()
	ca, err := ReadCheckpoint(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ReadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Iteration != cb.Iteration {
		t.Fatalf("%s: checkpoint at iteration %d, want %d", what, cb.Iteration, ca.Iteration)
	}
	for name, pair := range map[string][2][]float64{
		"params": {ca.Params, cb.Params}, "adam_m": {ca.AdamM, cb.AdamM}, "adam_v": {ca.AdamV, cb.AdamV},
	} {
		for i := range pair[0] {
			if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
				t.Fatalf("%s: %s[%d] = %v, want %v", what, name, i, pair[1][i], pair[0][i])
			}
		}
	}
}

// TestDeadlineStopsAtCheckpoint runs iterations that take one second each
// on a fake clock, checkpoints every 10 of 60, against a deadline 35
// seconds away: the run must stop at the checkpoint of iteration 30 (the
// interval to 40 would end after the deadline); resumed with a deadline 5
// seconds away it must run its first interval all the same, so as to make
// progress, and stop at 40; resumed without one it must finish exactly as
// a run never stopped.
func TestDeadlineStopsAtCheckpoint(t *testing.T) {
	refDir := t.TempDir()
	ref := toyTrainer(refDir, newToy(2))
	ref.Config.CheckpointEvery = 10
	if _, err := ref.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	clock := fakeClock(t, start)
	dir := t.TempDir()
	tr := toyTrainer(dir, newToy(2))
	tr.Config.CheckpointEvery = 10
	tr.Progress = func(Progress) { *clock = clock.Add(time.Second) }
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(35*time.Second))
	defer cancel()
	res, err := tr.Run(ctx, nil)
	if !errors.Is(err, ErrDeadline) || res.Iteration != 30 {
		t.Fatalf("got iteration %d, error %v; want a stop before the deadline at 30", res.Iteration, err)
	}
	c, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Iteration != 30 {
		t.Fatalf("checkpoint at %d, want 30", c.Iteration)
	}

	tr = toyTrainer(dir, newToy(2))
	tr.Config.CheckpointEvery = 10
	ctx2, cancel2 := context.WithDeadline(context.Background(), clock.Add(5*time.Second))
	defer cancel2()
	tr.Progress = func(Progress) { *clock = clock.Add(time.Second) }
	res, err = tr.Run(ctx2, c)
	if !errors.Is(err, ErrDeadline) || res.Iteration != 40 {
		t.Fatalf("resumed with 5 s left: got iteration %d, error %v; want a stop at 40", res.Iteration, err)
	}
	if c, err = ReadCheckpoint(dir); err != nil {
		t.Fatal(err)
	}

	tr = toyTrainer(dir, newToy(2))
	tr.Config.CheckpointEvery = 10
	if _, err := tr.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	sameParams(t, "resumed after the deadline", refDir, dir)
}

// TestDeadlinePassedWithinInterval: a deadline that passes in the middle
// of an interval (the estimate cannot foresee a stall) stops the run at
// the iteration it is at, with a checkpoint there, and resuming it gives
// the run never stopped.
func TestDeadlinePassedWithinInterval(t *testing.T) {
	refDir := t.TempDir()
	if _, err := toyTrainer(refDir, newToy(2)).Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// The loop's clock lags an hour, so that its estimate never stops the
	// run; the context's deadline, two seconds of real time away, passes
	// while iteration 13 stalls.
	clock := fakeClock(t, time.Now().Add(-time.Hour))
	dir := t.TempDir()
	tr := toyTrainer(dir, newToy(2))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	tr.Progress = func(p Progress) {
		*clock = clock.Add(time.Millisecond)
		if p.Iteration == 13 {
			<-ctx.Done()
		}
	}
	res, err := tr.Run(ctx, nil)
	if !errors.Is(err, ErrDeadline) || res.Iteration != 13 {
		t.Fatalf("got iteration %d, error %v; want a stop at 13 before the deadline", res.Iteration, err)
	}
	c, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Iteration != 13 {
		t.Fatalf("checkpoint at %d, want 13", c.Iteration)
	}
	if _, err := toyTrainer(dir, newToy(2)).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	sameParams(t, "resumed after the stall", refDir, dir)
}

// TestDeadlinePassedBeforeStart: a run whose deadline has passed before it
// starts still runs one iteration, so that a run restarted under too short
// a limit makes progress all the same, and stops there, checkpointed.
func TestDeadlinePassedBeforeStart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	res, err := toyTrainer(dir, newToy(2)).Run(ctx, nil)
	if !errors.Is(err, ErrDeadline) || res.Iteration != 1 {
		t.Fatalf("got iteration %d, error %v; want a stop at 1 before the deadline", res.Iteration, err)
	}
	c, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Iteration != 1 {
		t.Fatalf("checkpoint at %d, want 1", c.Iteration)
	}
	res, err = toyTrainer(dir, newToy(2)).Run(ctx, c)
	if !errors.Is(err, ErrDeadline) || res.Iteration != 2 {
		t.Fatalf("resumed: got iteration %d, error %v; want a stop at 2", res.Iteration, err)
	}
}
