package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/english"
)

// reproduceFlags binds the flags of `mmcnf reproduce`.
type reproduceFlags struct {
	out, dataDir, units   string
	grad                  string
	seeds, iters, threads int
	batch                 int
	samples               int
	lrSchedule            string
	quick                 bool
	list, report, prepare bool
	maxTime               time.Duration
	progress              progressFlags
}

// newReproduceFlags declares the flags of `mmcnf reproduce`.
func newReproduceFlags(o *reproduceFlags) *cmdFlags {
	var lines []string
	for _, n := range experiment.StudyNames() {
		s, _ := experiment.Lookup(n)
		lines = append(lines, studyLine(n, s))
	}
	lines = append(lines, "Times measured on "+experiment.TimingMachine+".")
	f := newFlags("reproduce", "mmcnf reproduce <study> [--out DIR] [--seeds N] [--quick] [--iters N] [--batch N] [--grad NAME] [--samples N] [--lr-schedule S] [--threads N] [--quiet] [--list | --unit LIST | --report | --prepare]",
		`Runs one of the paper's experiments end to end: trains the standard (Gaussian at
the data mean) and GMM bases on the study's training sets over several seeds,
evaluates bits/dim per class and per out-of-distribution set, draws samples, and
writes into DIR results.json (every number), results.md (the paper's tables and a
comparison with its findings) and the figures as PNG and SVG. Every (training set,
base, seed) is a unit with its own directory under DIR/runs: finished ones are not
redone and an interrupted one resumes from its checkpoint. Studies run into the
same DIR are reported together.

On a cluster: --list prints the units, one JSON object a line; --unit runs some
of them (each under its own lock, so that many processes can share DIR);
--prepare builds what they share first; --report writes the report from the
finished units (exit status 3 when some are missing); --max-time stops before a
job's time limit (exit status 75: run the same command again). See
docs/cluster.md. Studies:
`+strings.Join(lines, "\n"))
	f.StringVar(&o.out, "out", "out", "output directory")
	f.IntVar(&o.seeds, "seeds", 0, "number of seeds 0..N-1 (0: the study's default)")
	f.BoolVar(&o.quick, "quick", false, "reduced settings for a smoke test (its measured time: see the studies above)")
	f.IntVar(&o.iters, "iters", 0, "training iterations per model (0: the study's default)")
	f.IntVar(&o.batch, "batch", 0, "training mini-batch size (0: the study's); lower needs less memory, but trains other models than the study's")
	f.StringVar(&o.grad, "grad", "", gradHelp()+" (default: the study's, backprop)")
	f.IntVar(&o.threads, "threads", 0, "worker threads (0: all cores)")
	f.IntVar(&o.samples, "samples", 0, "samples drawn from each model, for the figures and the Frechet distance (0: the study's default)")
	f.StringVar(&o.lrSchedule, "lr-schedule", "", "learning rate over a run: constant, or cosine (decaying to zero at the last iteration) (default: the study's)")
	f.StringVar(&o.dataDir, "data-dir", "", "directory of the MNIST and FashionMNIST IDX files (default: $MMCNF_DATA_DIR or the cache that mmcnf data fetch fills)")
	f.BoolVar(&o.list, "list", false, "print the study's units, one JSON object a line (index, study, train_set, base, seed, dir, done), and run nothing")
	f.StringVar(&o.units, "unit", "", "run only the units with these indices (see --list), e.g. 3 or 0,3-5, and write no report")
	f.BoolVar(&o.report, "report", false, "train nothing: write the report from the finished units, naming those missing")
	f.BoolVar(&o.prepare, "prepare", false, "train no unit: check that the data loads and build what the units share (the feature classifier)")
	f.DurationVar(&o.maxTime, "max-time", 0, maxTimeUsage)
	o.progress.bind(f)
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
	switch {
	case o.out == "":
		return f.errorf("--out must not be empty")
	case countTrue(o.list, o.report, o.prepare) > 1:
		return f.errorf("--list, --report and --prepare exclude each other")
	case o.units != "" && (o.report || o.prepare):
		return f.errorf("--unit selects units to run or list, not to report or prepare")
	case o.maxTime < 0:
		return f.errorf("--max-time must not be negative, got %v", o.maxTime)
	case o.maxTime > 0 && (o.list || o.report):
		return f.errorf("--max-time bounds training, not --list or --report")
	}
	if err := o.progress.check(f); err != nil {
		return err
	}
	if err := f.threads(o.threads); err != nil {
		return err
	}
	s, err := study.Settings(o.quick, experiment.Overrides{Seeds: o.seeds, Iters: o.iters, Threads: o.threads, Batch: o.batch, Grad: o.grad,
		Samples: o.samples, LRSchedule: o.lrSchedule})
	if err != nil {
		return f.failure(err)
	}
	var units []int
	if o.units != "" {
		if units, err = parseUnits(o.units, len(study.Units(s.Seeds))); err != nil {
			return f.errorf("--unit %s: %v", o.units, err)
		}
	}
	setThreads(o.threads)
	// Progress: the study's line per unit and its result, and the unit's
	// training as train reports it.
	bar := newProgress(stderr, o.progress, "  ")
	defer bar.finish()
	unit := ""
	backend := &experiment.CNF{DataDir: o.dataDir, OnIteration: func(u experiment.Unit, p train.Progress) {
		if u.String() != unit {
			unit = u.String()
			bar.restart()
		}
		bar.update(p)
	}}
	eo := experiment.Options{Study: study, Settings: s, Out: o.out, Backend: backend, Progress: bar}
	if o.list {
		return listUnits(f, eo, units, stdout)
	}
	if !o.report {
		// Data that does not load is bad input: said before anything is
		// written into the output directory.
		if err := backend.CheckData(study, s, io.Discard); err != nil {
			var se *recipe.SettingError
			if errors.As(err, &se) {
				return f.errorf("%s", se.Problem)
			}
			return f.failure(err)
		}
	}
	ctx, stop := runContext(o.maxTime)
	defer stop()
	switch {
	case o.report:
		res, missing, err := experiment.WriteReport(ctx, eo)
		if err != nil {
			return f.stopped(err)
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s: %w: %s/results.md lacks %d of %d units, not finished: %s", f.Name(), errIncomplete,
				o.out, len(missing), len(missing)+len(res.Runs), unitNames(study, s, missing))
		}
		fmt.Fprintf(stdout, "%s: report of %s in %s/results.md\n", study.Name, english.Count(len(res.Runs), "unit"), o.out)
	case o.prepare:
		if err := experiment.Prepare(ctx, eo); err != nil {
			return f.stopped(err)
		}
		fmt.Fprintf(stdout, "%s: prepared in %s\n", study.Name, o.out)
	case units != nil:
		if err := experiment.RunUnits(ctx, eo, units); err != nil {
			return f.stopped(err)
		}
		fmt.Fprintf(stdout, "%s: units %s done in %s\n", study.Name, o.units, o.out)
	default:
		res, err := experiment.Run(ctx, eo)
		if err != nil {
			return f.stopped(err)
		}
		fmt.Fprintf(stdout, "%s: %s in %.1f s; results in %s/results.md\n", study.Name, english.Count(len(res.Runs), "run"), res.WallSeconds, o.out)
	}
	return nil
}

