package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/ode"
)

func TestMain(m *testing.M) {
	atomicfile.SetSync(false)
	os.Exit(m.Run())
}

// pointSet is a set of n points of dimension d per class, labelled with
// the given classes; point i of class c has coordinates c + i/10.
func pointSet(d, n int, classes []int) (*data.Set, train.Dataset) {
	set := &data.Set{Name: "points", Dim: d, Classes: classes, Train: data.Split{Dim: d}}
	for _, c := range classes {
		for i := range n {
			for range d {
				set.Train.X = append(set.Train.X, float64(c)+float64(i)/10)
			}
			set.Train.Labels = append(set.Train.Labels, c)
			set.Train.N++
		}
	}
	tr, err := labelled(set.Train, classes)
	if err != nil {
		panic(err)
	}
	return set, tr
}

// TestConfigAuto checks the choices Auto makes from the data and where each
// setting of Options lands in the flow's configuration.
func TestConfigAuto(t *testing.T) {
	o := Defaults()
	points, tr := pointSet(2, 3, []int{0, 1})
	cfg := o.Config(points, tr, 2)
	m, err := cnf.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Config()
	if got.Dynamics.Kind != cnf.HyperPlanar || got.Dynamics.Hidden != o.Hidden || got.Dynamics.Width != o.Width || got.Dynamics.Dims != nil {
		t.Errorf("2-D points: dynamics %+v, want hyperplanar %d x %d", got.Dynamics, o.Hidden, o.Width)
	}
	if got.Trace != cnf.TraceExact || got.Solver.Method != "dopri5" || got.Solver.Steps != 0 || got.Preprocess != (cnf.PreprocessConfig{}) {
		t.Errorf("2-D points: trace %s, solver %+v, preprocessing %+v", got.Trace, got.Solver, got.Preprocess)
	}
	vec, vtr := pointSet(3, 2, []int{0})
	if k := o.Config(vec, vtr, 1).Dynamics; k.Kind != cnf.ConcatMLP || !slices.Equal(k.Dims, o.Dims) {
		t.Errorf("3-D points: dynamics %+v, want concatmlp %v", k, o.Dims)
	}
	img, itr := pointSet(data.ImageSide*data.ImageSide, 2, []int{0, 1})
	img.Image = true
	o.Solver, o.Steps = "rk4", 3
	m, err = cnf.New(o.Config(img, itr, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	got = m.Config()
	if got.Dynamics.Kind != cnf.ConcatConv || !slices.Equal(got.Shape, []int{1, data.ImageSide, data.ImageSide}) {
		t.Errorf("images: dynamics %s, shape %v", got.Dynamics.Kind, got.Shape)
	}
	if got.Trace != cnf.TraceRademacher || got.Solver.Steps != 3 {
		t.Errorf("images: trace %s, steps %d; want rademacher and 3 (rk4 is fixed-step)", got.Trace, got.Solver.Steps)
	}
	if p := got.Preprocess; !p.Dequantize || !p.Logit || p.Alpha != cnf.DefaultAlpha {
		t.Errorf("images: preprocessing %+v, want dequantisation and the logit with alpha %g", p, cnf.DefaultAlpha)
	}
	o.Trace, o.Dynamics = cnf.TraceGaussian, cnf.ConcatMLP
	if cfg := o.Config(vec, vtr, 1); cfg.Trace != cnf.TraceGaussian || cfg.Dynamics.Kind != cnf.ConcatMLP {
		t.Errorf("explicit choices: trace %s, dynamics %s", cfg.Trace, cfg.Dynamics.Kind)
	}
}

// TestConfigBaseMeans checks the base means: per class (GMM), of all
// points (Gaussian at the data mean) or none (at zero), and for images in
// the flow's space at the middle of each dequantisation bin.
func TestConfigBaseMeans(t *testing.T) {
	o := Defaults()
	set, tr := pointSet(2, 3, []int{2, 5})
	// Class 2: 2, 2.1, 2.2; class 5: 5, 5.1, 5.2 in both coordinates.
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-15*math.Abs(b) }
	o.Base = cnf.BaseGMM
	if means := o.Config(set, tr, 2).Base.Means; len(means) != 2 || !near(means[0][1], 2.1) || !near(means[1][0], 5.1) {
		t.Errorf("GMM means %v, want the class means (2.1, 2.1) and (5.1, 5.1)", means)
	}
	o.Base = cnf.BaseGaussian
	if means := o.Config(set, tr, 2).Base.Means; len(means) != 1 || !near(means[0][0], 3.6) {
		t.Errorf("Gaussian means %v, want the data mean (3.6, 3.6)", means)
	}
	o.BaseMean = MeanZero
	if means := o.Config(set, tr, 2).Base.Means; means != nil {
		t.Errorf("zero mean: means %v, want none", means)
	}
	img := &data.Set{Dim: 256, Image: true, Classes: []int{0}}
	x := make([]float64, 2*256)
	x[0], x[256] = 0, 255 // pixel 0 of the two images; all others 0
	o.BaseMean = MeanData
	means := o.Config(img, train.Dataset{X: x, Labels: []int{0, 0}, Dim: 256}, 1).Base.Means
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	a := cnf.DefaultAlpha
	lo, hi := logit(a+(1-2*a)*0.5/256), logit(a+(1-2*a)*255.5/256)
	if !near(means[0][0], (lo+hi)/2) || !near(means[0][1], lo) {
		t.Errorf("image means %v..., want %g and %g", means[0][:2], (lo+hi)/2, lo)
	}
}

// TestValidate checks that every setting out of range is named.
func TestValidate(t *testing.T) {
	if o := Defaults(); o.Validate() != nil {
		t.Fatalf("defaults rejected: %v", o.Validate())
	}
	cases := []struct {
		edit    func(*Options)
		setting string
	}{
		{func(o *Options) { o.Data.Name = "nosuch" }, "data"},
		{func(o *Options) { o.Data.Classes = Ints{0, 6} }, "classes"},
		{func(o *Options) { o.Data.Classes = Ints{1, 1} }, "classes"},
		{func(o *Options) { o.Data.PerClass = -1 }, "n-train"},
		{func(o *Options) { o.Data.TestPerClass = -1 }, "n-test"},
		{func(o *Options) { o.Dims = Ints{8, 0} }, "dims"},
		{func(o *Options) { o.Dynamics = "mlp" }, "dynamics"},
		{func(o *Options) { o.Base = "uniform" }, "base"},
		{func(o *Options) { o.BaseMean = "median" }, "base-mean"},
		{func(o *Options) { o.Hidden = 0 }, "hidden"},
		{func(o *Options) { o.Solver = "rk5" }, "solver"},
		{func(o *Options) { o.RTol = math.NaN() }, "rtol"},
		{func(o *Options) { o.ATol = math.Inf(1) }, "atol"},
		{func(o *Options) { o.Steps = 0 }, "steps"},
		{func(o *Options) { o.Trace = "hutchinson" }, "trace"},
		{func(o *Options) { o.Grad = "both" }, "grad"},
		{func(o *Options) { o.Solver, o.Interpolate = "rk38", true }, "interpolate"},
		{func(o *Options) { o.Kinetic = -1 }, "kinetic"},
		{func(o *Options) { o.Train.Iters = 0 }, "iters"},
		{func(o *Options) { o.Train.Adam.Beta2 = 1 }, "beta2"},
		{func(o *Options) { o.Train.Adam.DecayMode = "none" }, "decay"},
		{func(o *Options) { o.EvalBatch = 0 }, "eval-batch"},
		{func(o *Options) { o.HeldoutMax = -1 }, "heldout-max"},
		{func(o *Options) { o.Threads = -2 }, "threads"},
		{func(o *Options) { o.Train.Adam.Anneal = -1 }, "anneal"},
		{func(o *Options) { o.Data.Moons.Noise = -0.1 }, "moons"},
		{func(o *Options) { o.Data.Moons.Spacing = math.NaN() }, "moons"},
		{func(o *Options) { o.Data.Name, o.Data.Moons.Noise = "subset-mnist", 0.2 }, "moons"},
	}
	for _, c := range cases {
		o := Defaults()
		c.edit(&o)
		var se *SettingError
		if err := o.Validate(); !errors.As(err, &se) || se.Setting != c.setting {
			t.Errorf("%s: error %v, want a SettingError naming it", c.setting, err)
		}
	}
	// Every method and gradient of package ode is a setting.
	for _, m := range ode.Methods() {
		o := Defaults()
		o.Solver, o.Interpolate = m.Name, m.Adaptive()
		if err := o.Validate(); err != nil {
			t.Errorf("solver %s: %v", m.Name, err)
		}
	}
	for _, g := range ode.Gradients() {
		o := Defaults()
		o.Grad = g.Name()
		if err := o.Validate(); err != nil {
			t.Errorf("grad %s: %v", g.Name(), err)
		}
	}
	// The classes of datasets other than the moons are not theirs to choose.
	o := Defaults()
	o.Data.Name, o.Data.Classes = "instance-mnist", Ints{7, 7}
	if err := o.Validate(); err != nil {
		t.Errorf("instance-mnist with the moons' classes rejected: %v", err)
	}
}

func TestInts(t *testing.T) {
	var l Ints
	if err := l.UnmarshalText([]byte(" 4, 5,64")); err != nil || !slices.Equal(l, Ints{4, 5, 64}) {
		t.Errorf("parsed %v, %v", l, err)
	}
	if b, _ := l.MarshalText(); string(b) != "4,5,64" {
		t.Errorf("written as %q", b)
	}
	for _, bad := range []string{"", "1,,2", "-1", "x"} {
		if err := l.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// run.json stores lists as text, as it did when they were strings.
	b, err := json.Marshal(DataOptions{Classes: Ints{0, 1}})
	if err != nil || !strings.Contains(string(b), `"classes":"0,1"`) {
		t.Errorf("JSON %s, %v", b, err)
	}
}

// TestComponent: --class takes a class number of the data, whatever the
// data, and names the classes a model was trained on when it is not one.
func TestComponent(t *testing.T) {
	cfg := cnf.Config{Base: cnf.BaseConfig{Kind: cnf.BaseGMM, Means: [][]float64{{0, 0}, {1, 1}}}}
	moons := Defaults()
	moons.Data.Classes = Ints{5, 4}
	file := Defaults()
	file.Data = DataOptions{Name: "points.csv", Classes: Ints{3, 7}}
	other := Defaults() // a record of three classes for two components
	other.Data.Classes = Ints{0, 1, 2}
	for _, c := range []struct {
		class int
		run   *Options
		want  int
		bad   string
	}{
		{-1, &moons, -1, ""}, {4, &moons, 0, ""}, {5, &moons, 1, ""}, {0, &moons, 0, "trained on the classes 4,5 of moons"},
		{3, &file, 0, ""}, {7, &file, 1, ""}, {1, &file, 0, "trained on the classes 3,7 of points.csv"},
		{1, nil, 1, ""}, {2, nil, 0, "stand for the classes 0..1"}, {-2, nil, 0, "must be -1 or a class"},
		{1, &other, 1, ""}, {2, &other, 0, "stand for the classes 0..1"},
	} {
		got, err := Component(c.class, cfg, c.run)
		if c.bad == "" && (err != nil || got != c.want) || c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)) {
			t.Errorf("class %d (run %v): component %d, error %v; want %d, error %q", c.class, c.run != nil, got, err, c.want, c.bad)
		}
	}
	gauss := cnf.Config{Base: cnf.BaseConfig{Kind: cnf.BaseGaussian}}
	if _, err := Component(0, gauss, &moons); err == nil || !strings.Contains(err.Error(), "need a gmm base") {
		t.Errorf("class of a Gaussian base: error %v", err)
	}
	if got, err := Component(-1, gauss, nil); err != nil || got != -1 {
		t.Errorf("whole Gaussian base: %d, %v", got, err)
	}
}

