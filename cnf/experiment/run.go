package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/dirlock"
	"github.com/mmcnf/mmcnf/kernels"
)

// ResultFile is the name of a finished unit's result inside its directory;
// its presence marks the unit as done.
const ResultFile = "result.json"

// Backend trains, evaluates and samples one unit. It resumes from whatever
// checkpoint the unit's directory holds.
type Backend interface {
	// Prepare checks that the study's data loads and builds what its
	// units share in the output directory out, such as the feature
	// classifier. Processes that prepare, or run units, at the same time
	// build each shared thing once: one builds, the others wait for it.
	Prepare(ctx context.Context, st *Study, s Settings, out string, progress io.Writer) error
	// RunUnit trains the unit's model in its directory u.Dir(out)
	// (resuming an interrupted run), evaluates every set, draws samples
	// and writes them to samplesPath. What the units of a study share,
	// such as the feature classifier, lives in the output directory out.
	// Progress messages go to progress.
	RunUnit(ctx context.Context, st *Study, s Settings, u Unit, out, samplesPath string, progress io.Writer) (*RunResult, error)
}

// Options configure the work on one study in one output directory.
type Options struct {
	Study    *Study
	Settings Settings
	// Out is the output directory: runs/, results.json, results.md and
	// the figures go there.
	Out     string
	Backend Backend
	// Progress receives one line per unit and the backend's progress.
	Progress io.Writer
}

// progress is where progress messages go.
func (o Options) progress() io.Writer {
	if o.Progress == nil {
		return io.Discard
	}
	return o.Progress
}

// units checks the settings and returns the study's units.
func (o Options) units() ([]Unit, error) {
	if err := o.Settings.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Study.Name, err)
	}
	return o.Study.Units(o.Settings.Seeds), nil
}

// done returns the result of u if it has finished with these settings,
// nil if it has not finished, and an error if it finished with others.
func (o Options) done(u Unit) (*RunResult, error) {
	dir := u.Dir(o.Out)
	var r RunResult
	err := readJSON(filepath.Join(dir, ResultFile), &r)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read finished unit: %w", u, err)
	}
	if !sameTraining(r.Settings, u.Settings(o.Settings)) {
		return nil, fmt.Errorf("%s: %s holds a finished run with other settings (%s); use another --out or the same settings",
			u, dir, settingsLine(r.Settings))
	}
	return &r, nil
}

// UnitStatus is one unit of a study: its index among the study's units,
// what it trains, its directory and whether it has finished.
type UnitStatus struct {
	Index    int    `json:"index"`
	Study    string `json:"study"`
	TrainSet string `json:"train_set"`
	Base     string `json:"base"`
	Seed     int    `json:"seed"`
	Dir      string `json:"dir"`
	Done     bool   `json:"done"`
}

// List returns the study's units in the order of their indices, each
// with whether it has finished. It writes nothing.
func List(o Options) ([]UnitStatus, error) {
	units, err := o.units()
	if err != nil {
		return nil, err
	}
	out := make([]UnitStatus, len(units))
	for i, u := range units {
		r, err := o.done(u)
		if err != nil {
			return nil, err
		}
		out[i] = UnitStatus{Index: i, Study: u.Study, TrainSet: u.TrainSet.Name, Base: u.Base, Seed: u.Seed,
			Dir: u.Dir(o.Out), Done: r != nil}
	}
	return out, nil
}

// Prepare checks that the study's data loads and builds what its units
// share in the output directory (see Backend.Prepare).
func Prepare(ctx context.Context, o Options) error {
	if _, err := o.units(); err != nil {
		return err
	}
	if err := o.Backend.Prepare(ctx, o.Study, o.Settings, o.Out, o.progress()); err != nil {
		return fmt.Errorf("%s: %w", o.Study.Name, err)
	}
	return nil
}

