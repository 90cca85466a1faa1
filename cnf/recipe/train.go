package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/dirlock"
	"github.com/mmcnf/mmcnf/internal/strictjson"
)

// RunFile is written into a model directory beside the model: the Options
// of the run that trained it, as JSON.
const RunFile = "run.json"

// heldoutFraction is the share of a file of points, which has no test
// split, held out for the evaluation during training.
const heldoutFraction = 0.1

// Trained is a finished (or stopped) training run.
type Trained struct {
	Options Options
	// Set is the dataset as loaded (for a file of points, the training
	// split is what remains after holding out the test split).
	Set *data.Set
	// Heldout is the loop's held-out set, labelled with base components.
	Heldout train.Dataset
	Model   *cnf.Model
	Result  train.Result
}

// LoadData builds the dataset d selects, once its memory is known to fit
// (see Estimate); its failures are SettingErrors naming "data" (or the
// size that does not fit).
func LoadData(d DataOptions) (*data.Set, error) {
	if err := checkData(d); err != nil {
		return nil, err
	}
	set, err := data.Load(d.Name, data.Options{
		Dir: d.Dir, Seed: d.Seed, Classes: d.Classes, PerClass: d.PerClass, TestPerClass: d.TestPerClass,
		Moons: d.Moons,
	})
	switch {
	case err != nil && data.IsPointFile(d.Name):
		return nil, settingErrorf("data", "%v", err) // the reader's errors name the file
	case err != nil:
		return nil, settingErrorf("data", "%s: %v", d.Name, err)
	}
	return set, nil
}

// datasets loads the data of o and returns it with the training and
// held-out points labelled by base component. For data other than the
// moons, whose training classes are chosen, it sets o.Data.Classes to the
// classes the data holds.
func datasets(o *Options) (set *data.Set, tr, held train.Dataset, err error) {
	if set, err = LoadData(o.Data); err != nil {
		return nil, tr, held, err
	}
	if set.Test.N == 0 && data.IsPointFile(o.Data.Name) {
		// A file of points has no test split: hold some of it out.
		if set.Train, set.Test, err = set.Train.HoldOut(heldoutFraction, o.Data.Seed); err != nil {
			return nil, tr, held, settingErrorf("data", "%v", err)
		}
	}
	if set.Train.N == 0 || set.Test.N == 0 {
		return nil, tr, held, settingErrorf("data", "%s has no training or no test points", o.Data.Name)
	}
	if o.Data.Name != "moons" {
		// The classes of other data are the data's: record them, so that
		// the model's base components have class numbers (see Component).
		o.Data.Classes = Ints(slices.Clone(set.Classes))
	}
	if tr, err = labelled(set.Train, set.Classes); err != nil {
		return nil, tr, held, inputErrorf("training set: %w", err)
	}
	if held, err = labelled(heldout(set.Test, o.HeldoutMax), set.Classes); err != nil {
		return nil, tr, held, inputErrorf("held-out set: %w", err)
	}
	return set, tr, held, nil
}

// labelled converts a split to the training loop's form, its labels
// mapped to base components.
func labelled(s data.Split, classes []int) (train.Dataset, error) {
	l, err := components(s.Labels, classes)
	if err != nil {
		return train.Dataset{}, err
	}
	return train.Dataset{X: s.X, Labels: l, Dim: s.Dim}, nil
}

// Plan is a training run checked and ready to start: its options, the
// checkpoint it continues (nil for a fresh run), its data and model, and
// the memory it needs. Nothing has been written for it.
type Plan struct {
	Dir     string
	Options Options
	From    *train.Checkpoint
	Set     *data.Set
	Model   *cnf.Model
	// Memory is the estimate the run was checked against.
	Memory   Estimate
	tr, held train.Dataset
}

