package recipe

import (
	"math"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/ode"
)

// Auto lets the recipe choose a setting from the data: the dynamics
// (hyperplanar for 2-D points, concatmlp for other points, concatconv for
// images) and the trace estimator (exact for points, Rademacher noise for
// images).
const Auto = "auto"

// Means of a Gaussian base (Options.BaseMean).
const (
	MeanData = "data" // the mean of the training data in the flow's space
	MeanZero = "zero" // the origin
)

// DataOptions select a dataset of cnf/data and how it is built.
type DataOptions struct {
	// Name is a dataset of data.Names or a .csv/.npy file of points.
	Name string `json:"data"`
	// Classes are the training classes: chosen for the moons; for other
	// data, those it holds, as Train records them (a class number of the
	// data names the base component at its position in ascending order).
	Classes Ints `json:"classes"`
	// PerClass and TestPerClass are the training and test points per class
	// (0: the dataset's default).
	PerClass     int `json:"n_train"`
	TestPerClass int `json:"n_test"`
	// Seed seeds the dataset's construction.
	Seed uint64 `json:"data_seed"`
	// Dir holds MNIST and FashionMNIST (empty: data's default).
	Dir string `json:"data_dir"`
	// Moons is the shape of the moons (zero: the default shape).
	Moons data.MoonsShape `json:"moons,omitzero"`
}

// Options are the settings of one training run: the dataset, the flow, its
// solver and the training loop. They are what `mmcnf train` takes as flags
// and what a model directory records in run.json (and every checkpoint),
// so that the run can be continued and its model evaluated and sampled as
// it was trained.
type Options struct {
	Data DataOptions `json:"dataset"`
	// Base is cnf.BaseGaussian or cnf.BaseGMM (one component per class).
	Base string `json:"base"`
	// BaseMean places a Gaussian base: MeanData or MeanZero.
	BaseMean  string `json:"base_mean"`
	LearnBase bool   `json:"learn_base"`
	// Dynamics is a cnf dynamics kind or Auto.
	Dynamics string `json:"dynamics"`
	// Hidden and Width size HyperPlanar; Dims are the hidden channels of
	// ConcatConv or the widths of ConcatMLP.
	Hidden     int  `json:"hidden"`
	Width      int  `json:"width"`
	Dims       Ints `json:"dims"`
	WeightNorm bool `json:"weight_norm,omitempty"`
	Blocks     int  `json:"blocks"`
	// Solver names an ode method (ode.Methods); RTol and ATol are the
	// tolerances of the adaptive ones, Steps the step count of the
	// fixed-step ones. Interpolate makes an adaptive solve step past t1
	// and interpolate back, as torchdiffeq does (cnf.SolverConfig).
	Solver      string  `json:"solver"`
	RTol        float64 `json:"rtol"`
	ATol        float64 `json:"atol"`
	Steps       int     `json:"steps"`
	Interpolate bool    `json:"interpolate,omitempty"`
	T1          float64 `json:"t1"`
	// Trace is a cnf trace estimator or Auto.
	Trace string `json:"trace"`
	// Grad names an ode gradient method (ode.Gradients).
	Grad     string  `json:"grad"`
	Kinetic  float64 `json:"kinetic"`
	Jacobian float64 `json:"jacobian"`
	// EvalBatch is the number of points per solve of the held-out
	// evaluation; HeldoutMax caps the held-out points, taken evenly spread
	// over the test split (0: all of them).
	EvalBatch  int `json:"eval_batch"`
	HeldoutMax int `json:"heldout_max,omitempty"`
	// Threads is the number of worker threads the run used.
	Threads int `json:"threads"`

	Train train.Config `json:"train"`
}

