package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func toyTrainer(dir string, m Model) *Trainer {
	cfg := DefaultConfig()
	cfg.Iters, cfg.Batch, cfg.EvalEvery, cfg.CheckpointEvery = 60, 32, 20, 25
	cfg.Adam.LR = 0.05
	return &Trainer{Model: m, Train: toyData(400, 1), Heldout: toyData(200, 2), Config: cfg, Dir: dir}
}

// mustReadLog parses the training log of dir.
func mustReadLog(t *testing.T, dir string) []LogRecord {
	t.Helper()
	out, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRunLearns trains the toy Gaussian and checks that the held-out NLL
// falls from that of N(0, I) towards the data's own entropy, and that the
// log has a line at 0, every 20 iterations and at the end.
func TestRunLearns(t *testing.T) {
	dir := t.TempDir()
	tr := toyTrainer(dir, newToy(2))
	tr.Config.Iters = 300
	res, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	log := mustReadLog(t, dir)
	if len(log) != 16 || log[0].Iteration != 0 || log[15].Iteration != 300 {
		t.Fatalf("log has %d lines from iteration %d to %d, want 16 from 0 to 300", len(log), log[0].Iteration, log[len(log)-1].Iteration)
	}
	// Differential entropy of N((3,-2), diag(0.25, 4)) in nats: the best
	// any Gaussian can do, up to the sampling error of 200 held-out points
	// and the 1e-2 jitter (both well under 0.2 nats).
	entropy := 1 + math.Log(2*math.Pi) + 0.5*math.Log(0.25*4)
	if res.Heldout.NLL > entropy+0.2 || log[0].HeldoutLoss < entropy+5 {
		t.Errorf("held-out NLL went from %.3f to %.3f nats; want from far above to within 0.2 of the entropy %.3f", log[0].HeldoutLoss, res.Heldout.NLL, entropy)
	}
	if log[1].TrainLoss == 0 || log[1].NFEForward != 1 || log[1].NFEBackward != 1 {
		t.Errorf("log line %+v lacks training statistics", log[1])
	}
	c, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Iteration != 300 {
		t.Errorf("final checkpoint at iteration %d, want 300", c.Iteration)
	}
}

// TestResumeIsExact interrupts a run at several points, resumes it from
// the checkpoint each time, and checks that parameters, Adam's moments and
// the log's numbers match an uninterrupted run bit for bit.
func TestResumeIsExact(t *testing.T) {
	refDir := t.TempDir()
	ref := toyTrainer(refDir, newToy(2))
	if _, err := ref.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	want, err := ReadCheckpoint(refDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, stopAt := range []int{1, 24, 25, 26, 59} {
		dir := t.TempDir()
		m := newToy(2)
		tr := toyTrainer(dir, m)
		ctx, cancel := context.WithCancel(context.Background())
		tr.Progress = func(p Progress) {
			if p.Iteration == stopAt {
				cancel()
			}
		}
		_, err := tr.Run(ctx, nil)
		cancel()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("stop at %d: got %v, want an interruption", stopAt, err)
		}
		c, err := ReadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.Iteration != stopAt {
			t.Fatalf("interrupted at %d but checkpoint is at %d", stopAt, c.Iteration)
		}
		// A fresh model, as a new process would build it.
		tr2 := toyTrainer(dir, newToy(2))
		if _, err := tr2.Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		got, err := ReadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		for name, pair := range map[string][2][]float64{
			"params": {want.Params, got.Params}, "adam_m": {want.AdamM, got.AdamM}, "adam_v": {want.AdamV, got.AdamV},
		} {
			for i := range pair[0] {
				if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
					t.Errorf("stop at %d: %s[%d] = %v, uninterrupted %v", stopAt, name, i, pair[1][i], pair[0][i])
				}
			}
		}
		wl, gl := mustReadLog(t, refDir), mustReadLog(t, dir)
		if len(wl) != len(gl) {
			t.Fatalf("stop at %d: log has %d lines, uninterrupted %d", stopAt, len(gl), len(wl))
		}
		for i := range wl {
			wl[i].Seconds, gl[i].Seconds = 0, 0
			if wl[i] != gl[i] {
				t.Errorf("stop at %d: log line %d is %+v, uninterrupted %+v", stopAt, i, gl[i], wl[i])
			}
		}
	}
}

// TestRunStopsOnFailure checks that a NaN loss, an infinite gradient or a
// model error stops the run with a message naming the iteration and leaves
// the last checkpoint byte for byte as it was.
func TestRunStopsOnFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(m *toyModel)
		want string
	}{
		{"nan", func(m *toyModel) { m.failAt = 33 }, "iteration 33: loss is NaN"},
		{"error", func(m *toyModel) { m.errAt = 40 }, "iteration 40: step size underflow"},
		{"gradient", func(m *toyModel) { m.infGradAt = 35 }, "iteration 35: gradient component 1 is -Inf"},
	} {
		dir := t.TempDir()
		m := newToy(2)
		tc.set(m)
		var before []byte
		tr := toyTrainer(dir, m)
		tr.Progress = func(p Progress) {
			if p.Iteration == 30 {
				before, _ = os.ReadFile(filepath.Join(dir, CheckpointFile))
			}
		}
		_, err := tr.Run(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "(iteration 25) is intact") {
			t.Errorf("%s: error %v, want one containing %q and naming checkpoint 25", tc.name, err, tc.want)
		}
		after, _ := os.ReadFile(filepath.Join(dir, CheckpointFile))
		if len(before) == 0 || string(before) != string(after) {
			t.Errorf("%s: checkpoint changed after the failure", tc.name)
		}
	}
}

// TestResumeFinished: resuming a run whose last checkpoint is its end (a
// process killed after the final checkpoint, say) does no more work, leaves
// the log as it was and reports the final held-out figures.
func TestResumeFinished(t *testing.T) {
	dir := t.TempDir()
	res, err := toyTrainer(dir, newToy(2)).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	before := mustReadLog(t, dir)
	again, err := toyTrainer(dir, newToy(2)).Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if again.Iteration != res.Iteration || again.Heldout.BitsPerDim != res.Heldout.BitsPerDim || again.Heldout.BitsPerDim == 0 {
		t.Errorf("resumed finished run reports iteration %d, held-out bits/dim %v; the run itself %d, %v",
			again.Iteration, again.Heldout.BitsPerDim, res.Iteration, res.Heldout.BitsPerDim)
	}
	if after := mustReadLog(t, dir); len(after) != len(before) {
		t.Errorf("log grew from %d to %d lines", len(before), len(after))
	}
}