// Prepare checks the training run o in the model directory dir, fresh
// when from is nil or continuing the checkpoint from (see Resume), and
// builds what it needs without writing anything: the options are
// validated; the memory of the data is estimated before it is loaded and
// that of the whole run before the model's buffers are allocated, each
// refused when it exceeds what the machine has; a checkpoint must not be
// beyond o's iterations and must describe dir (train.Checkpoint.CheckDir).
// Failures are *SettingError or *InputError.
func Prepare(dir string, o Options, from *train.Checkpoint) (*Plan, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if from != nil && from.Iteration > o.Train.Iters {
		return nil, settingErrorf("iters", "%d is below the iteration of the checkpoint in %s, %d", o.Train.Iters, dir, from.Iteration)
	}
	set, tr, held, err := datasets(&o)
	if err != nil {
		return nil, err
	}
	if dyn := dynamicsFor(o.Dynamics, set); o.WeightNorm && dyn == cnf.HyperPlanar {
		return nil, settingErrorf("weight-norm", "applies to %s and %s, not to the %s dynamics of %s", cnf.ConcatConv, cnf.ConcatMLP, dyn, o.Data.Name)
	}
	p := &Plan{Dir: dir, Options: o, From: from, Set: set, tr: tr, held: held}
	var cfg cnf.Config
	if from != nil {
		if p.Model, err = cnf.Load(dir); err != nil {
			return nil, &InputError{Err: err}
		}
		cfg = p.Model.Config()
		if _, err := from.CheckDir(dir, len(p.Model.Params())); err != nil {
			return nil, &InputError{Err: err}
		}
	} else {
		cfg = o.Config(set, tr, len(set.Classes))
	}
	if cfg.D() != set.Dim {
		return nil, inputErrorf("%s: the model has %d dimensions, the data %d", filepath.Join(dir, cnf.ConfigFile), cfg.D(), set.Dim)
	}
	if p.Memory, err = trainEstimate(&o, cfg, set, held.Len(), from != nil); err != nil {
		return nil, err
	}
	if err := p.Memory.check(); err != nil {
		return nil, err
	}
	if p.Model == nil {
		if p.Model, err = cnf.New(cfg, o.Train.Seed); err != nil {
			return nil, &InputError{Err: err}
		}
	}
	tape := p.Memory.Bytes(tapePart)
	p.Model.LimitTape(tape + p.Memory.Have.Bytes - p.Memory.Total())
	return p, nil
}

// Run trains the run p plans: writing its options to run.json first when
// it is fresh, then running the training loop in its directory
// (created if need be). progress, if not nil, is called after every
// iteration. An interrupted run returns an error wrapping
// train.ErrInterrupted after its checkpoint.
func (p *Plan) Run(ctx context.Context, progress func(train.Progress)) (*Trained, error) {
	o := p.Options
	meta, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	if p.From == nil {
		if err := os.MkdirAll(p.Dir, 0o755); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteBytes(filepath.Join(p.Dir, RunFile), append(meta, '\n')); err != nil {
			return nil, err
		}
	}
	tn := &train.Trainer{
		Model:    &train.CNF{Model: p.Model, EvalBatch: o.EvalBatch, EvalSeed: o.Train.Seed},
		Train:    p.tr,
		Heldout:  p.held,
		Config:   o.Train,
		Dir:      p.Dir,
		Meta:     meta,
		Progress: progress,
	}
	res, err := tn.Run(ctx, p.From)
	t := &Trained{Options: o, Set: p.Set, Heldout: p.held, Model: p.Model, Result: res}
	return t, err
}

// Train trains the flow that o describes in the model directory dir: from
// freshly drawn weights when from is nil (writing o to run.json first), or
// continuing the checkpoint from, whose run must be the one in dir with
// options o (see Resume). It is Prepare and then Plan.Run: bad options or
// input are reported as *SettingError or *InputError before anything is
// written.
func Train(ctx context.Context, dir string, o Options, from *train.Checkpoint, progress func(train.Progress)) (*Trained, error) {
	p, err := Prepare(dir, o, from)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, progress)
}

// BaseAlone scores the held-out set by the model's base distribution alone
// (see cnf.Model.BaseOnly), the reference a trained flow should beat.
func (t *Trained) BaseAlone() (cnf.LossStats, error) {
	b, err := t.Model.BaseOnly()
	if err != nil {
		return cnf.LossStats{}, err
	}
	ref := &train.CNF{Model: b, EvalBatch: t.Options.EvalBatch, EvalSeed: t.Options.Train.Seed}
	return ref.Evaluate(t.Heldout)
}