// Defaults returns the options of a run that sets nothing: the moons
// classes 0 and 1, a Gaussian base at the data's mean, the dynamics and
// trace chosen from the data, cnf's model defaults, dopri5, backprop
// through the solver and train.DefaultConfig.
func Defaults() Options {
	return Options{
		Data:      DataOptions{Name: "moons", Classes: Ints{0, 1}, Seed: 1},
		Base:      cnf.BaseGaussian,
		BaseMean:  MeanData,
		Dynamics:  Auto,
		Hidden:    cnf.DefaultHidden,
		Width:     cnf.DefaultWidth,
		Dims:      slices.Clone(cnf.DefaultConvDims),
		Blocks:    1,
		Solver:    cnf.DefaultMethod,
		RTol:      cnf.DefaultTol,
		ATol:      cnf.DefaultTol,
		Steps:     8,
		T1:        cnf.DefaultT1,
		Trace:     Auto,
		Grad:      ode.Backprop.Name(),
		EvalBatch: DefaultEvalBatch,
		Train:     train.DefaultConfig(),
	}
}

// Validate reports the first setting of d that cannot work. Classes are
// checked for the moons only, the one dataset whose classes can be chosen.
func (d *DataOptions) Validate() error {
	if err := nonNegativeInt("n-train", d.PerClass); err != nil {
		return err
	}
	if err := nonNegativeInt("n-test", d.TestPerClass); err != nil {
		return err
	}
	if data.IsPointFile(d.Name) {
		return nil
	}
	if !slices.Contains(data.Names(), d.Name) {
		return settingErrorf("data", "names an unknown dataset %q (known: %s, or a .csv/.npy file of points)", d.Name, strings.Join(data.Names(), ", "))
	}
	if d.Name != "moons" {
		if d.Moons != (data.MoonsShape{}) {
			return settingErrorf("moons", "applies to moons only, not %s", d.Name)
		}
		return nil
	}
	if err := d.Moons.Validate(); err != nil {
		return settingErrorf("moons", "%v", err)
	}
	if len(d.Classes) == 0 {
		return settingErrorf("classes", "is empty")
	}
	for i, c := range d.Classes {
		if c >= data.MoonsClasses {
			return settingErrorf("classes", "must be moons classes 0..%d: class %d out of range", data.MoonsClasses-1, c)
		}
		if slices.Contains(d.Classes[:i], c) {
			return settingErrorf("classes", "must not repeat a class: %d appears twice", c)
		}
	}
	return nil
}

// CheckGiven reports a setting that given says was set but does not apply
// to d: training classes for a dataset other than the moons, whose classes
// are fixed (a named dataset) or the labels it holds (a file of points).
func (d *DataOptions) CheckGiven(given func(setting string) bool) error {
	switch {
	case !given("classes") || d.Name == "moons":
		return nil
	case data.IsPointFile(d.Name):
		return settingErrorf("classes", "applies to moons only; the classes of %s are the labels it holds", d.Name)
	case slices.Contains(data.Names(), d.Name):
		return settingErrorf("classes", "applies to moons only; %s has fixed classes", d.Name)
	}
	return nil
}

