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

// LoadData builds the dataset d selects; its failures are InputErrors.
func LoadData(d DataOptions) (*data.Set, error) {
	set, err := data.Load(d.Name, data.Options{
		Dir: d.Dir, Seed: d.Seed, Classes: d.Classes, PerClass: d.PerClass, TestPerClass: d.TestPerClass,
	})
	if err != nil {
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

// Train trains the flow that o describes in the model directory dir: from
// freshly drawn weights when from is nil (writing o to run.json first), or
// continuing the checkpoint from, whose run must be the one in dir with
// options o (see Resume). progress, if not nil, is called after every
// iteration. Bad options or input are reported as *SettingError or
// *InputError before anything is written; an interrupted run returns an
// error wrapping train.ErrInterrupted after its checkpoint.
func Train(ctx context.Context, dir string, o Options, from *train.Checkpoint, progress func(train.Progress)) (*Trained, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	set, tr, held, err := datasets(&o)
	if err != nil {
		return nil, err
	}
	if dyn := dynamicsFor(o.Dynamics, set); o.WeightNorm && dyn == cnf.HyperPlanar {
		return nil, settingErrorf("weight-norm", "applies to %s and %s, not to the %s dynamics of %s", cnf.ConcatConv, cnf.ConcatMLP, dyn, o.Data.Name)
	}
	var model *cnf.Model
	if from != nil {
		if model, err = cnf.Load(dir); err != nil {
			return nil, inputErrorf("resume: %w", err)
		}
	} else if model, err = cnf.New(o.Config(set, tr, len(set.Classes)), o.Train.Seed); err != nil {
		return nil, &InputError{Err: err}
	}
	if model.D() != set.Dim {
		return nil, inputErrorf("resume: the model in %s has %d dimensions, the data %d", dir, model.D(), set.Dim)
	}
	meta, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	if from == nil {
		if err := atomicfile.WriteBytes(filepath.Join(dir, RunFile), append(meta, '\n')); err != nil {
			return nil, err
		}
	}
	tn := &train.Trainer{
		Model:    &train.CNF{Model: model, EvalBatch: o.EvalBatch, EvalSeed: o.Train.Seed},
		Train:    tr,
		Heldout:  held,
		Config:   o.Train,
		Dir:      dir,
		Meta:     meta,
		Progress: progress,
	}
	res, err := tn.Run(ctx, from)
	t := &Trained{Options: o, Set: set, Heldout: held, Model: model, Result: res}
	return t, err
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
// would have been. Its failures are InputErrors.
func Resume(dir string) (Options, *train.Checkpoint, error) {
	var o Options
	if !train.HasCheckpoint(dir) {
		path := filepath.Join(dir, RunFile)
		b, err := strictjson.ReadFile(path, maxRunBytes)
		if err == nil {
			if err := decodeOptions(b, &o); err != nil {
				return o, nil, inputErrorf("%s: %w", path, err)
			}
			return o, nil, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return o, nil, &InputError{Err: err}
		}
	}
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		return o, nil, &InputError{Err: err}
	}
	if err := decodeOptions(c.Meta, &o); err != nil {
		return o, nil, inputErrorf("%s: settings of the run: %w", filepath.Join(dir, train.CheckpointFile), err)
	}
	o.Train.Iters = c.Config.Iters
	return o, c, nil
}

// OpenModel reads the model directory dir and, when it has one, the
// Options of the run that trained it (nil otherwise). Its failures are
// InputErrors.
func OpenModel(dir string) (*cnf.Model, *Options, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, inputErrorf("%s: no such model directory", dir)
	}
	m, err := cnf.Load(dir)
	if err != nil {
		return nil, nil, inputErrorf("%s: %w", dir, err)
	}
	b, err := strictjson.ReadFile(filepath.Join(dir, RunFile), maxRunBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil, nil
	}
	if err != nil {
		return nil, nil, inputErrorf("%s: %w", dir, err)
	}
	var o Options
	if err := decodeOptions(b, &o); err != nil {
		return nil, nil, inputErrorf("%s: %s: %w", dir, RunFile, err)
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
}