// HoldsModel reports whether dir holds a model or a checkpoint, which a
// fresh run must not overwrite.
func HoldsModel(dir string) bool {
	for _, name := range []string{train.CheckpointFile, cnf.ConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// Resume returns the options and checkpoint of the run in the model
// directory dir, to continue it with Train: the options stored in the
// checkpoint (their iteration count that of the checkpoint's loop), or, for
// a run stopped before its first checkpoint, those of run.json and a nil
// checkpoint: the run starts again, which with the same seed is the run it
// would have been. The options must be valid and a checkpoint's loop
// settings those of its run. Its failures are InputErrors naming the file;
// a directory that holds neither file is described (see Describe).
func Resume(dir string) (Options, *train.Checkpoint, error) {
	var o Options
	if !train.HasCheckpoint(dir) {
		path := filepath.Join(dir, RunFile)
		b, err := strictjson.ReadFile(path, maxRunBytes)
		if errors.Is(err, fs.ErrNotExist) {
			return o, nil, inputErrorf("%s holds no %s and no %s: %s", dir, train.CheckpointFile, RunFile, Describe(dir))
		}
		if err != nil {
			return o, nil, &InputError{Err: err}
		}
		if err := decodeOptions(b, &o); err != nil {
			return o, nil, inputErrorf("%s: %w", path, err)
		}
		return o, nil, validStored(path, &o)
	}
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		return o, nil, &InputError{Err: err}
	}
	path := filepath.Join(dir, train.CheckpointFile)
	if err := decodeOptions(c.Meta, &o); err != nil {
		return o, nil, inputErrorf("%s: settings of the run: %w", path, err)
	}
	if o.Train != c.Config {
		return o, nil, inputErrorf("%s: the loop's settings (train) differ from those of the run (run train)", path)
	}
	o.Train.Iters = c.Config.Iters
	return o, c, validStored(path+": settings of the run", &o)
}

// validStored validates options read from the file named by where,
// naming the setting as the file spells it.
func validStored(where string, o *Options) error {
	err := o.Validate()
	var se *SettingError
	if errors.As(err, &se) {
		return inputErrorf("%s: %s", where, se.InFile())
	}
	return err
}

// OpenModel reads the model directory dir and, when it has one, the
// Options of the run that trained it (nil otherwise). Its failures are
// InputErrors.
func OpenModel(dir string) (*cnf.Model, *Options, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, inputErrorf("%s: no such model directory", dir)
	}
	m, err := cnf.Load(dir) // its errors name the file
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	path := filepath.Join(dir, RunFile)
	b, err := strictjson.ReadFile(path, maxRunBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil, nil
	}
	if err != nil {
		return nil, nil, &InputError{Err: err}
	}
	var o Options
	if err := decodeOptions(b, &o); err != nil {
		return nil, nil, inputErrorf("%s: %w", path, err)
	}
	return m, &o, nil
}

// DataFor loads the data to evaluate a model on: the dataset settings of d
// that given reports as set, the others those of run, the options of the
// run that trained the model (nil when unknown). For the same dataset the
// classes, seed, directory and test points per class carry over too.
// Without run the dataset must be given: a model says nothing of the data
// it was trained on, and scoring it on a default dataset would mislead.
func DataFor(d DataOptions, run *Options, given func(setting string) bool) (*data.Set, DataOptions, error) {
	if run == nil && !given("data") {
		return nil, d, settingErrorf("data", "is required: the model directory has no %s recording the dataset it was trained on", RunFile)
	}
	if run != nil {
		d.inherit(run.Data, given)
	}
	if err := d.CheckGiven(given); err != nil {
		return nil, d, err
	}
	if err := d.Validate(); err != nil {
		return nil, d, err
	}
	set, err := LoadData(d)
	return set, d, err
}

// inherit fills the dataset settings that given reports as not set from
// those of run.
func (d *DataOptions) inherit(run DataOptions, given func(setting string) bool) {
	if !given("data") {
		d.Name = run.Name
	}
	if d.Name != run.Name {
		return
	}
	if !given("classes") {
		d.Classes = slices.Clone(run.Classes)
	}
	if !given("data-seed") {
		d.Seed = run.Seed
	}
	if !given("data-dir") {
		d.Dir = run.Dir
	}
	if !given("n-test") {
		d.TestPerClass = run.TestPerClass
	}
	// The moons' shape has no flag: a model is evaluated on its own.
	d.Moons = run.Moons
}

// Describe says what the directory dir is, for a message about a run that
// is not there: missing, not a directory, empty, a study's output
// directory or one of its units (as cnf/experiment lays them out), a model
// without the files of its training run, or none of these.
func Describe(dir string) string {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such directory"
	case err != nil:
		return err.Error()
	case !st.IsDir():
		return "not a directory"
	}
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	entries, _ := os.ReadDir(dir)
	switch {
	case has("results.json") || has("runs"):
		return "the output directory of a study (mmcnf reproduce); the model directory of each of its units is runs/<study>/<set>/<base>/seed-<n>/model in it"
	case has("result.json") || has(filepath.Join("model", cnf.ConfigFile)) || has(filepath.Join("model", RunFile)):
		return "a unit of a study (mmcnf reproduce); its model directory is " + filepath.Join(dir, "model")
	case has("classifier.json") || has("classifier.npz"):
		return "the feature classifier of a study, not a flow"
	case has(cnf.ConfigFile) || has(cnf.WeightsFile):
		return "a model without the settings of a training run to continue"
	case len(entries) == 0 || (len(entries) == 1 && entries[0].Name() == dirlock.Name):
		return "an empty directory"
	}
	return "not a model directory written by mmcnf train"
}