// RunUnits runs the units of the study with the given indices (all of
// them when indices is nil) that have not finished, each holding the
// lock of its directory, so that any number of processes can share one
// output directory. A unit that another process holds is left for later;
// once the others are done, RunUnits waits for it and runs it if that
// process stopped without finishing it. A unit that finished with other
// settings is an error. When ctx ends between units, RunUnits stops
// before the next one with an error wrapping train.ErrDeadline (the
// deadline passed) or train.ErrInterrupted; the first unit always starts.
func RunUnits(ctx context.Context, o Options, indices []int) error {
	units, err := o.units()
	if err != nil {
		return err
	}
	if indices == nil {
		for i := range units {
			indices = append(indices, i)
		}
	}
	for _, i := range indices {
		if i < 0 || i >= len(units) {
			return fmt.Errorf("%s has %d units (0 to %d) with these settings, not a unit %d", o.Study.Name, len(units), len(units)-1, i)
		}
	}
	w := &unitRunner{o: o, progress: o.progress()}
	var later []int
	for k, i := range indices {
		tag := fmt.Sprintf("[%d/%d] %s", k+1, len(indices), units[i])
		claimed, err := w.run(ctx, units[i], tag, false)
		if err != nil {
			return err
		}
		if !claimed {
			later = append(later, k)
		}
	}
	for _, k := range later {
		i := indices[k]
		tag := fmt.Sprintf("[%d/%d] %s", k+1, len(indices), units[i])
		if _, err := w.run(ctx, units[i], tag, true); err != nil {
			return err
		}
	}
	return nil
}

// unitRunner runs the units of one RunUnits call.
type unitRunner struct {
	o        Options
	progress io.Writer
	trained  bool // a unit has started training in this call
}

// run runs u unless it has finished, under its directory's lock: waiting
// for the lock when wait is set, else leaving a unit that another process
// holds (claimed false).
func (w *unitRunner) run(ctx context.Context, u Unit, tag string, wait bool) (claimed bool, err error) {
	r, err := w.o.done(u)
	if err != nil || r != nil {
		if r != nil {
			fmt.Fprintf(w.progress, "%s: done earlier, skipped\n", tag)
		}
		return true, err
	}
	dir := u.Dir(w.o.Out)
	var lock *dirlock.Lock
	if wait {
		fmt.Fprintf(w.progress, "%s: back to it\n", tag)
		lock, err = waitLock(ctx, dir, w.progress)
	} else if lock, err = lockDir(dir); errors.Is(err, dirlock.ErrBusy) {
		fmt.Fprintf(w.progress, "%s: %v; back to it later\n", tag, err)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", u, err)
	}
	defer lock.Release()
	if r, err = w.o.done(u); err != nil || r != nil {
		if r != nil {
			fmt.Fprintf(w.progress, "%s: done by another run, skipped\n", tag)
		}
		return true, err
	}
	if w.trained && ctx.Err() != nil {
		return true, stopped(ctx, "before "+u.String())
	}
	w.trained = true
	fmt.Fprintln(w.progress, tag)
	return true, w.o.runUnit(ctx, u)
}

// runUnit trains, evaluates and samples u with the backend and writes its
// result file, which marks it as done.
func (o Options) runUnit(ctx context.Context, u Unit) error {
	dir := u.Dir(o.Out)
	samples := filepath.Join(dir, "samples.json")
	s := u.Settings(o.Settings)
	r, err := o.Backend.RunUnit(ctx, o.Study, s, u, o.Out, samples, o.progress())
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	r.Study, r.TrainSet, r.Base, r.Seed, r.Settings = u.Study, u.TrainSet.Name, u.Base, u.Seed, s
	r.Environment = environment()
	if rel, err := filepath.Rel(o.Out, samples); err == nil {
		r.Samples = rel
	}
	if err := writeJSON(filepath.Join(dir, ResultFile), r); err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	return nil
}

// environment describes what this process computes with: the kernel
// tier, the worker threads, Go, the platform and the machine's CPUs.
func environment() map[string]string {
	return map[string]string{
		"kernels": kernels.Impl(),
		"threads": fmt.Sprint(runtime.GOMAXPROCS(0)),
		"go":      runtime.Version(),
		"os/arch": runtime.GOOS + "/" + runtime.GOARCH,
		"cpus":    fmt.Sprint(runtime.NumCPU()),
	}
}

