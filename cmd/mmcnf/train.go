package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/dirlock"
	"github.com/mmcnf/mmcnf/internal/english"
)

// trainFlags binds the flags of `mmcnf train` to o, their defaults those
// of recipe.Defaults.
func trainFlags(o *recipe.Options, out *string, resume *bool, pf *progressFlags) *cmdFlags {
	f := newFlags("train", "mmcnf train --data NAME [--classes 0,1] --base gaussian|gmm --out DIR [flags]",
		`Trains a continuous normalising flow by maximum likelihood with Adam and writes
the model directory DIR: config.json and weights.npz (the model), checkpoint.npz
(Adam's moments, iteration and generator state, for --resume), train.jsonl (one
JSON line per held-out evaluation) and run.json (these settings). Checkpoints are
written atomically every --checkpoint-every iterations and at the end; SIGINT or
SIGTERM writes one and exits with status 130, and --max-time stops at the last
checkpoint before the limit with status 75. --resume continues exactly where the
checkpoint stopped, with the settings stored in it (only --iters, --threads,
--max-time and --quiet may change). The same --seed and --threads give bit-identical weights.
MMCNF_NOSYNC=1 in the environment skips fsync: files stay whole if the process
dies, but not if the machine does (for tests and scratch runs on slow disks).`)
	*o = recipe.Defaults()
	d := *o
	dataFlags(f, &o.Data)
	f.StringVar(&o.Base, "base", d.Base, "base distribution: gaussian (one unit-covariance component) or gmm (one per class at its mean)")
	f.StringVar(&o.BaseMean, "base-mean", d.BaseMean, "mean of the gaussian base: data (the training mean) or zero")
	f.BoolVar(&o.LearnBase, "learn-base", d.LearnBase, "learn the base's means and mixture weights")
	f.StringVar(&o.Dynamics, "dynamics", d.Dynamics, "vector field: hyperplanar, concatmlp, concatconv, or auto (hyperplanar for 2-D points, concatmlp for other points, concatconv for images)")
	f.IntVar(&o.Hidden, "hidden", d.Hidden, "hidden width H of the hyperplanar hypernetwork")
	f.IntVar(&o.Width, "width", d.Width, "number of planar units W (hyperplanar)")
	f.TextVar(&o.Dims, "dims", d.Dims, "hidden channels (concatconv) or widths (concatmlp), a comma-separated `list`")
	f.BoolVar(&o.WeightNorm, "weight-norm", d.WeightNorm, "weight normalisation of every layer (concatconv, concatmlp), as the fashion-mnist study trains")
	f.IntVar(&o.Blocks, "blocks", d.Blocks, "flows composed in sequence")
	f.StringVar(&o.Solver, "solver", d.Solver, solverHelp())
	f.Float64Var(&o.RTol, "rtol", d.RTol, "relative tolerance of adaptive solvers")
	f.Float64Var(&o.ATol, "atol", d.ATol, "absolute tolerance of adaptive solvers")
	f.IntVar(&o.Steps, "steps", d.Steps, "steps of fixed-step solvers")
	f.BoolVar(&o.Interpolate, "interpolate", d.Interpolate, interpolateHelp)
	f.Float64Var(&o.T1, "t1", d.T1, "integration time of each block")
	f.StringVar(&o.Trace, "trace", d.Trace, "trace estimator: exact, rademacher or gaussian (Hutchinson), or auto (exact for points, rademacher for images)")
	f.StringVar(&o.Grad, "grad", d.Grad, gradHelp())
	f.Float64Var(&o.Kinetic, "kinetic", d.Kinetic, "weight of the kinetic-energy regulariser (Finlay et al. 2020)")
	f.Float64Var(&o.Jacobian, "jacobian", d.Jacobian, "weight of the Jacobian Frobenius regulariser")
	tc, a := &o.Train, &o.Train.Adam
	f.IntVar(&tc.Iters, "iters", d.Train.Iters, "training iterations (Adam updates)")
	f.IntVar(&tc.Batch, "batch", d.Train.Batch, "mini-batch size, drawn uniformly with replacement")
	f.Float64Var(&a.LR, "lr", d.Train.Adam.LR, "Adam learning rate")
	f.Float64Var(&a.Beta1, "beta1", d.Train.Adam.Beta1, "Adam first-moment decay")
	f.Float64Var(&a.Beta2, "beta2", d.Train.Adam.Beta2, "Adam second-moment decay")
	f.Float64Var(&a.Eps, "adam-eps", d.Train.Adam.Eps, "Adam epsilon")
	f.IntVar(&a.Warmup, "warmup", d.Train.Adam.Warmup, "iterations of linear learning-rate warm-up (0: none)")
	f.Float64Var(&a.WeightDecay, "weight-decay", d.Train.Adam.WeightDecay, "weight decay (0: none)")
	f.StringVar(&a.DecayMode, "decay", d.Train.Adam.DecayMode, "weight-decay mode: decoupled (AdamW) or l2 (added to the gradient)")
	f.Float64Var(&tc.ClipNorm, "clip", d.Train.ClipNorm, "clip the gradient to this Euclidean norm (0: no clipping)")
	f.IntVar(&tc.EvalEvery, "eval-every", d.Train.EvalEvery, "held-out evaluation every this many iterations (0: only at the end)")
	f.IntVar(&tc.CheckpointEvery, "checkpoint-every", d.Train.CheckpointEvery, "checkpoint every this many iterations (0: only at the end)")
	f.Uint64Var(&tc.Seed, "seed", d.Train.Seed, "seed of the initial weights, mini-batches and noise")
	f.IntVar(&o.EvalBatch, "eval-batch", d.EvalBatch, "points per held-out evaluation chunk")
	f.IntVar(&o.Threads, "threads", d.Threads, "worker threads (0: all cores)")
	f.StringVar(out, "out", "", "model directory to write (required)")
	f.BoolVar(resume, "resume", false, "continue the run checkpointed in --out")
	pf.bind(f)
	return f
}

