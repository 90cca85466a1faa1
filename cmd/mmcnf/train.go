package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// runFile is written beside the model: the settings of the run that made it
// (dataset, classes in component order), read back by eval and sample.
const runFile = "run.json"

// trainOptions are the settings of `mmcnf train`, stored in every
// checkpoint so that --resume rebuilds the same run.
type trainOptions struct {
	Data      dataOptions `json:"dataset"`
	Base      string      `json:"base"`
	BaseMean  string      `json:"base_mean"`
	LearnBase bool        `json:"learn_base"`
	Dynamics  string      `json:"dynamics"`
	Hidden    int         `json:"hidden"`
	Width     int         `json:"width"`
	Dims      string      `json:"dims"`
	Blocks    int         `json:"blocks"`
	Solver    string      `json:"solver"`
	RTol      float64     `json:"rtol"`
	ATol      float64     `json:"atol"`
	Steps     int         `json:"steps"`
	T1        float64     `json:"t1"`
	Trace     string      `json:"trace"`
	Grad      string      `json:"grad"`
	Kinetic   float64     `json:"kinetic"`
	Jacobian  float64     `json:"jacobian"`
	EvalBatch int         `json:"eval_batch"`
	Threads   int         `json:"threads"`

	Train train.Config `json:"train"`
}

