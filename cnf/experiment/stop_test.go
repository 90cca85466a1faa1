package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf/train"
)

// TestStopWhileEvaluating: a cancellation once a unit has trained stops
// its evaluation with train.ErrInterrupted and no result, and the next run
// evaluates the kept model to the numbers of a run that was not stopped; a
// deadline that passes once it has trained does not stop the evaluation.
func TestStopWhileEvaluating(t *testing.T) {
	st, s := quickMoonsSettings(t)
	s.Seeds = 1
	u := st.Units(1)[0]
	run := func(ctx context.Context, out string, b *CNF) error {
		return RunUnits(ctx, Options{Study: st, Settings: s, Out: out, Backend: b, Progress: &strings.Builder{}}, []int{0})
	}
	root := t.TempDir()
	whole, stopped := filepath.Join(root, "whole"), filepath.Join(root, "stopped")
	if err := run(context.Background(), whole, &CNF{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	last := &CNF{OnIteration: func(_ Unit, p train.Progress) {
		if p.Iteration == p.Iters {
			cancel()
		}
	}}
	err := run(ctx, stopped, last)
	if !errors.Is(err, train.ErrInterrupted) || !strings.Contains(err.Error(), "evaluating") {
		t.Fatalf("stopped after training: got %v, want train.ErrInterrupted while evaluating", err)
	}
	if _, err := os.Stat(filepath.Join(u.Dir(stopped), ResultFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a stopped unit has a result (%v)", err)
	}
	if err := run(context.Background(), stopped, &CNF{}); err != nil {
		t.Fatal(err)
	}
	var a, b RunResult
	if err := readJSON(filepath.Join(u.Dir(whole), ResultFile), &a); err != nil {
		t.Fatal(err)
	}
	if err := readJSON(filepath.Join(u.Dir(stopped), ResultFile), &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Sets) == 0 || !reflect.DeepEqual(a.Sets, b.Sets) || a.Iterations != b.Iterations {
		t.Errorf("evaluated after a stop: %d iterations, sets %+v; uninterrupted: %d, %+v", b.Iterations, b.Sets, a.Iterations, a.Sets)
	}

	late := filepath.Join(root, "late")
	dl := &lateDeadline{Context: context.Background(), done: make(chan struct{})}
	expire := &CNF{OnIteration: func(_ Unit, p train.Progress) {
		if p.Iteration == p.Iters {
			close(dl.done)
		}
	}}
	if err := run(dl, late, expire); err != nil && !errors.Is(err, train.ErrDeadline) {
		t.Fatalf("deadline passed after training: %v", err)
	}
	var c RunResult
	if err := readJSON(filepath.Join(u.Dir(late), ResultFile), &c); err != nil {
		t.Fatalf("deadline passed after training: no result (%v)", err)
	}
	if !reflect.DeepEqual(a.Sets, c.Sets) {
		t.Errorf("evaluated past the deadline: sets %+v; uninterrupted: %+v", c.Sets, a.Sets)
	}
}

// lateDeadline is a context whose deadline, far off, passes when done is
// closed.
type lateDeadline struct {
	context.Context
	done chan struct{}
}

func (c *lateDeadline) Deadline() (time.Time, bool) { return time.Now().Add(time.Hour), true }
func (c *lateDeadline) Done() <-chan struct{}       { return c.done }
func (c *lateDeadline) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
