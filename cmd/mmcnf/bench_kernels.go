package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mmcnf/mmcnf/kernels"
	"github.com/mmcnf/mmcnf/kernels/kernelbench"
)

// benchKernels implements `mmcnf bench kernels`: it times every registered
// kernel case under the selected implementations, single-threaded, and
// prints a table or one JSON line per record.
func benchKernels(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench kernels", "mmcnf bench kernels [--json] [--filter REGEXP] [--impl avx512|avx2|purego|gonum[,...]|all]",
		"Times every kernel (GEMM, GEMV, dot, axpy, ... and the families registered in\n"+
			"kernels/kernelbench) on one core under each implementation (every kernel tier\n"+
			"this machine runs, and gonum where it has the kernel) and reports the\n"+
			"median over --reps repetitions of the time per call and its GFLOP/s or\n"+
			"Gelem/s, and the fastest repetition. gonum rows time gonum's blas64 on the\n"+
			"same shapes. The implementations of a case alternate within each repetition,\n"+
			"so that their ratio holds on a machine whose speed varies. Operands of 2 MiB\n"+
			"and more come from kernels.MakeFloats (advised for huge pages on Linux).")
	asJSON := fs.Bool("json", false, "print one JSON record per line instead of a table")
	filter := fs.String("filter", "", "only cases whose \"kernel/shape/impl\" matches this regular expression (empty: all)")
	impl := fs.String("impl", "all", "implementations to time: a comma-separated list of kernel tiers (avx512, avx2, purego) and gonum, or all (every tier this machine runs, and gonum)")
	reps := fs.Int("reps", 5, "timed repetitions per case; the median is reported")
	minTime := fs.Duration("min-time", 100*time.Millisecond, "least duration of one repetition")
	if done, err := fs.parse(args, stdout); done || err != nil {
		return err
	}
	opts := kernelbench.Options{Reps: *reps, MinTime: *minTime}
	if err := fs.positiveInt("reps", *reps); err != nil {
		return err
	}
	if *minTime <= 0 {
		return fs.errorf("--min-time must be positive, got %v", *minTime)
	}
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return fs.errorf("--filter: %v", err)
		}
		opts.Filter = re
	}
	if *impl != "all" {
		opts.Impls = strings.Split(*impl, ",")
		for i, name := range opts.Impls {
			if err := fs.oneOf("impl", name, append(kernels.Available(), kernelbench.Gonum, "all")...); err != nil {
				return err
			}
			if name == "all" {
				return fs.errorf("--impl all stands alone, got %q", *impl)
			}
			if slices.Contains(opts.Impls[:i], name) {
				return fs.errorf("--impl names %s twice", name)
			}
		}
	}

	enc := json.NewEncoder(stdout)
	emit := func(r kernelbench.Record) error { return enc.Encode(r) }
	if !*asJSON {
		emit = func(r kernelbench.Record) error {
			rate, unit := r.GFLOPs, "GFLOP/s"
			if r.GElems != 0 {
				rate, unit = r.GElems, "Gelem/s"
			}
			_, err := fmt.Fprintf(stdout, "%-16s %-26s %-7s %10.3f %-7s %14.0f %14.0f\n", r.Kernel, r.Shape, r.Impl, rate, unit, r.NsPerOp, r.MinNsPerOp)
			return err
		}
	}
	// The table's header is printed with the first record, so that a
	// selection of no case prints nothing but its error.
	records := 0
	err := kernelbench.Run(opts, func(r kernelbench.Record) error {
		if records == 0 && !*asJSON {
			fmt.Fprintf(stdout, "# kernels: %s (available: %v); single-threaded, median of %d\n", kernels.Impl(), kernels.Available(), *reps)
			fmt.Fprintf(stdout, "%-16s %-26s %-7s %10s %-7s %14s %14s\n", "kernel", "shape", "impl", "rate", "unit", "ns/op", "min ns/op")
		}
		records++
		return emit(r)
	})
	if err != nil {
		return fmt.Errorf("mmcnf bench kernels: %w", err)
	}
	if records == 0 {
		example := "kernel/shape/impl"
		if cs := kernelbench.Cases(); len(cs) > 0 {
			example = cs[0].Kernel + "/" + cs[0].Shape + "/" + kernels.Impl()
		}
		return fs.errorf("no kernel case matches --filter %q under --impl %s (cases are named kernel/shape/impl, such as %s)", *filter, *impl, example)
	}
	return nil
}