// trainFlags binds the flags of `mmcnf train` to o.
func trainFlags(o *trainOptions, out *string, resume, quiet *bool) *cmdFlags {
	f := newFlags("train", "mmcnf train --data NAME [--classes 0,1] --base gaussian|gmm --out DIR [flags]",
		`Trains a continuous normalising flow by maximum likelihood with Adam and writes
the model directory DIR: config.json and weights.npz (the model), checkpoint.npz
(Adam's moments, iteration and generator state, for --resume), train.jsonl (one
JSON line per held-out evaluation) and run.json (these settings). Checkpoints are
written atomically every --checkpoint-every iterations and at the end; SIGINT or
SIGTERM writes one and exits with status 130. --resume continues exactly where the
checkpoint stopped, with the settings stored in it (only --iters, --threads and
--quiet may change). The same --seed and --threads give bit-identical weights.
MMCNF_NOSYNC=1 in the environment skips fsync: files stay whole if the process
dies, but not if the machine does (for tests and scratch runs on slow disks).`)
	d := train.DefaultConfig()
	dataFlags(f, &o.Data, "0,1")
	f.StringVar(&o.Base, "base", cnf.BaseGaussian, "base distribution: gaussian (one unit-covariance component) or gmm (one per class at its mean)")
	f.StringVar(&o.BaseMean, "base-mean", "data", "mean of the gaussian base: data (the training mean) or zero")
	f.BoolVar(&o.LearnBase, "learn-base", false, "learn the base's means and mixture weights")
	f.StringVar(&o.Dynamics, "dynamics", "auto", "vector field: hyperplanar, concatmlp, concatconv, or auto (hyperplanar for 2-D points, concatmlp for other points, concatconv for images)")
	f.IntVar(&o.Hidden, "hidden", 32, "hidden width H of the hyperplanar hypernetwork")
	f.IntVar(&o.Width, "width", 64, "number of planar units W (hyperplanar)")
	f.StringVar(&o.Dims, "dims", "64,64,64", "hidden channels (concatconv) or widths (concatmlp), comma-separated")
	f.IntVar(&o.Blocks, "blocks", 1, "flows composed in sequence")
	f.StringVar(&o.Solver, "solver", "dopri5", "ODE solver: dopri5, tsit5 (adaptive), rk4, rk38, euler (fixed step)")
	f.Float64Var(&o.RTol, "rtol", 1e-5, "relative tolerance of adaptive solvers")
	f.Float64Var(&o.ATol, "atol", 1e-5, "absolute tolerance of adaptive solvers")
	f.IntVar(&o.Steps, "steps", 8, "steps of fixed-step solvers")
	f.Float64Var(&o.T1, "t1", 1, "integration time of each block")
	f.StringVar(&o.Trace, "trace", "auto", "trace estimator: exact, rademacher or gaussian (Hutchinson), or auto (exact for points, rademacher for images)")
	f.StringVar(&o.Grad, "grad", cnf.GradBackprop, "gradient method: backprop (through the solver) or adjoint")
	f.Float64Var(&o.Kinetic, "kinetic", 0, "weight of the kinetic-energy regulariser (Finlay et al. 2020)")
	f.Float64Var(&o.Jacobian, "jacobian", 0, "weight of the Jacobian Frobenius regulariser")
	f.IntVar(&o.Train.Iters, "iters", d.Iters, "training iterations (Adam updates)")
	f.IntVar(&o.Train.Batch, "batch", d.Batch, "mini-batch size, drawn uniformly with replacement")
	f.Float64Var(&o.Train.Adam.LR, "lr", d.Adam.LR, "Adam learning rate")
	f.Float64Var(&o.Train.Adam.Beta1, "beta1", d.Adam.Beta1, "Adam first-moment decay")
	f.Float64Var(&o.Train.Adam.Beta2, "beta2", d.Adam.Beta2, "Adam second-moment decay")
	f.Float64Var(&o.Train.Adam.Eps, "adam-eps", d.Adam.Eps, "Adam epsilon")
	f.IntVar(&o.Train.Adam.Warmup, "warmup", d.Adam.Warmup, "iterations of linear learning-rate warm-up (0: none)")
	f.Float64Var(&o.Train.Adam.WeightDecay, "weight-decay", d.Adam.WeightDecay, "weight decay (0: none)")
	f.StringVar(&o.Train.Adam.DecayMode, "decay", d.Adam.DecayMode, "weight-decay mode: decoupled (AdamW) or l2 (added to the gradient)")
	f.Float64Var(&o.Train.ClipNorm, "clip", d.ClipNorm, "clip the gradient to this Euclidean norm (0: no clipping)")
	f.IntVar(&o.Train.EvalEvery, "eval-every", d.EvalEvery, "held-out evaluation every this many iterations (0: only at the end)")
	f.IntVar(&o.Train.CheckpointEvery, "checkpoint-every", d.CheckpointEvery, "checkpoint every this many iterations (0: only at the end)")
	f.Uint64Var(&o.Train.Seed, "seed", d.Seed, "seed of the initial weights, mini-batches and noise")
	f.IntVar(&o.EvalBatch, "eval-batch", 1000, "points per held-out evaluation chunk")
	f.IntVar(&o.Threads, "threads", 0, "worker threads (0: all cores)")
	f.StringVar(out, "out", "", "model directory to write (required)")
	f.BoolVar(resume, "resume", false, "continue the run checkpointed in --out")
	f.BoolVar(quiet, "quiet", false, "no progress bar (it is also off when stderr is not a terminal)")
	return f
}