// resumeFlags are the flags --resume accepts; every other setting comes from
// the checkpoint.
var resumeFlags = map[string]bool{"out": true, "resume": true, "quiet": true, "progress-every": true, "iters": true, "threads": true, "max-time": true}

// cmdTrain runs `mmcnf train`.
func cmdTrain(args []string, stdout, stderr io.Writer) error {
	var (
		o       recipe.Options
		out     string
		resume  bool
		pf      progressFlags
		maxTime time.Duration
	)
	f := trainFlags(&o, &out, &resume, &pf)
	f.DurationVar(&maxTime, "max-time", 0, maxTimeUsage)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	if err := pf.check(f); err != nil {
		return err
	}
	if maxTime < 0 {
		return f.errorf("--max-time must not be negative, got %v", maxTime)
	}
	r, err := openTrain(f, o, out, resume)
	if err != nil {
		return err
	}
	defer r.release()
	ctx, stop := runContext(maxTime)
	defer stop()
	bar := newProgress(stderr, pf, "")
	t, err := r.plan.Run(ctx, bar.update)
	bar.finish()
	if err != nil {
		return f.failure(err)
	}
	res := t.Result
	fmt.Fprintf(stdout, "trained %s in %.1f s: held-out %s", english.Count(res.Iteration, "iteration"), res.Seconds, heldoutText(res.Heldout, t.Set.Image))
	if s, err := t.BaseAlone(); err == nil {
		fmt.Fprintf(stdout, " (base alone: %s)", heldoutText(s, t.Set.Image))
	}
	fmt.Fprintf(stdout, "\nmodel written to %s\n", out)
	return nil
}

// heldoutText writes the bits/dim of held-out statistics and, for points,
// their negative log-likelihood in nats; that of images (of the dequantised
// pixels scaled to [0, 1], hence negative) says nothing that bits/dim does
// not say better.
func heldoutText(s cnf.LossStats, image bool) string {
	if image {
		return fmt.Sprintf("bits/dim %.4f", s.BitsPerDim)
	}
	return fmt.Sprintf("bits/dim %.4f, NLL %.4f nats", s.BitsPerDim, s.NLL)
}

