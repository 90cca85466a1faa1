package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train/trainbench"
	"github.com/mmcnf/mmcnf/kernels"
)

// perWorkload is an integer flag whose default depends on the workload.
type perWorkload struct {
	v   int
	set bool
}

func (p *perWorkload) String() string {
	if p == nil || !p.set {
		return "per workload"
	}
	return strconv.Itoa(p.v)
}

func (p *perWorkload) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer")
	}
	p.v, p.set = v, true
	return nil
}

// maxTimed bounds --steps-timed, whose times are kept: a million timed
// steps are more than any median needs.
const maxTimed = 1000000

// benchTrainAbout is what `mmcnf bench train -h` says the command does.
const benchTrainAbout = "Times full training steps (forward solve with the trace, gradient by backprop\n" +
	"through the solver, gradient clipping and the Adam update, as `mmcnf train`\n" +
	"runs them) on the workloads of DESIGN.md, float64, on fixed seeded inputs:\n" +
	"  planar2d  HyperPlanar (H 32, W 64) on 2-D moons, batch 512, exact trace, RK4 8 steps\n" +
	"  conv16    ConcatConv 64,64,64 on 1x16x16 images, batch 64, Rademacher trace, RK4 4 steps\n" +
	"After the warm-up it reports the median and least time of the timed steps,\n" +
	"samples/s, heap allocations per step, for conv16 the nominal GFLOP per step\n" +
	"(6 x conv FLOP x batch x forward evaluations) and GFLOP/s, and peak_rss_mb: the\n" +
	"peak resident memory of the whole process so far (with --workload all, of\n" +
	"every workload run before it too). With several implementations their steps\n" +
	"alternate, one model each, and one record per implementation follows.\n" +
	"--batch changes the batch of the workloads (DESIGN.md's targets are at the\n" +
	"defaults)."

// benchTrainFlags binds the flags of `mmcnf bench train`.
type benchTrainFlags struct {
	workload, impl       string
	asJSON               bool
	timed, warmup, batch perWorkload
	threads              int
}

// newBenchTrainFlags declares the flags of `mmcnf bench train`.
func newBenchTrainFlags(b *benchTrainFlags) *cmdFlags {
	f := newFlags("bench train", "mmcnf bench train --workload planar2d|conv16|all [--json] [--impl avx2|purego|avx2,purego] [--steps-timed N] [--warmup N] [--threads N] [--batch N]", benchTrainAbout)
	f.StringVar(&b.workload, "workload", "", "planar2d, conv16 or all (required)")
	f.BoolVar(&b.asJSON, "json", false, "print one JSON record per workload instead of a table")
	f.StringVar(&b.impl, "impl", kernels.Impl(), "kernels to run: avx2 or purego, or a comma-separated list such as avx2,purego whose steps alternate (the default is the start-up choice; MMCNF_PUREGO=1 makes it purego)")
	f.Var(&b.timed, "steps-timed", "`N` timed steps, at least 5 (planar2d 50, conv16 5)")
	f.Var(&b.warmup, "warmup", "`N` untimed steps first (planar2d 20, conv16 2)")
	f.IntVar(&b.threads, "threads", 0, "`N` worker threads (0: all cores)")
	f.Var(&b.batch, "batch", "`N` samples per step (planar2d 512, conv16 64)")
	return f
}

// benchTrain implements `mmcnf bench train`.
func benchTrain(args []string, stdout, stderr io.Writer) error {
	return runBenchTrain(args, stdout, nil)
}