// Validate reports the first setting of o that cannot work, without
// loading the data.
func (o *Options) Validate() error {
	if err := o.Data.Validate(); err != nil {
		return err
	}
	if len(o.Dims) == 0 {
		return settingErrorf("dims", "is empty")
	}
	for _, d := range o.Dims {
		if d == 0 {
			return settingErrorf("dims", "must be positive, got %s", o.Dims)
		}
	}
	a := o.Train.Adam
	checks := []error{
		oneOf("dynamics", o.Dynamics, Auto, cnf.HyperPlanar, cnf.ConcatMLP, cnf.ConcatConv),
		oneOf("base", o.Base, cnf.BaseGaussian, cnf.BaseGMM),
		oneOf("base-mean", o.BaseMean, MeanData, MeanZero),
		positiveInt("hidden", o.Hidden),
		positiveInt("width", o.Width),
		positiveInt("blocks", o.Blocks),
		oneOf("solver", o.Solver, methodNames()...),
		positiveFloat("rtol", o.RTol),
		positiveFloat("atol", o.ATol),
		positiveInt("steps", o.Steps),
		positiveFloat("t1", o.T1),
		oneOf("trace", o.Trace, Auto, cnf.TraceExact, cnf.TraceRademacher, cnf.TraceGaussian),
		oneOf("grad", o.Grad, cnf.GradientNames()...),
		o.checkInterpolate(),
		nonNegativeFloat("kinetic", o.Kinetic),
		nonNegativeFloat("jacobian", o.Jacobian),
		positiveInt("iters", o.Train.Iters),
		positiveInt("batch", o.Train.Batch),
		positiveFloat("lr", a.LR),
		positiveFloat("adam-eps", a.Eps),
		nonNegativeInt("warmup", a.Warmup),
		nonNegativeInt("anneal", a.Anneal),
		nonNegativeFloat("weight-decay", a.WeightDecay),
		oneOf("decay", a.DecayMode, train.DecayDecoupled, train.DecayL2),
		nonNegativeFloat("clip", o.Train.ClipNorm),
		nonNegativeInt("eval-every", o.Train.EvalEvery),
		nonNegativeInt("checkpoint-every", o.Train.CheckpointEvery),
		positiveInt("eval-batch", o.EvalBatch),
		nonNegativeInt("heldout-max", o.HeldoutMax),
		nonNegativeInt("threads", o.Threads),
		atMost("threads", o.Threads, MaxThreads),
		unitInterval("beta1", a.Beta1),
		unitInterval("beta2", a.Beta2),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkInterpolate checks that interpolation is asked of an adaptive
// solver only (an unknown solver is reported on its own).
func (o *Options) checkInterpolate() error {
	fixed, adaptive := cnf.MethodNames()
	if !o.Interpolate || !slices.Contains(fixed, o.Solver) {
		return nil
	}
	return settingErrorf("interpolate", "needs an adaptive solver (%s), not the fixed-step %s", strings.Join(adaptive, ", "), o.Solver)
}

// methodNames lists the names of the solvers, fixed-step ones first.
func methodNames() []string {
	fixed, adaptive := cnf.MethodNames()
	return append(fixed, adaptive...)
}

// positiveInt checks that the setting holds a value > 0.
func positiveInt(name string, v int) error { return atLeastZero(name, v, true) }

// nonNegativeInt checks that the setting holds a value >= 0.
func nonNegativeInt(name string, v int) error { return atLeastZero(name, v, false) }

// positiveFloat checks that the setting holds a finite value > 0.
func positiveFloat(name string, v float64) error { return atLeastZero(name, v, true) }

// nonNegativeFloat checks that the setting holds a finite value >= 0.
func nonNegativeFloat(name string, v float64) error { return atLeastZero(name, v, false) }

// atLeastZero checks that the setting holds a value >= 0, or > 0 when
// positive, and for floats that it is finite.
func atLeastZero[T int | float64](name string, v T, positive bool) error {
	f := float64(v)
	if (f > 0 || (f == 0 && !positive)) && !math.IsInf(f, 1) {
		return nil
	}
	_, isInt := any(v).(int)
	what := map[[2]bool]string{
		{true, true}: "must be positive", {true, false}: "must not be negative",
		{false, true}: "must be positive and finite", {false, false}: "must be non-negative and finite",
	}[[2]bool{isInt, positive}]
	return settingErrorf(name, "%s, got %v", what, v)
}

// atMost checks that the setting holds a value <= limit.
func atMost(name string, v, limit int) error {
	if v > limit {
		return settingErrorf(name, "must be at most %d, got %d", limit, v)
	}
	return nil
}

// unitInterval checks that the setting lies in [0, 1).
func unitInterval(name string, v float64) error {
	if !(v >= 0 && v < 1) {
		return settingErrorf(name, "must lie in [0, 1), got %v", v)
	}
	return nil
}

// oneOf checks that the setting holds one of the allowed values.
func oneOf(name, v string, allowed ...string) error {
	if !slices.Contains(allowed, v) {
		return settingErrorf(name, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	}
	return nil
}
