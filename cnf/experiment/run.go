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
	// RunUnit trains the unit's model in its directory u.Dir(out)
	// (resuming an interrupted run), evaluates every set, draws samples
	// and writes them to samplesPath. What the units of a study share,
	// such as the feature classifier, lives in the output directory out.
	// Progress messages go to progress.
	RunUnit(ctx context.Context, st *Study, s Settings, u Unit, out, samplesPath string, progress io.Writer) (*RunResult, error)
}

// Options configure one invocation of Run.
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

// readDone returns the result of a finished unit, or nil if it is not done.
func readDone(dir string) (*RunResult, error) {
	var r RunResult
	err := readJSON(filepath.Join(dir, ResultFile), &r)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read finished unit: %w", err)
	}
	return &r, nil
}

// Run runs every unit of the study that is not yet done, then writes the
// output directory's results.json (merged with other studies run into the
// same directory), results.md and the figures. It returns this study's
// results.
func Run(ctx context.Context, o Options) (*Results, error) {
	if err := o.Settings.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Study.Name, err)
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Study.Name, err)
	}
	lock, err := dirlock.Acquire(o.Out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Study.Name, err)
	}
	defer lock.Release()
	started := time.Now()
	units := o.Study.Units(o.Settings.Seeds)
	var runs []RunResult
	for i, u := range units {
		dir := u.Dir(o.Out)
		r, err := readDone(dir)
		if err != nil {
			return nil, err
		}
		if r != nil {
			if !sameTraining(r.Settings, o.Settings) {
				return nil, fmt.Errorf("%s: %s holds a finished run with other settings (%s); use another --out or the same settings",
					u, dir, settingsLine(r.Settings))
			}
			fmt.Fprintf(progress, "[%d/%d] %s: done earlier, skipped\n", i+1, len(units), u)
			runs = append(runs, *r)
			continue
		}
		fmt.Fprintf(progress, "[%d/%d] %s\n", i+1, len(units), u)
		samples := filepath.Join(dir, "samples.json")
		r, err = o.Backend.RunUnit(ctx, o.Study, o.Settings, u, o.Out, samples, progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		r.Study, r.TrainSet, r.Base, r.Seed, r.Settings = u.Study, u.TrainSet.Name, u.Base, u.Seed, o.Settings
		if rel, err := filepath.Rel(o.Out, samples); err == nil {
			r.Samples = rel
		}
		if err := writeJSON(filepath.Join(dir, ResultFile), r); err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		runs = append(runs, *r)
	}
	res := &Results{
		Study:       o.Study.Name,
		Settings:    o.Settings,
		Started:     started.UTC(),
		Finished:    time.Now().UTC(),
		WallSeconds: time.Since(started).Seconds(),
		Environment: map[string]string{
			"kernels": kernels.Impl(),
			"threads": fmt.Sprint(runtime.GOMAXPROCS(0)),
			"go":      runtime.Version(),
			"os/arch": runtime.GOOS + "/" + runtime.GOARCH,
			"cpus":    fmt.Sprint(runtime.NumCPU()),
		},
		Runs: runs,
	}
	if res.Summary, res.Models, err = Summarise(runs); err != nil {
		return res, err
	}
	if err := WriteOutputs(o.Out, res); err != nil {
		return res, err
	}
	return res, nil
}

// WriteOutputs merges res into OUT/results.json and rewrites results.md and
// the figures of every study the directory holds.
func WriteOutputs(out string, res *Results) error {
	path := filepath.Join(out, "results.json")
	rep, err := ReadReport(path)
	if err != nil {
		return err
	}
	rep.put(res)
	if err := atomicfile.WriteBuffered(path, rep.WriteJSON); err != nil {
		return err
	}
	if err := atomicfile.WriteBuffered(filepath.Join(out, "results.md"), rep.WriteMarkdown); err != nil {
		return err
	}
	return writeFigures(out, rep)
}
