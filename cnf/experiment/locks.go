package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/dirlock"
)

// lockPoll is how often a busy directory lock is tried again.
var lockPoll = time.Second

// lockDir takes the lock of dir (created if need be) without waiting; a
// lock held by another process is an error wrapping dirlock.ErrBusy.
func lockDir(dir string) (*dirlock.Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return dirlock.Acquire(dir)
}

// waitLock takes the lock of dir (created if need be), waiting while
// another process holds it, and says once on progress that it waits. It
// gives up when ctx ends, with the error of stopped.
func waitLock(ctx context.Context, dir string, progress io.Writer) (*dirlock.Lock, error) {
	said := false
	for {
		l, err := lockDir(dir)
		if !errors.Is(err, dirlock.ErrBusy) {
			return l, err
		}
		if !said {
			fmt.Fprintf(progress, "  waiting: %v\n", err)
			said = true
		}
		select {
		case <-ctx.Done():
			return nil, stopped(ctx, "waiting for "+dir)
		case <-time.After(lockPoll):
		}
	}
}

// stopped is the error of a run whose context ended before what: wrapping
// train.ErrDeadline when its deadline passed, train.ErrInterrupted when it
// was cancelled.
func stopped(ctx context.Context, what string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w, %s", train.ErrDeadline, what)
	}
	return fmt.Errorf("%w, %s", train.ErrInterrupted, what)
}

// interrupted is the error of work after training (a unit's evaluation, a
// feature classifier) that a cancellation stopped: train.ErrInterrupted,
// in words of its own.
type interrupted string

func (e interrupted) Error() string { return "stopped while " + string(e) }
func (interrupted) Unwrap() error   { return train.ErrInterrupted }