// stopped maps an error of a study's work to the command's error: a stop
// at --max-time is errResumable, one by a signal errInterrupted.
func (f *cmdFlags) stopped(err error) error {
	switch {
	case errors.Is(err, train.ErrDeadline):
		return fmt.Errorf("%s: %w: %w", f.Name(), errResumable, err)
	case errors.Is(err, train.ErrInterrupted):
		return fmt.Errorf("%s: %w: %w", f.Name(), errInterrupted, err)
	}
	return fmt.Errorf("%s: %w", f.Name(), err)
}

// listUnits prints the units with the given indices (all when nil), one
// JSON object a line.
func listUnits(f *cmdFlags, o experiment.Options, indices []int, stdout io.Writer) error {
	all, err := experiment.List(o)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	enc := json.NewEncoder(stdout)
	for _, u := range all {
		if indices != nil && !slices.Contains(indices, u.Index) {
			continue
		}
		if err := enc.Encode(u); err != nil {
			return err
		}
	}
	return nil
}

// unitNames names the units of the given indices for a message.
func unitNames(st *experiment.Study, s experiment.Settings, indices []int) string {
	units := st.Units(s.Seeds)
	var parts []string
	for _, i := range indices {
		parts = append(parts, fmt.Sprintf("%d (%s)", i, units[i]))
	}
	return strings.Join(parts, ", ")
}

// parseUnits parses a list of unit indices and ranges below n, such as
// "3" or "0,3-5", into sorted indices without repeats.
func parseUnits(spec string, n int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := unitIndex(lo, n)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = unitIndex(hi, n); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("range %q runs backwards", part)
			}
		}
		for i := a; i <= b; i++ {
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// unitIndex parses one unit index below n.
func unitIndex(s string, n int) (int, error) {
	i, err := strconv.Atoi(s)
	switch {
	case err != nil || i < 0:
		return 0, fmt.Errorf("%q is not a unit index (0, 1, ...)", s)
	case i >= n:
		return 0, fmt.Errorf("unit %d out of range: the study has %d units (0 to %d) with these settings", i, n, n-1)
	}
	return i, nil
}

// countTrue counts the true values among bs.
func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// studyLine is the line of `mmcnf reproduce -h` on the study s called name.
func studyLine(name string, s *experiment.Study) string {
	return fmt.Sprintf("  %-17s %s", name, s.TimeLine())
}