// TestEvalDefaults: a model is scored with the batch and seed its run
// evaluated with, or the fixed defaults without a run.
func TestEvalDefaults(t *testing.T) {
	o := Defaults()
	o.EvalBatch, o.Train.Seed = 500, 3
	if b, s := EvalDefaults(&o); b != 500 || s != 3 {
		t.Errorf("with a run: batch %d, seed %d", b, s)
	}
	if b, s := EvalDefaults(nil); b != DefaultEvalBatch || s != DefaultEvalSeed {
		t.Errorf("without a run: batch %d, seed %d", b, s)
	}
}

// TestDataFor: without the options of its run, a model's dataset must be
// named; with them, the run's dataset settings are the defaults.
func TestDataFor(t *testing.T) {
	none := func(string) bool { return false }
	var se *SettingError
	if _, _, err := DataFor(Defaults().Data, nil, none); !errors.As(err, &se) || se.Setting != "data" {
		t.Errorf("no run, no --data: error %v, want a SettingError naming data", err)
	}
	run := Defaults()
	run.Data = DataOptions{Name: "moons", Classes: Ints{4, 5}, TestPerClass: 7, Seed: 9}
	set, d, err := DataFor(Defaults().Data, &run, none)
	if err != nil || !slices.Equal(set.Classes, []int{4, 5}) || set.Test.N != 14 || d.Seed != 9 {
		t.Errorf("from the run: classes %v, %d test points, seed %d, error %v", set.Classes, set.Test.N, d.Seed, err)
	}
}