// trainRun is a training run, checked and planned, that holds the lock of
// its model directory.
type trainRun struct {
	plan  *recipe.Plan
	locks []*dirlock.Lock
	// made lists what taking the lock created (the lock files and the
	// directories, innermost first), to remove if the run is refused.
	made []string
}

// release gives up the locks.
func (r *trainRun) release() {
	for _, l := range r.locks {
		l.Release()
	}
}

// refuse gives up the locks, removes what taking them created and
// returns err.
func (r *trainRun) refuse(err error) (*trainRun, error) {
	r.release()
	for _, p := range r.made {
		os.Remove(p) // a directory another run has since written into stays
	}
	return nil, err
}

// lock takes the lock of dir, noting the lock file if it creates it. A
// lock another process holds is an error naming the holder.
func (r *trainRun) lock(f *cmdFlags, dir string) error {
	lockFile := filepath.Join(dir, dirlock.Name)
	_, err := os.Lstat(lockFile)
	created := errors.Is(err, fs.ErrNotExist)
	l, err := dirlock.Acquire(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	if created {
		r.made = append([]string{lockFile}, r.made...)
	}
	r.locks = append(r.locks, l)
	return nil
}

// openTrain checks the run into the model directory out, fresh or
// resumed, plans it (recipe.Prepare) and takes the lock of out, and sets
// the worker threads (0: all cores) and the fsync switch. Everything that
// can be checked is checked before anything is created: a refused fresh
// run leaves no directory behind, and a run refused once it holds the
// lock removes what it created for it.
func openTrain(f *cmdFlags, o recipe.Options, out string, resume bool) (*trainRun, error) {
	if os.Getenv("MMCNF_NOSYNC") == "1" {
		atomicfile.SetSync(false)
	}
	switch {
	case out == "":
		return nil, f.errorf("--out DIR is required")
	case resume && experiment.FinishedUnitModel(out):
		return nil, f.errorf("--resume: %s is the model of a finished study unit, whose %s beside it scores the model as it is; continue a copy of it instead (cp -r %s DIR, then --resume --out DIR)",
			out, experiment.ResultFile, out)
	case resume:
		return openResume(f, o, out)
	case recipe.HoldsModel(out):
		return nil, f.errorf("%s already holds a model; pass --resume to continue it or choose another --out", out)
	}
	if err := o.Data.CheckGiven(f.set); err != nil {
		return nil, f.failure(err)
	}
	if err := o.Validate(); err != nil {
		return nil, f.failure(err)
	}
	setRunThreads(&o)
	plan, err := recipe.Prepare(out, o, nil)
	if err != nil {
		return nil, f.failure(err)
	}
	r := &trainRun{plan: plan}
	if r.made, err = makeDirs(out); err != nil {
		return r.refuse(fmt.Errorf("%s: %w", f.Name(), err))
	}
	if err := r.lock(f, out); err != nil {
		return r.refuse(err)
	}
	if recipe.HoldsModel(out) { // written by a run that held the lock before
		return r.refuse(f.errorf("%s already holds a model; pass --resume to continue it or choose another --out", out))
	}
	return r, nil
}

// openResume is openTrain for --resume. It checks and plans the run
// before it takes the lock of out (and of the study's unit that out is
// the model directory of), so that a refused run writes nothing, not even
// the lock's record of its holder; once it holds the lock it makes sure
// that no file of the run changed meanwhile.
func openResume(f *cmdFlags, given recipe.Options, out string) (*trainRun, error) {
	var bad string
	f.Visit(func(fl *flag.Flag) {
		if !resumeFlags[fl.Name] && bad == "" {
			bad = fl.Name
		}
	})
	if bad != "" {
		return nil, f.errorf("--%s cannot be changed on --resume: the run keeps the settings of its checkpoint", bad)
	}
	if st, err := os.Stat(out); err != nil || !st.IsDir() {
		return nil, f.errorf("--resume: %s is %s", out, recipe.Describe(out))
	}
	before := runFiles(out)
	o, from, err := recipe.Resume(out)
	if err != nil {
		return nil, f.errorf("--resume: %v", err)
	}
	source := filepath.Join(out, recipe.RunFile)
	if from != nil {
		source = filepath.Join(out, train.CheckpointFile) + ": settings of the run"
	}
	if f.set("iters") {
		o.Train.Iters = given.Train.Iters
	}
	if f.set("threads") {
		o.Threads = given.Threads
	}
	if err := o.Validate(); err != nil {
		return nil, f.resumeFailure(err, source)
	}
	setRunThreads(&o)
	r := &trainRun{}
	if r.plan, err = recipe.Prepare(out, o, from); err != nil {
		return nil, f.resumeFailure(err, source)
	}
	if err := r.lock(f, out); err != nil {
		return r.refuse(err)
	}
	if unit := filepath.Dir(out); filepath.Base(out) == "model" && hasFile(unit, dirlock.Name) {
		if err := r.lock(f, unit); err != nil {
			return r.refuse(err)
		}
	}
	if changed := changedFile(before, runFiles(out)); changed != "" {
		return r.refuse(fmt.Errorf("%s: --resume: %s changed while the run was being checked; another run wrote it", f.Name(), changed))
	}
	return r, nil
}

// runFiles returns what the files of a run in dir are: each file's
// information, nil for a missing one.
func runFiles(dir string) map[string]fs.FileInfo {
	out := map[string]fs.FileInfo{}
	for _, name := range []string{train.CheckpointFile, train.LogFile, recipe.RunFile, cnf.ConfigFile, cnf.WeightsFile} {
		p := filepath.Join(dir, name)
		st, _ := os.Stat(p)
		out[p] = st
	}
	return out
}

// changedFile returns a file whose information differs between two
// runFiles of one directory ("" when none does).
func changedFile(before, after map[string]fs.FileInfo) string {
	for p, a := range before {
		b := after[p]
		if (a == nil) != (b == nil) || a != nil && (!os.SameFile(a, b) || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime())) {
			return p
		}
	}
	return ""
}