// validate checks every option that does not need the data and returns
// the parsed --dims.
func (o *trainOptions) validate(f *cmdFlags) ([]int, error) {
	if err := o.Data.check(f, f.set("classes")); err != nil {
		return nil, err
	}
	dims, err := f.parseInts("dims", o.Dims, false)
	if err != nil {
		return nil, err
	}
	for _, d := range dims {
		if d == 0 {
			return nil, f.errorf("--dims must be positive, got %s", o.Dims)
		}
	}
	checks := []error{
		f.oneOf("dynamics", o.Dynamics, "auto", cnf.HyperPlanar, cnf.ConcatMLP, cnf.ConcatConv),
		f.oneOf("base", o.Base, cnf.BaseGaussian, cnf.BaseGMM),
		f.oneOf("base-mean", o.BaseMean, "data", "zero"),
		f.positiveInt("hidden", o.Hidden),
		f.positiveInt("width", o.Width),
		f.positiveInt("blocks", o.Blocks),
		f.oneOf("solver", o.Solver, "dopri5", "tsit5", "rk4", "rk38", "euler"),
		f.positiveFloat("rtol", o.RTol),
		f.positiveFloat("atol", o.ATol),
		f.positiveInt("steps", o.Steps),
		f.positiveFloat("t1", o.T1),
		f.oneOf("trace", o.Trace, "auto", cnf.TraceExact, cnf.TraceRademacher, cnf.TraceGaussian),
		f.oneOf("grad", o.Grad, cnf.GradBackprop, cnf.GradAdjoint),
		f.nonNegativeFloat("kinetic", o.Kinetic),
		f.nonNegativeFloat("jacobian", o.Jacobian),
		f.positiveInt("iters", o.Train.Iters),
		f.positiveInt("batch", o.Train.Batch),
		f.positiveFloat("lr", o.Train.Adam.LR),
		f.positiveFloat("adam-eps", o.Train.Adam.Eps),
		f.nonNegativeInt("warmup", o.Train.Adam.Warmup),
		f.nonNegativeFloat("weight-decay", o.Train.Adam.WeightDecay),
		f.oneOf("decay", o.Train.Adam.DecayMode, train.DecayDecoupled, train.DecayL2),
		f.nonNegativeFloat("clip", o.Train.ClipNorm),
		f.nonNegativeInt("eval-every", o.Train.EvalEvery),
		f.nonNegativeInt("checkpoint-every", o.Train.CheckpointEvery),
		f.positiveInt("eval-batch", o.EvalBatch),
		f.nonNegativeInt("threads", o.Threads),
	}
	for _, err := range checks {
		if err != nil {
			return nil, err
		}
	}
	for _, b := range []struct {
		name string
		v    float64
	}{{"beta1", o.Train.Adam.Beta1}, {"beta2", o.Train.Adam.Beta2}} {
		if !(b.v >= 0 && b.v < 1) {
			return nil, f.errorf("--%s must lie in [0, 1), got %v", b.name, b.v)
		}
	}
	return dims, nil
}

// modelConfig is the flow's configuration for these options and training
// data (labels already mapped to component indices 0..components-1).
func (o *trainOptions) modelConfig(set *data.Set, dims []int, tr train.Dataset, components int) cnf.Config {
	shape := shapeOf(set)
	dyn := o.Dynamics
	if dyn == "auto" {
		switch {
		case set.Image:
			dyn = cnf.ConcatConv
		case set.Dim == 2:
			dyn = cnf.HyperPlanar
		default:
			dyn = cnf.ConcatMLP
		}
	}
	trace := o.Trace
	if trace == "auto" {
		trace = cnf.TraceExact
		if set.Image {
			trace = cnf.TraceRademacher
		}
	}
	cfg := cnf.Config{
		Shape:    shape,
		Dynamics: cnf.DynamicsConfig{Kind: dyn},
		Blocks:   o.Blocks,
		Base:     cnf.BaseConfig{Kind: o.Base, Learnable: o.LearnBase},
		Trace:    trace,
		Solver: cnf.SolverConfig{
			Method: o.Solver, RTol: o.RTol, ATol: o.ATol, T1: o.T1, Gradient: o.Grad,
		},
		Preprocess: cnf.PreprocessConfig{Dequantize: set.Image, Logit: set.Image},
		Regularize: cnf.RegularizeConfig{Kinetic: o.Kinetic, Jacobian: o.Jacobian},
	}
	if dyn == cnf.HyperPlanar {
		cfg.Dynamics.Hidden, cfg.Dynamics.Width = o.Hidden, o.Width
	} else {
		cfg.Dynamics.Dims = dims
	}
	switch o.Solver {
	case "rk4", "rk38", "euler":
		cfg.Solver.Steps = o.Steps
	}
	if set.Image {
		cfg.Preprocess.Alpha = imageAlpha
		tr = train.Dataset{X: flowSpace(tr.X, imageAlpha), Labels: tr.Labels, Dim: tr.Dim}
	}
	switch {
	case o.Base == cnf.BaseGMM:
		cfg.Base.Means = classMeans(tr, components)
	case o.BaseMean == "data":
		cfg.Base.Means = classMeans(train.Dataset{X: tr.X, Labels: make([]int, tr.Len()), Dim: tr.Dim}, 1)
	}
	return cfg
}

