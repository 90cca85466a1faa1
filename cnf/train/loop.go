package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// ErrInterrupted is returned (wrapped) by Run when its context was cancelled;
// a checkpoint of the last completed iteration has been written.
var ErrInterrupted = errors.New("training interrupted")

// ErrDeadline is returned (wrapped) by Run when it stopped to end before
// its context's deadline; the checkpoint it stopped at has been written,
// and resuming from it continues the run.
var ErrDeadline = errors.New("training stopped before the deadline")

// now is the loop's clock (tests replace it).
var now = time.Now

// Trainer runs the training loop of one model directory.
type Trainer struct {
	Model   Model
	Train   Dataset
	Heldout Dataset
	Config  Config
	// Dir is the model directory: the model's files, the checkpoint and the
	// training log are written there.
	Dir string
	// Meta is stored in every checkpoint for the caller to rebuild the run
	// (data and model settings); the loop does not read it.
	Meta json.RawMessage
	// Progress, if not nil, is called after every iteration.
	Progress func(Progress)
}

// Progress reports one finished iteration.
type Progress struct {
	Iteration int           // iterations done, counting those before a resume
	Iters     int           // iterations of the whole run
	Stats     cnf.LossStats // of this iteration's mini-batch
}

// Result summarises a finished run.
type Result struct {
	Iteration int           // iterations done
	Seconds   float64       // wall time, summed over resumes
	Heldout   cnf.LossStats // held-out statistics of the final model
	Last      LogRecord     // the last line of the training log
}

// run is the mutable state of one Run call.
type run struct {
	t       *Trainer
	params  []float64
	grad    []float64
	adam    *Adam
	pcg     *rand.PCG
	rng     *rand.Rand
	it      int
	saved   int     // iteration of the last checkpoint written or resumed from
	first   int     // iteration this process started from
	seconds float64 // before this process started
	start   time.Time
	log     *os.File
	logOff  int64
	win     Window
	last    LogRecord
}

// Run trains from scratch (resume nil) or from a checkpoint until
// Config.Iters. It returns an error wrapping ErrInterrupted when ctx is
// cancelled (after checkpointing), and an error naming the iteration when
// the loss or gradient is not finite or the model fails; the last
// checkpoint then stays as it was.
//
// When ctx has a deadline, Run stops at the last checkpoint before it: at
// each checkpoint after its first interval it estimates the time of the
// next interval from the iterations it has run and stops there, with an
// error wrapping ErrDeadline, if the interval would end after the
// deadline. Should the deadline pass within an interval all the same, Run
// checkpoints the iteration it is at and stops there. The first interval
// always starts, and its first iteration always runs, so that every Run
// makes progress, however long an interval takes.
func (t *Trainer) Run(ctx context.Context, resume *Checkpoint) (Result, error) {
	r, err := t.begin(resume)
	if err != nil {
		return Result{}, err
	}
	defer r.log.Close()
	if resume == nil {
		if err := r.evaluate(); err != nil {
			return Result{}, err
		}
		if err := r.checkpoint(); err != nil {
			return Result{}, err
		}
	}
	batches := NewBatcher(t.Train, t.Config.Batch)
	deadline, hasDeadline := ctx.Deadline()
	for r.it < t.Config.Iters {
		if err := ctx.Err(); err != nil {
			switch {
			case !errors.Is(err, context.DeadlineExceeded):
				return r.result(), fmt.Errorf("%w at iteration %d; checkpoint saved in %s", ErrInterrupted, r.it, t.Dir)
			case r.it > r.first:
				return r.result(), r.stoppedEarly()
			}
		}
		if hasDeadline && r.it == r.saved && !r.fits(deadline) {
			return r.result(), r.stoppedEarly()
		}
		if err := r.step(batches); err != nil {
			return r.result(), err
		}
		if due(r.it, t.Config.EvalEvery, t.Config.Iters) {
			if err := r.evaluate(); err != nil {
				return r.result(), err
			}
		}
		if due(r.it, t.Config.CheckpointEvery, t.Config.Iters) || ctx.Err() != nil {
			if err := r.checkpoint(); err != nil {
				return r.result(), err
			}
		}
	}
	return r.result(), nil
}

// begin validates the inputs and sets up the state, fresh or resumed.
func (t *Trainer) begin(resume *Checkpoint) (*run, error) {
	if err := t.Config.Validate(); err != nil {
		return nil, err
	}
	if err := t.Train.Validate("training"); err != nil {
		return nil, err
	}
	if err := t.Heldout.Validate("held-out"); err != nil {
		return nil, err
	}
	if t.Train.Dim != t.Heldout.Dim {
		return nil, fmt.Errorf("training points have dimension %d but held-out points %d", t.Train.Dim, t.Heldout.Dim)
	}
	params := t.Model.Params()
	var last LogRecord
	if resume != nil {
		if resume.Iteration > t.Config.Iters {
			return nil, fmt.Errorf("checkpoint is at iteration %d, beyond the %d iterations asked for", resume.Iteration, t.Config.Iters)
		}
		var err error
		if last, err = resume.CheckDir(t.Dir, len(params)); err != nil {
			return nil, err
		}
	}
	r := &run{
		t:      t,
		params: params,
		grad:   make([]float64, len(params)),
		adam:   NewAdam(t.Config.Adam, len(params)),
		pcg:    rand.NewPCG(t.Config.Seed, streams.TrainLoop),
		start:  now(),
		last:   last,
	}
	r.rng = rand.New(r.pcg)
	if resume != nil {
		if err := r.pcg.UnmarshalBinary(resume.RNG); err != nil {
			return nil, fmt.Errorf("checkpoint generator state: %w", err)
		}
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return nil, err
	}
	if err := RemoveTemporaries(t.Dir); err != nil {
		return nil, err
	}
	logPath := filepath.Join(t.Dir, LogFile)
	if resume == nil {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		r.log = f
		return r, nil
	}
	copy(params, resume.Params)
	copy(r.adam.M, resume.AdamM)
	copy(r.adam.V, resume.AdamV)
	r.it, r.seconds, r.win, r.logOff = resume.Iteration, resume.Seconds, resume.Window, resume.LogOffset
	r.saved, r.first = r.it, r.it
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(resume.LogOffset); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate %s to the checkpoint's %d bytes: %w", logPath, resume.LogOffset, err)
	}
	if _, err := f.Seek(resume.LogOffset, 0); err != nil {
		f.Close()
		return nil, err
	}
	r.log = f
	return r, nil
}

