package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/train"
)

// reproduceFlags binds the flags of `mmcnf reproduce`.
type reproduceFlags struct {
	out, dataDir          string
	seeds, iters, threads int
	quick                 bool
}

// newReproduceFlags declares the flags of `mmcnf reproduce`.
func newReproduceFlags(o *reproduceFlags) *cmdFlags {
	var lines []string
	for _, n := range experiment.StudyNames() {
		s, _ := experiment.Lookup(n)
		lines = append(lines, fmt.Sprintf("  %-15s %d seeds x %d iterations by default, %s", n, s.Defaults.Seeds, s.Defaults.Iters, s.Expected))
	}
	f := newFlags("reproduce", "mmcnf reproduce <study> [--out DIR] [--seeds N] [--quick] [--iters N] [--threads N]",
		`Runs one of the paper's experiments end to end: trains the standard (Gaussian at
the data mean) and GMM bases on the study's training sets over several seeds,
evaluates bits/dim per class and per out-of-distribution set, draws samples, and
writes into DIR results.json (every number), results.md (the paper's tables and a
comparison with its findings) and the figures as PNG and SVG. Every (training set,
base, seed) has its own directory under DIR/runs: finished ones are not redone and
an interrupted one resumes from its checkpoint. Studies run into the same DIR are
reported together. Studies:
`+strings.Join(lines, "\n"))
	f.StringVar(&o.out, "out", "out", "output directory")
	f.IntVar(&o.seeds, "seeds", 0, "number of seeds 0..N-1 (0: the study's default)")
	f.BoolVar(&o.quick, "quick", false, "reduced settings for a smoke test of a couple of minutes")
	f.IntVar(&o.iters, "iters", 0, "training iterations per model (0: the study's default)")
	f.IntVar(&o.threads, "threads", 0, "worker threads (0: all cores)")
	f.StringVar(&o.dataDir, "data-dir", "", "directory of the MNIST and FashionMNIST IDX files (default: $MMCNF_DATA_DIR or the cache that mmcnf data fetch fills)")
	return f
}

// reproduce runs `mmcnf reproduce`.
func reproduce(args []string, stdout, stderr io.Writer) error {
	var o reproduceFlags
	f := newReproduceFlags(&o)
	name, done, err := f.parseCommand(args, stdout, "study", experiment.StudyNames())
	if done || err != nil {
		return err
	}
	study, err := experiment.Lookup(name)
	if err != nil {
		return f.errorf("%v", err)
	}
	if o.out == "" {
		return f.errorf("--out must not be empty")
	}
	s, err := study.Settings(o.quick, o.seeds, o.iters, o.threads)
	if err != nil {
		return f.failure(err)
	}
	setThreads(o.threads)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Progress: one line per unit and a line every tenth of its training.
	backend := &experiment.CNF{DataDir: o.dataDir}
	res, err := experiment.Run(ctx, experiment.Options{Study: study, Settings: s, Out: o.out, Backend: backend, Progress: stderr})
	if errors.Is(err, train.ErrInterrupted) {
		return fmt.Errorf("mmcnf reproduce: %w: %w", errInterrupted, err)
	}
	if err != nil {
		return fmt.Errorf("mmcnf reproduce: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d runs in %.1f s; results in %s/results.md\n", study.Name, len(res.Runs), res.WallSeconds, o.out)
	return nil
}