// runBenchTrain is benchTrain with a hook that may change each workload
// before it runs (tests shrink them).
func runBenchTrain(args []string, stdout io.Writer, adjust func(*trainbench.Workload)) error {
	var b benchTrainFlags
	f := newBenchTrainFlags(&b)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	names, opts, impls, err := b.options(f)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	if !b.asJSON {
		fmt.Fprintf(stdout, "# bench train: threads %d, float64\n", opts.Threads)
		fmt.Fprintf(stdout, "%-9s %-6s %6s %-6s %4s %6s %10s %10s %11s %8s %9s\n",
			"workload", "impl", "batch", "solver", "nfe", "timed", "median_s", "min_s", "samples/s", "GFLOP/s", "peak_MiB")
	}
	err = trainbench.RunWorkloads(names, opts, impls, adjust, func(rs []trainbench.Result) error {
		for _, r := range rs {
			if err := printTrainResult(stdout, enc, b.asJSON, r); err != nil {
				return err
			}
		}
		for _, r := range rs[1:] {
			if !b.asJSON {
				fmt.Fprintf(stdout, "# %s: %s median / %s median = %.3g\n", rs[0].Workload, r.Impl, rs[0].Impl, r.MedianS/rs[0].MedianS)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mmcnf bench train: %w", err)
	}
	return nil
}

// options checks the flags and returns the workloads to run, the options
// of the runs and the implementations to compare.
func (b *benchTrainFlags) options(f *cmdFlags) ([]string, trainbench.Options, []string, error) {
	opts := trainbench.Options{Warmup: -1, Threads: b.threads, Seed: 1, Timed: b.timed.v, Batch: b.batch.v}
	names := trainbench.Names()
	switch {
	case b.workload == "":
		return nil, opts, nil, f.errorf("--workload is required: planar2d, conv16 or all")
	case b.workload != "all":
		if err := f.oneOf("workload", b.workload, append(names, "all")...); err != nil {
			return nil, opts, nil, err
		}
		names = []string{b.workload}
	}
	if b.timed.set && b.timed.v < trainbench.MinTimed {
		return nil, opts, nil, f.errorf("--steps-timed must be at least %d, got %d", trainbench.MinTimed, b.timed.v)
	}
	if b.timed.set && b.timed.v > maxTimed {
		return nil, opts, nil, f.errorf("--steps-timed must be at most %d, got %d", maxTimed, b.timed.v)
	}
	if b.warmup.set {
		if err := f.nonNegativeInt("warmup", b.warmup.v); err != nil {
			return nil, opts, nil, err
		}
		opts.Warmup = b.warmup.v
	}
	if b.batch.set && b.batch.v < 1 {
		return nil, opts, nil, f.errorf("--batch must be positive, got %d", b.batch.v)
	}
	if err := f.threads(b.threads); err != nil {
		return nil, opts, nil, err
	}
	impls := strings.Split(b.impl, ",")
	for i, name := range impls {
		if err := f.oneOf("impl", name, kernels.Available()...); err != nil {
			return nil, opts, nil, err
		}
		if slices.Contains(impls[:i], name) {
			return nil, opts, nil, f.errorf("--impl names %s twice", name)
		}
	}
	if opts.Threads == 0 {
		opts.Threads = runtime.NumCPU()
	}
	for _, name := range names {
		w, err := trainbench.Lookup(name)
		if err != nil {
			return nil, opts, nil, err
		}
		if b.batch.set {
			w.Batch = b.batch.v
		}
		if err := recipe.CheckSteps(w.Config, w.Batch, opts.Threads, len(impls)); err != nil {
			return nil, opts, nil, f.failure(err)
		}
	}
	return names, opts, impls, nil
}

// printTrainResult prints one workload's result as a JSON line or a table
// row.
func printTrainResult(w io.Writer, enc *json.Encoder, asJSON bool, r trainbench.Result) error {
	if asJSON {
		return enc.Encode(r)
	}
	gflops := "-"
	if r.GFLOPS > 0 {
		gflops = fmt.Sprintf("%.2f", r.GFLOPS)
	}
	_, err := fmt.Fprintf(w, "%-9s %-6s %6d %-6s %4d %6d %10.4g %10.4g %11.4g %8s %9.0f\n",
		r.Workload, r.Impl, r.Batch, r.Solver, r.ForwardNFE, r.Timed, r.MedianS, r.MinS, r.SamplesPerS, gflops, r.PeakRSSMB)
	return err
}