// environmentOf merges the environments of runs: each entry's value where
// they agree, else their distinct values in order, comma-separated.
func environmentOf(runs []RunResult) map[string]string {
	vals := map[string][]string{}
	for _, r := range runs {
		for k, v := range r.Environment {
			if !slices.Contains(vals[k], v) {
				vals[k] = append(vals[k], v)
			}
		}
	}
	if len(vals) == 0 {
		return nil
	}
	env := map[string]string{}
	for k, vs := range vals {
		env[k] = strings.Join(vs, ", ")
	}
	return env
}

// Run runs every unit of the study that has not finished (see RunUnits),
// then writes the report (see WriteReport). It returns this study's
// results.
func Run(ctx context.Context, o Options) (*Results, error) {
	started := time.Now()
	if err := RunUnits(ctx, o, nil); err != nil {
		return nil, err
	}
	res, missing, err := o.report(ctx, started)
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("%s: %d units lost their results while the study ran", o.Study.Name, len(missing))
	}
	return res, err
}

// WriteReport writes the report of the study's finished units, training
// nothing: it merges them into the output directory's results.json (with
// the other studies run there) and rewrites results.md and the figures.
// It returns this study's results and the indices of the units that have
// not finished, which the report names as missing. No finished unit is an
// error.
func WriteReport(ctx context.Context, o Options) (*Results, []int, error) {
	return o.report(ctx, time.Now())
}

// report writes the report of the finished units, as WriteReport does,
// for an invocation that started at started.
func (o Options) report(ctx context.Context, started time.Time) (*Results, []int, error) {
	units, err := o.units()
	if err != nil {
		return nil, nil, err
	}
	var runs []RunResult
	var missing []int
	res := &Results{Study: o.Study.Name}
	for i, u := range units {
		r, err := o.done(u)
		switch {
		case err != nil:
			return nil, nil, err
		case r == nil:
			missing = append(missing, i)
			res.Missing = append(res.Missing, UnitRef{TrainSet: u.TrainSet.Name, Base: u.Base, Seed: u.Seed})
		default:
			runs = append(runs, *r)
		}
	}
	if len(runs) == 0 {
		return nil, missing, fmt.Errorf("%s: none of its %d units has finished in %s; nothing to report", o.Study.Name, len(units), o.Out)
	}
	// The settings the units ran with: those asked for (before a training
	// set varies them), but for the thread count, which does not change
	// what the units train.
	res.Settings = o.Settings
	res.Settings.Threads = runs[0].Settings.Threads
	res.Environment = environmentOf(runs)
	res.Runs = runs
	if res.Summary, res.Models, err = Summarise(runs); err != nil {
		return res, missing, err
	}
	lock, err := waitLock(ctx, o.Out, o.progress())
	if err != nil {
		return res, missing, fmt.Errorf("%s: report: %w", o.Study.Name, err)
	}
	defer lock.Release()
	res.Started, res.Finished = started.UTC(), time.Now().UTC()
	res.WallSeconds = res.Finished.Sub(res.Started).Seconds()
	if err := WriteOutputs(o.Out, res); err != nil {
		return res, missing, err
	}
	return res, missing, nil
}

// WriteOutputs merges res into OUT/results.json and rewrites results.md and
// the figures of every study the directory holds.
func WriteOutputs(out string, res *Results) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(out, "results.json")
	rep, err := ReadReport(path)
	if err != nil {
		return err
	}
	rep.put(res)
	for _, r := range rep.Studies {
		r.Findings = r.findings()
	}
	if err := atomicfile.WriteBuffered(path, rep.WriteJSON); err != nil {
		return err
	}
	if err := atomicfile.WriteBuffered(filepath.Join(out, "results.md"), rep.WriteMarkdown); err != nil {
		return err
	}
	return writeFigures(out, rep)
}