// imageAlpha is the logit transform's margin for 8-bit images (FFJORD's 1e-6).
const imageAlpha = 1e-6

// flowSpace maps 8-bit pixel values to the space the flow sees, taking the
// dequantisation noise at its mean 1/2: logit(alpha + (1 - 2 alpha)(x + 1/2)/256).
// The base means of image models are means of these values.
func flowSpace(x []float64, alpha float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		p := alpha + (1-2*alpha)*(v+0.5)/256
		out[i] = math.Log(p) - math.Log1p(-p)
	}
	return out
}

// classMeans returns the mean point of each label 0..k-1.
func classMeans(d train.Dataset, k int) [][]float64 {
	means := make([][]float64, k)
	counts := make([]int, k)
	for i := range means {
		means[i] = make([]float64, d.Dim)
	}
	for i, l := range d.Labels {
		counts[l]++
		for j := range d.Dim {
			means[l][j] += d.X[i*d.Dim+j]
		}
	}
	for i := range means {
		for j := range means[i] {
			means[i][j] /= float64(counts[i])
		}
	}
	return means
}

// relabel maps each label to its position in classes (the component index);
// labels outside classes become -1.
func relabel(d *train.Dataset, classes []int) {
	index := map[int]int{}
	for i, c := range classes {
		index[c] = i
	}
	for i, l := range d.Labels {
		if k, ok := index[l]; ok {
			d.Labels[i] = k
		} else {
			d.Labels[i] = -1
		}
	}
}

// resumeFlags are the flags --resume accepts; every other setting comes from
// the checkpoint.
var resumeFlags = map[string]bool{"out": true, "resume": true, "quiet": true, "iters": true, "threads": true}

