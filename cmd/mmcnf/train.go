package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
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
	o, from, err := trainOptions(f, o, out, resume)
	if err != nil {
		return err
	}
	ctx, stop := runContext(maxTime)
	defer stop()
	bar := newProgress(stderr, pf, "")
	t, err := recipe.Train(ctx, out, o, from, bar.update)
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

// trainOptions returns the options of the run into the model directory
// out and the checkpoint it continues (nil for a fresh run), checked, and
// sets the worker threads (0: all cores) and the fsync switch.
func trainOptions(f *cmdFlags, o recipe.Options, out string, resume bool) (recipe.Options, *train.Checkpoint, error) {
	if os.Getenv("MMCNF_NOSYNC") == "1" {
		atomicfile.SetSync(false)
	}
	var from *train.Checkpoint
	switch {
	case out == "":
		return o, nil, f.errorf("--out DIR is required")
	case resume && experiment.FinishedUnitModel(out):
		return o, nil, f.errorf("--resume: %s is the model of a finished study unit, whose %s beside it scores the model as it is; continue a copy of it instead (cp -r %s DIR, then --resume --out DIR)",
			out, experiment.ResultFile, out)
	case resume:
		var err error
		if o, from, err = resumeOptions(f, out, o); err != nil {
			return o, nil, err
		}
	case recipe.HoldsModel(out):
		return o, nil, f.errorf("%s already holds a model; pass --resume to continue it or choose another --out", out)
	}
	if err := o.Data.CheckGiven(f.set); err != nil {
		return o, nil, f.failure(err)
	}
	if err := o.Validate(); err != nil {
		return o, nil, f.failure(err)
	}
	if o.Threads == 0 {
		o.Threads = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(o.Threads)
	return o, from, nil
}

// resumeOptions returns the options and checkpoint of the run in dir,
// with --iters and --threads replacing the stored ones when given; the
// other flags cannot change on --resume.
func resumeOptions(f *cmdFlags, dir string, given recipe.Options) (recipe.Options, *train.Checkpoint, error) {
	var bad string
	f.Visit(func(fl *flag.Flag) {
		if !resumeFlags[fl.Name] && bad == "" {
			bad = fl.Name
		}
	})
	if bad != "" {
		return given, nil, f.errorf("--%s cannot be changed on --resume: the run keeps the settings of its checkpoint", bad)
	}
	o, from, err := recipe.Resume(dir)
	if err != nil {
		return given, nil, f.errorf("--resume: %v", err)
	}
	if f.set("iters") {
		o.Train.Iters = given.Train.Iters
	}
	if f.set("threads") {
		o.Threads = given.Threads
	}
	return o, from, nil
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