// smallOptions trains a tiny moons flow.
func smallOptions() Options {
	o := Defaults()
	o.Base = cnf.BaseGMM
	o.Data.PerClass, o.Data.TestPerClass = 40, 10
	o.Hidden, o.Width, o.Solver, o.Steps = 4, 4, "rk4", 2
	o.Train.Iters, o.Train.Batch, o.Train.EvalEvery, o.Train.CheckpointEvery = 6, 16, 3, 2
	o.Threads = 1
	return o
}

// TestTrainAndResume trains a small flow, checks run.json and the held-out
// set, continues the run from its checkpoint (and, before the first
// checkpoint, from run.json) by Resume, and gets the weights of one
// uninterrupted run of the same length.
func TestTrainAndResume(t *testing.T) {
	root := t.TempDir()
	full, part := filepath.Join(root, "full"), filepath.Join(root, "part")
	o := smallOptions()
	o.Train.Iters = 10
	ref, err := Train(context.Background(), full, o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Heldout.Len() != 20 || ref.Result.Iteration != 10 || len(ref.Model.Config().Base.Means) != 2 {
		t.Errorf("held-out set of %d points, %d iterations, %d base components", ref.Heldout.Len(), ref.Result.Iteration, len(ref.Model.Config().Base.Means))
	}
	var stored Options
	if b, err := os.ReadFile(filepath.Join(full, RunFile)); err != nil || json.Unmarshal(b, &stored) != nil || stored.Train != o.Train || !slices.Equal(stored.Data.Classes, o.Data.Classes) {
		t.Errorf("run.json holds %+v (%v), want the options trained with", stored, err)
	}
	if !HoldsModel(full) || HoldsModel(part) {
		t.Errorf("HoldsModel: %v for a trained directory, %v for none", HoldsModel(full), HoldsModel(part))
	}
	o.Train.Iters = 6
	if _, err := Train(context.Background(), part, o, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, from, err := Resume(part)
	if err != nil || from == nil || from.Iteration != 6 || got.Train.Iters != 6 {
		t.Fatalf("Resume: checkpoint %v, iters %d, error %v", from, got.Train.Iters, err)
	}
	got.Train.Iters = 10
	res, err := Train(context.Background(), part, got, from, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(res.Model.Params(), ref.Model.Params(), func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
		t.Error("a run continued from its checkpoint ends with other weights than an uninterrupted one")
	}
	// Before its first checkpoint a run has only its options.
	early := filepath.Join(root, "early")
	b, _ := os.ReadFile(filepath.Join(full, RunFile))
	if err := os.MkdirAll(early, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(early, RunFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, from, err := Resume(early); err != nil || from != nil || got.Train != ref.Options.Train {
		t.Errorf("Resume from run.json: checkpoint %v, options %+v, error %v", from, got.Train, err)
	}
	var ie *InputError
	if _, _, err := Resume(filepath.Join(root, "none")); !errors.As(err, &ie) {
		t.Errorf("Resume of nothing: error %v, want an InputError", err)
	}
}

// TestMoonsShapeCarriesOver: a run on moons of another shape records it
// in run.json, and the data to evaluate its model on is drawn with it
// (other points than the default shape's), whatever the flags give.
func TestMoonsShapeCarriesOver(t *testing.T) {
	dir := t.TempDir()
	o := smallOptions()
	o.Data.Moons = data.MoonsShape{Noise: 0.3, Spacing: 0.5}
	o.Train.Iters = 2
	if _, err := Train(context.Background(), dir, o, nil, nil); err != nil {
		t.Fatal(err)
	}
	run, _, err := Resume(dir)
	if err != nil {
		t.Fatal(err)
	}
	if run.Data.Moons != o.Data.Moons {
		t.Fatalf("run.json holds moons shape %+v, want %+v", run.Data.Moons, o.Data.Moons)
	}
	set, d, err := DataFor(DataOptions{Name: "moons"}, &run, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	want, err := data.Load("moons", data.Options{Seed: run.Data.Seed, Classes: run.Data.Classes, PerClass: run.Data.PerClass,
		TestPerClass: run.Data.TestPerClass, Moons: o.Data.Moons})
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := data.Load("moons", data.Options{Seed: run.Data.Seed, Classes: run.Data.Classes, PerClass: run.Data.PerClass,
		TestPerClass: run.Data.TestPerClass})
	if d.Moons != o.Data.Moons || !slices.Equal(set.Test.X, want.Test.X) || slices.Equal(set.Test.X, plain.Test.X) {
		t.Errorf("evaluation data drawn with shape %+v, not the run's %+v", d.Moons, o.Data.Moons)
	}
}

// TestTrainBadInput: bad options and data are reported before anything is
// written.
func TestTrainBadInput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	o := smallOptions()
	o.Train.Iters = 0
	var se *SettingError
	if _, err := Train(context.Background(), dir, o, nil, nil); !errors.As(err, &se) || se.Setting != "iters" {
		t.Errorf("zero iterations: error %v", err)
	}
	o = smallOptions()
	o.Data.Name = filepath.Join(t.TempDir(), "missing.csv")
	if _, err := Train(context.Background(), dir, o, nil, nil); !errors.As(err, &se) || se.Setting != "data" {
		t.Errorf("missing point file: error %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused run wrote %s (%v)", dir, err)
	}
}

// TestHeldout: a cap takes points spread over the split, every class
// present; no cap or a cap above half the split keeps it whole.
func TestHeldout(t *testing.T) {
	s := data.Split{Dim: 1, N: 10}
	for i := range 10 {
		s.X = append(s.X, float64(i))
		s.Labels = append(s.Labels, i/5)
	}
	if h := heldout(s, 3); !slices.Equal(h.X, []float64{0, 3, 6, 9}) || !slices.Equal(h.Labels, []int{0, 0, 1, 1}) {
		t.Errorf("cap 3: %v %v", h.X, h.Labels)
	}
	for _, limit := range []int{0, 6, 20} {
		if h := heldout(s, limit); h.N != 10 {
			t.Errorf("cap %d: %d points, want all 10", limit, h.N)
		}
	}
}