// cmdTrain runs `mmcnf train`.
func cmdTrain(args []string, stdout, stderr io.Writer) error {
	var (
		o             trainOptions
		out           string
		resume, quiet bool
	)
	f := trainFlags(&o, &out, &resume, &quiet)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	if os.Getenv("MMCNF_NOSYNC") == "1" {
		atomicfile.SetSync(false)
	}
	if out == "" {
		return f.errorf("--out DIR is required")
	}
	var ckpt *train.Checkpoint
	if resume {
		var err error
		if ckpt, err = readResume(f, out, &o); err != nil {
			return err
		}
	} else if train.HasCheckpoint(out) || exists(filepath.Join(out, "config.json")) {
		return f.errorf("%s already holds a model; pass --resume to continue it or choose another --out", out)
	}
	dims, err := o.validate(f)
	if err != nil {
		return err
	}
	if o.Threads == 0 {
		o.Threads = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(o.Threads)

	set, err := o.Data.load(f)
	if err != nil {
		return err
	}
	if set.Test.N == 0 && data.IsPointFile(o.Data.Name) {
		// A file of points has no test split: hold 10% of it out.
		if set.Train, set.Test, err = set.Train.HoldOut(0.1, o.Data.Seed); err != nil {
			return f.errorf("--data: %v", err)
		}
	}
	if set.Train.N == 0 || set.Test.N == 0 {
		return f.errorf("--data %s has no training or no test points", o.Data.Name)
	}
	trainSet, heldout := dataset(set.Train), dataset(set.Test)
	relabel(&trainSet, set.Classes)
	relabel(&heldout, set.Classes)

	var model *cnf.Model
	if ckpt != nil {
		if model, err = cnf.Load(out); err != nil {
			return f.errorf("--resume: %v", err)
		}
	} else if model, err = cnf.New(o.modelConfig(set, dims, trainSet, len(set.Classes)), o.Train.Seed); err != nil {
		return f.errorf("%v", err)
	}
	if model.D() != set.Dim {
		return f.errorf("--resume: the model in %s has %d dimensions, the data %d", out, model.D(), set.Dim)
	}
	meta, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if ckpt == nil {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("mmcnf train: %w", err)
		}
		if err := atomicfile.WriteBytes(filepath.Join(out, runFile), append(meta, '\n')); err != nil {
			return fmt.Errorf("mmcnf train: %w", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := 0
	if ckpt != nil {
		start = ckpt.Iteration
	}
	bar := newProgress(stderr, quiet, "train", o.Train.Iters, start)
	tr := &train.Trainer{
		Model:   &train.CNF{Model: model, EvalBatch: o.EvalBatch, EvalSeed: o.Train.Seed},
		Train:   trainSet,
		Heldout: heldout,
		Config:  o.Train,
		Dir:     out,
		Meta:    meta,
		Progress: func(p train.Progress) {
			bar.update(p.Iteration, fmt.Sprintf("loss %.4f nfe %d", p.Stats.Loss, p.Stats.NFEForward))
		},
	}
	res, err := tr.Run(ctx, ckpt)
	bar.finish()
	if errors.Is(err, train.ErrInterrupted) {
		return fmt.Errorf("mmcnf train: %w: %w", errInterrupted, err)
	}
	if err != nil {
		return fmt.Errorf("mmcnf train: %w", err)
	}
	return reportTraining(stdout, model, heldout, &o, out, res)
}

// readResume reads the checkpoint in dir and replaces o with the options
// stored in it, keeping only the flags --resume may change.
func readResume(f *cmdFlags, dir string, o *trainOptions) (*train.Checkpoint, error) {
	var bad string
	f.Visit(func(fl *flag.Flag) {
		if !resumeFlags[fl.Name] && bad == "" {
			bad = fl.Name
		}
	})
	if bad != "" {
		return nil, f.errorf("--%s cannot be changed on --resume: the run keeps the settings of its checkpoint", bad)
	}
	if !train.HasCheckpoint(dir) {
		// A run killed before its first checkpoint left only its settings:
		// it starts again from iteration 0, which with the same seed is the
		// run it would have been.
		if meta, err := os.ReadFile(filepath.Join(dir, runFile)); err == nil {
			var stored trainOptions
			if err := json.Unmarshal(meta, &stored); err != nil {
				return nil, f.errorf("--resume: %s: %v", filepath.Join(dir, runFile), err)
			}
			iters, threads := o.Train.Iters, o.Threads
			*o = stored
			if f.set("iters") {
				o.Train.Iters = iters
			}
			if f.set("threads") {
				o.Threads = threads
			}
			return nil, nil
		}
	}
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		return nil, f.errorf("--resume: %v", err)
	}
	var stored trainOptions
	if err := json.Unmarshal(c.Meta, &stored); err != nil {
		return nil, f.errorf("--resume: %s: settings of the run: %v", filepath.Join(dir, train.CheckpointFile), err)
	}
	iters, threads := o.Train.Iters, o.Threads
	*o = stored
	o.Train.Iters = c.Config.Iters
	if f.set("iters") {
		o.Train.Iters = iters
	}
	if f.set("threads") {
		o.Threads = threads
	}
	return c, nil
}

// reportTraining prints the held-out result against the base alone.
func reportTraining(w io.Writer, m *cnf.Model, heldout train.Dataset, o *trainOptions, dir string, res train.Result) error {
	fmt.Fprintf(w, "trained %d iterations in %.1f s: held-out bits/dim %.4f, NLL %.4f nats",
		res.Iteration, res.Seconds, res.Heldout.BitsPerDim, res.Heldout.NLL)
	if b, err := m.BaseOnly(); err == nil {
		ref := &train.CNF{Model: b, EvalBatch: o.EvalBatch, EvalSeed: o.Train.Seed}
		if s, err := ref.Evaluate(heldout); err == nil {
			fmt.Fprintf(w, " (base alone: bits/dim %.4f, NLL %.4f nats)", s.BitsPerDim, s.NLL)
		}
	}
	fmt.Fprintf(w, "\nmodel written to %s\n", dir)
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