// resumeFailure is failure for a resumed run, whose settings come from
// the file named by source but for the flags given with --resume.
func (f *cmdFlags) resumeFailure(err error, source string) error {
	var se *recipe.SettingError
	var ie *recipe.InputError
	switch {
	case errors.As(err, &se) && !f.set(se.Setting):
		return f.errorf("--resume: %s: %s", source, se.InFile())
	case errors.As(err, &ie):
		return f.errorf("--resume: %v", ie)
	}
	return f.failure(err)
}

// setRunThreads resolves the worker threads of o (0: all cores) and sets
// them.
func setRunThreads(o *recipe.Options) {
	if o.Threads == 0 {
		o.Threads = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(o.Threads)
}

// makeDirs creates dir and any missing parents and returns those it
// created, innermost first.
func makeDirs(dir string) ([]string, error) {
	var missing []string
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	return missing, os.MkdirAll(dir, 0o755)
}

// hasFile reports whether dir holds an entry called name.
func hasFile(dir, name string) bool {
	_, err := os.Lstat(filepath.Join(dir, name))
	return err == nil
}

// failure maps an error of the library to the command's error: bad
// settings and input are usage errors (exit status 2) naming the flag, an
// interruption is errInterrupted, anything else a failed run.
func (f *cmdFlags) failure(err error) error {
	var se *recipe.SettingError
	var ie *recipe.InputError
	switch {
	case errors.As(err, &se):
		return f.errorf("--%v", se)
	case errors.As(err, &ie):
		return f.errorf("%v", ie)
	case errors.Is(err, train.ErrInterrupted):
		return fmt.Errorf("%s: %w: %w", f.Name(), errInterrupted, err)
	case errors.Is(err, train.ErrDeadline):
		return fmt.Errorf("%s: %w: %w", f.Name(), errResumable, err)
	}
	return fmt.Errorf("%s: %w", f.Name(), err)
}