// step runs one iteration: a mini-batch, its gradient, clipping and Adam.
func (r *run) step(b *Batcher) error {
	it := r.it + 1
	x, labels := b.Next(r.rng)
	s, norm, err := Step(r.t.Model, r.adam, it, r.params, r.grad, x, labels, r.rng, r.t.Config.ClipNorm)
	if err != nil {
		return r.diverged(it, err.Error())
	}
	r.it = it
	r.win.add(s, norm)
	if r.t.Progress != nil {
		r.t.Progress(Progress{Iteration: it, Iters: r.t.Config.Iters, Stats: s})
	}
	return nil
}

// diverged builds the error that stops training at iteration it.
func (r *run) diverged(it int, why string) error {
	return fmt.Errorf("training stopped at iteration %d: %s; the checkpoint in %s (iteration %d) is intact", it, why, r.t.Dir, r.lastCheckpoint())
}

// lastCheckpoint is the iteration of the checkpoint on disk.
func (r *run) lastCheckpoint() int {
	if c, err := ReadCheckpoint(r.t.Dir); err == nil {
		return c.Iteration
	}
	return 0
}

// elapsed is the wall time of the run, summed over resumes.
func (r *run) elapsed() float64 {
	return r.seconds + now().Sub(r.start).Seconds()
}

// fits reports whether the next checkpoint interval, from iteration r.it,
// is expected to end before deadline at the mean time per iteration of
// this Run so far (its first interval always fits).
func (r *run) fits(deadline time.Time) bool {
	if r.it == r.first {
		return true
	}
	perIter := now().Sub(r.start).Seconds() / float64(r.it-r.first)
	c := r.t.Config
	next := c.Iters
	if c.CheckpointEvery > 0 {
		next = min(next, (r.it/c.CheckpointEvery+1)*c.CheckpointEvery)
	}
	need := time.Duration(perIter * float64(next-r.it) * float64(time.Second))
	return !now().Add(need).After(deadline)
}

// stoppedEarly is the error of a run stopped at its checkpoint at r.it to
// end before its deadline.
func (r *run) stoppedEarly() error {
	return fmt.Errorf("%w at iteration %d of %d; checkpoint saved in %s", ErrDeadline, r.it, r.t.Config.Iters, r.t.Dir)
}

// evaluate scores the held-out set and appends a line to the log.
func (r *run) evaluate() error {
	s, err := r.t.Model.Evaluate(r.t.Heldout)
	if err != nil {
		return fmt.Errorf("held-out evaluation at iteration %d: %w", r.it, err)
	}
	if math.IsNaN(s.NLL) || math.IsInf(s.NLL, 0) {
		return r.diverged(r.it, fmt.Sprintf("held-out log-likelihood is %v", -s.NLL))
	}
	rec := LogRecord{
		Iteration:   r.it,
		Seconds:     r.elapsed(),
		HeldoutLoss: s.NLL,
		HeldoutBPD:  s.BitsPerDim,
		HeldoutNFE:  s.NFEForward,
	}
	if r.it > 0 {
		rec.LR = r.adam.LearningRate(r.it)
	}
	r.win.fill(&rec)
	r.win = Window{}
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	n, err := r.log.Write(append(line, '\n'))
	r.logOff += int64(n)
	if err != nil {
		return fmt.Errorf("write %s: %w", r.log.Name(), err)
	}
	r.last = rec
	return nil
}

// checkpoint saves the model and then the checkpoint, each atomically; the
// log is synced first so that the offset recorded is on disk.
func (r *run) checkpoint() error {
	if err := atomicfile.Sync(r.log); err != nil {
		return fmt.Errorf("sync %s: %w", r.log.Name(), err)
	}
	if err := atomicfile.SaveDir(r.t.Dir, r.t.Model.Save); err != nil {
		return fmt.Errorf("iteration %d: %w", r.it, err)
	}
	state, err := r.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	c := &Checkpoint{
		Params:    r.params,
		AdamM:     r.adam.M,
		AdamV:     r.adam.V,
		Iteration: r.it,
		RNG:       state,
		Seconds:   r.elapsed(),
		LogOffset: r.logOff,
		Window:    r.win,
		Config:    r.t.Config,
		Meta:      r.t.Meta,
	}
	if err := WriteCheckpoint(r.t.Dir, c); err != nil {
		return fmt.Errorf("iteration %d: %w", r.it, err)
	}
	r.saved = r.it
	return nil
}

// result summarises the run so far.
func (r *run) result() Result {
	return Result{
		Iteration: r.it,
		Seconds:   r.elapsed(),
		Heldout:   cnf.LossStats{Loss: r.last.HeldoutLoss, NLL: r.last.HeldoutLoss, BitsPerDim: r.last.HeldoutBPD, NFEForward: r.last.HeldoutNFE},
		Last:      r.last,
	}
}
