package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/train/trainbench"
	"github.com/mmcnf/mmcnf/kernels"
)

// minTimedSteps is the least number of timed steps whose median
// `bench train` reports.
const minTimedSteps = 5

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

// benchTrain implements `mmcnf bench train`.
func benchTrain(args []string, stdout, stderr io.Writer) error {
	return runBenchTrain(args, stdout, nil)
}

// runBenchTrain is benchTrain with a hook that may change each workload
// before it runs (tests shrink them).
func runBenchTrain(args []string, stdout io.Writer, adjust func(*trainbench.Workload)) error {
	fs := newFlags("bench train", "mmcnf bench train --workload planar2d|conv16|all [--json] [--impl avx2|purego|avx2,purego] [--steps-timed N] [--warmup N] [--threads N] [--batch N]",
		"Times full training steps (forward solve with the trace, gradient by backprop\n"+
			"through the solver, gradient clipping and the Adam update, as `mmcnf train`\n"+
			"runs them) on the workloads of DESIGN.md, float64, on fixed seeded inputs:\n"+
			"  planar2d  HyperPlanar (H 32, W 64) on 2-D moons, batch 512, exact trace, RK4 8 steps\n"+
			"  conv16    ConcatConv 64,64,64 on 1x16x16 images, batch 64, Rademacher trace, RK4 4 steps\n"+
			"After the warm-up it reports the median and least time of the timed steps,\n"+
			"samples/s, heap allocations per step, for conv16 the nominal GFLOP per step\n"+
			"(6 x conv FLOP x batch x forward evaluations) and GFLOP/s, and peak_rss_mb: the\n"+
			"peak resident memory of the whole process so far (with --workload all, of\n"+
			"every workload run before it too). With several implementations their steps\n"+
			"alternate, one model each, and one record per implementation follows.\n"+
			"--batch changes the batch of the workloads (DESIGN.md's targets are at the\n"+
			"defaults).")
	workload := fs.String("workload", "", "planar2d, conv16 or all (required)")
	asJSON := fs.Bool("json", false, "print one JSON record per workload instead of a table")
	impl := fs.String("impl", kernels.Impl(), "kernels to run: avx2 or purego, or a comma-separated list such as avx2,purego whose steps alternate (the default is the start-up choice; MMCNF_PUREGO=1 makes it purego)")
	var timed, warmup, batch perWorkload
	fs.Var(&timed, "steps-timed", "`N` timed steps, at least 5 (planar2d 50, conv16 5)")
	fs.Var(&warmup, "warmup", "`N` untimed steps first (planar2d 20, conv16 2)")
	threads := fs.Int("threads", 0, "`N` worker threads (0: all cores)")
	fs.Var(&batch, "batch", "`N` samples per step (planar2d 512, conv16 64)")
	if done, err := fs.parse(args, stdout); done || err != nil {
		return err
	}
	if *workload == "" {
		return fs.errorf("--workload is required: planar2d, conv16 or all")
	}
	names := trainbench.Names()
	if *workload != "all" {
		if err := fs.oneOf("workload", *workload, append(names, "all")...); err != nil {
			return err
		}
		names = []string{*workload}
	}
	if timed.set && timed.v < minTimedSteps {
		return fs.errorf("--steps-timed must be at least %d, got %d", minTimedSteps, timed.v)
	}
	if warmup.set {
		if err := fs.nonNegativeInt("warmup", warmup.v); err != nil {
			return err
		}
	}
	if batch.set && batch.v < 1 {
		return fs.errorf("--batch must be positive, got %d", batch.v)
	}
	if err := fs.nonNegativeInt("threads", *threads); err != nil {
		return err
	}
	impls := strings.Split(*impl, ",")
	for i, name := range impls {
		if err := fs.oneOf("impl", name, kernels.Available()...); err != nil {
			return err
		}
		if slices.Contains(impls[:i], name) {
			return fs.errorf("--impl names %s twice", name)
		}
	}
	opts := trainbench.Options{Warmup: -1, Threads: *threads, Seed: 1}
	if opts.Threads == 0 {
		opts.Threads = runtime.NumCPU()
	}
	if timed.set {
		opts.Timed = timed.v
	}
	if warmup.set {
		opts.Warmup = warmup.v
	}

	enc := json.NewEncoder(stdout)
	if !*asJSON {
		fmt.Fprintf(stdout, "# bench train: threads %d, float64\n", opts.Threads)
		fmt.Fprintf(stdout, "%-9s %-6s %6s %-6s %4s %6s %10s %10s %11s %8s %9s\n",
			"workload", "impl", "batch", "solver", "nfe", "timed", "median_s", "min_s", "samples/s", "GFLOP/s", "peak_MiB")
	}
	for _, name := range names {
		w, err := trainbench.Lookup(name)
		if err != nil {
			return fs.errorf("--workload: %v", err)
		}
		if batch.set {
			w.Batch = batch.v
		}
		if adjust != nil {
			adjust(&w)
		}
		rs, err := trainbench.RunImpls(w, opts, impls)
		if err != nil {
			return fmt.Errorf("mmcnf bench train: %w", err)
		}
		peak := trainbench.PeakRSSMB()
		for _, r := range rs {
			r.PeakRSSMB = peak
			if err := printTrainResult(stdout, enc, *asJSON, r); err != nil {
				return err
			}
		}
		if !*asJSON {
			for _, r := range rs[1:] {
				fmt.Fprintf(stdout, "# %s: %s median / %s median = %.3g\n", rs[0].Workload, r.Impl, rs[0].Impl, r.MedianS/rs[0].MedianS)
			}
		}
	}
	return nil
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
