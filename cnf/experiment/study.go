package experiment

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/internal/english"
	"github.com/mmcnf/mmcnf/ode"
)

// Settings are the knobs of a study: training, evaluation and sampling.
// Every unit of a study uses the same settings; only the training set, base
// and seed differ.
type Settings struct {
	// Seeds is the number of seeds, 0..Seeds-1, per (training set, base).
	Seeds int `json:"seeds"`
	// Iters is the number of training iterations and Batch their size.
	Iters int `json:"iters"`
	Batch int `json:"batch"`
	// Grad names the ode gradient method of training (ode.Gradients;
	// empty in results written before it was recorded: backprop).
	Grad string `json:"grad,omitempty"`
	// LR is Adam's learning rate.
	LR float64 `json:"lr"`
	// Solver names the ODE method; RTol and ATol are its tolerances when
	// adaptive, Steps its step count when fixed.
	Solver string  `json:"solver"`
	RTol   float64 `json:"rtol"`
	ATol   float64 `json:"atol"`
	Steps  int     `json:"steps,omitempty"`
	// Trace is "exact" or "hutchinson".
	Trace string `json:"trace"`
	// Hidden are the hidden sizes: the hypernetwork's for HyperPlanar, the
	// convolution channels for ConcatConv.
	Hidden []int `json:"hidden"`
	// Width is the number of planar units (HyperPlanar only).
	Width int `json:"width,omitempty"`
	// WeightNorm turns on weight normalisation (ConcatConv only).
	WeightNorm bool `json:"weight_norm,omitempty"`
	// TrainPerClass is the number of training samples per class.
	TrainPerClass int `json:"train_per_class"`
	// EvalPerSet caps the number of held-out samples per evaluation set.
	EvalPerSet int `json:"eval_per_set"`
	// Samples is the number of samples drawn from each model, and per class
	// for class-conditional samples.
	Samples int `json:"samples"`
	// CheckpointEvery is the checkpoint interval in iterations.
	CheckpointEvery int `json:"checkpoint_every"`
	// Threads is the number of worker goroutines (0: all cores). It does not
	// change what a unit computes, only how fast.
	Threads int `json:"threads"`
	// Quick marks the reduced smoke-test settings.
	Quick bool `json:"quick"`
	// Evals is the number of held-out evaluations during training, evenly
	// spaced (0: 5): the points of train.jsonl and of the convergence
	// figure.
	Evals int `json:"evals,omitempty"`
	// Anneal decays the learning rate from LR to zero over the run by a
	// half cosine (train.AdamConfig.Anneal); otherwise it stays at LR.
	Anneal bool `json:"anneal,omitempty"`
	// ClassSamples is the number of class-conditional samples drawn per
	// class from the GMM base (0: Samples).
	ClassSamples int `json:"class_samples,omitempty"`
	// LearnBase learns the base's means (and the mixture's weights) with
	// the flow.
	LearnBase bool `json:"learn_base,omitempty"`
	// Moons is the shape of the cascading moons (zero: the default).
	Moons data.MoonsShape `json:"moons,omitzero"`
}

// evalEvery is the held-out evaluation period of the settings.
func (s Settings) evalEvery() int {
	n := s.Evals
	if n <= 0 {
		n = 5
	}
	return max(1, s.Iters/n)
}

// classSamples is the number of class-conditional samples per class.
func (s Settings) classSamples() int {
	if s.ClassSamples > 0 {
		return s.ClassSamples
	}
	return s.Samples
}

// sameTraining reports whether two settings train and evaluate the same
// models, ignoring the seed count and thread count.
func sameTraining(a, b Settings) bool {
	return a.Iters == b.Iters && a.Batch == b.Batch && a.grad() == b.grad() && a.LR == b.LR &&
		a.Solver == b.Solver && a.RTol == b.RTol && a.ATol == b.ATol &&
		a.Steps == b.Steps && a.Trace == b.Trace && slices.Equal(a.Hidden, b.Hidden) &&
		a.Width == b.Width && a.WeightNorm == b.WeightNorm &&
		a.TrainPerClass == b.TrainPerClass && a.EvalPerSet == b.EvalPerSet &&
		a.Samples == b.Samples && a.CheckpointEvery == b.CheckpointEvery && a.Quick == b.Quick &&
		a.Evals == b.Evals && a.Anneal == b.Anneal && a.classSamples() == b.classSamples() &&
		a.LearnBase == b.LearnBase && a.Moons == b.Moons
}

// grad is the name of the gradient method of s.
func (s Settings) grad() string {
	if s.Grad == "" {
		return ode.Backprop.Name()
	}
	return s.Grad
}

// Validate reports the first setting that cannot work.
func (s Settings) Validate() error {
	for _, c := range []struct {
		name     string
		v        int
		positive bool
	}{{"seeds", s.Seeds, true}, {"iters", s.Iters, true}, {"batch", s.Batch, true}, {"threads", s.Threads, false},
		{"train-per-class", s.TrainPerClass, true}, {"eval-per-set", s.EvalPerSet, true},
		{"samples", s.Samples, true}, {"checkpoint-every", s.CheckpointEvery, true},
		{"evals", s.Evals, false}, {"class-samples", s.ClassSamples, false}} {
		switch {
		case c.positive && c.v < 1:
			return fmt.Errorf("%s must be positive, got %d", c.name, c.v)
		case c.v < 0:
			return fmt.Errorf("%s must not be negative, got %d", c.name, c.v)
		}
	}
	switch {
	case !(s.LR > 0):
		return fmt.Errorf("lr must be positive, got %g", s.LR)
	case s.Trace != "exact" && s.Trace != "hutchinson":
		return fmt.Errorf("trace must be exact or hutchinson, got %q", s.Trace)
	}
	if names := cnf.GradientNames(); !slices.Contains(names, s.grad()) {
		return fmt.Errorf("grad must be one of %s, got %q", strings.Join(names, ", "), s.grad())
	}
	if s.Steps > 0 {
		return s.Moons.Validate()
	}
	if !(s.RTol > 0) || !(s.ATol > 0) {
		return fmt.Errorf("rtol and atol must be positive, got %g and %g", s.RTol, s.ATol)
	}
	return s.Moons.Validate()
}

// Overrides are the settings a run of a study may change from the
// study's own: each replaces the study's when set (positive, or not empty).
type Overrides struct {
	Seeds, Iters, Threads int
	// Batch is the training mini-batch size. The memory of a training step
	// grows with it (backprop keeps every stage of every step of the
	// batch), so a machine short of memory can lower it; it trains another
	// model than the study's.
	Batch int
	// Grad names an ode gradient method (ode.Gradients): adjoint needs
	// memory independent of the steps, backprop-recompute fewer records
	// than backprop for the same gradient.
	Grad string
	// Samples is the number of samples drawn from each model (and, unless
	// the study sets its own, per class from the GMM base).
	Samples int
	// LRSchedule is ScheduleConstant or ScheduleCosine.
	LRSchedule string
}

// Learning-rate schedules a run may name (Overrides.LRSchedule).
const (
	ScheduleConstant = "constant"
	ScheduleCosine   = "cosine"
)

// Settings returns the study's settings for a run: the defaults or, with
// quick, the smoke-test settings, with those that o sets replacing theirs
// (checkpoints then come at least every o.Iters iterations), checked. A
// setting that cannot work is a *recipe.SettingError naming it, as the
// command line spells it; settings that do not fit together are a
// *recipe.InputError.
func (s *Study) Settings(quick bool, o Overrides) (Settings, error) {
	for _, c := range []struct {
		name string
		v    int
	}{{"seeds", o.Seeds}, {"iters", o.Iters}, {"threads", o.Threads}, {"batch", o.Batch}, {"samples", o.Samples}} {
		if c.v < 0 {
			return Settings{}, &recipe.SettingError{Setting: c.name, Problem: fmt.Sprintf("must not be negative, got %d", c.v)}
		}
	}
	if names := cnf.GradientNames(); o.Grad != "" && !slices.Contains(names, o.Grad) {
		return Settings{}, &recipe.SettingError{Setting: "grad", Problem: fmt.Sprintf("must be one of %s, got %q", strings.Join(names, ", "), o.Grad)}
	}
	if o.LRSchedule != "" && o.LRSchedule != ScheduleConstant && o.LRSchedule != ScheduleCosine {
		return Settings{}, &recipe.SettingError{Setting: "lr-schedule", Problem: fmt.Sprintf("must be %s or %s, got %q", ScheduleConstant, ScheduleCosine, o.LRSchedule)}
	}
	st := s.Defaults
	if quick {
		st = s.Quick
	}
	if o.Seeds > 0 {
		st.Seeds = o.Seeds
	}
	if o.Iters > 0 {
		st.Iters = o.Iters
		st.CheckpointEvery = min(st.CheckpointEvery, o.Iters)
	}
	if o.Batch > 0 {
		st.Batch = o.Batch
	}
	st.Grad = st.grad()
	if o.Grad != "" {
		st.Grad = o.Grad
	}
	if o.Samples > 0 {
		st.Samples = o.Samples
	}
	if o.LRSchedule != "" {
		st.Anneal = o.LRSchedule == ScheduleCosine
	}
	st.Threads = o.Threads
	if err := st.Validate(); err != nil {
		return st, &recipe.InputError{Err: err}
	}
	return st, nil
}

// TrainSet is one training set of a study.
type TrainSet struct {
	// Name is how tables and figures call it, e.g. "D{0,1}".
	Name string `json:"name"`
	// Slug names its directory under OUT/runs/<study>.
	Slug string `json:"slug"`
	// Classes are the in-distribution classes.
	Classes []int `json:"classes"`
	// Vary, if not nil, changes the study's settings for this training
	// set's units: a point of a sensitivity study.
	Vary *Variation `json:"vary,omitempty"`
}

// Variation is a change of a study's settings: one factor moved away from
// the defaults, or none.
type Variation struct {
	// Factor names what is varied ("" for the study's own settings).
	Factor string `json:"factor,omitempty"`
	// Noise and Spacing replace the moons' shape where not zero.
	Noise   float64 `json:"noise,omitempty"`
	Spacing float64 `json:"spacing,omitempty"`
	// IterFraction, where not zero, trains this fraction of the study's
	// iterations (rounded, at least one).
	IterFraction float64 `json:"iter_fraction,omitempty"`
	// LearnBase learns the base's parameters.
	LearnBase bool `json:"learn_base,omitempty"`
}

// apply returns s changed by v.
func (v *Variation) apply(s Settings) Settings {
	if v == nil {
		return s
	}
	if v.Noise != 0 {
		s.Moons.Noise = v.Noise
	}
	if v.Spacing != 0 {
		s.Moons.Spacing = v.Spacing
	}
	if v.IterFraction != 0 {
		s.Iters = max(1, int(math.Round(v.IterFraction*float64(s.Iters))))
		s.CheckpointEvery = min(s.CheckpointEvery, s.Iters)
	}
	s.LearnBase = s.LearnBase || v.LearnBase
	return s
}

// TimingMachine names the machine, build and conditions of every Timing.
const TimingMachine = "a 2-core AMD EPYC (Zen 4) virtual machine shared with other work, " +
	"commit 9d8a312, Go 1.26.8, the avx512 kernels, each time with the 1-minute load average " +
	"as it started; to be measured again on a quiet machine"

// Timing states how long a study took on the machine of TimingMachine.
type Timing struct {
	// Defaults is the wall time of `reproduce <study>` at the study's
	// default settings into a new directory (for the moons, of make run,
	// which runs it in two processes) or, for the studies whose default
	// runs are too long to time whole here, that of a part of one: a
	// training iteration of an image study's unit, a unit of the
	// sensitivity study.
	Defaults string
	// Quick is the wall time of `reproduce <study> --quick` into a new
	// directory.
	Quick string
}

// TimeLine is the line of `mmcnf reproduce -h` on the study: its default
// size and its measured times.
func (s *Study) TimeLine() string {
	return fmt.Sprintf("%s x %s by default: %s; --quick: %s", english.Count(s.Defaults.Seeds, "seed"),
		english.Count(s.Defaults.Iters, "iteration"), s.Time.Defaults, s.Time.Quick)
}

// Study is one experiment of the paper: its units and settings, and how
// it evaluates, tables, draws and compares its results with the paper.
type Study struct {
	// Name is the command-line name, e.g. "moons".
	Name string
	// Image is true for the 16x16 image studies.
	Image bool
	// TrainSets are the training sets, each trained with both bases.
	TrainSets []TrainSet
	// Defaults and Quick are the full and the smoke-test settings.
	Defaults, Quick Settings
	// Time is how long the study took, measured: the one statement of it,
	// which `mmcnf reproduce -h` prints and the documentation quotes.
	Time Timing

	// classifier is the 10-class dataset the feature classifier of FD is
	// trained on ("": the study measures no sample quality).
	classifier string
	// paperFID is the paper's FID (Table 2) by base (nil: none).
	paperFID map[string]float64
	// evalSets splits a unit's dataset into the sets the study reports.
	evalSets func(set *data.Set) []evalSet
	// findings tests the study's own findings of the paper for one
	// training set, beyond those every study tests.
	findings func(r *Results, ts string) []Finding
	// tables writes the study's tables into results.md (nil: bits/dim and
	// AUROC per set for each training set).
	tables func(w io.Writer, r *Results)
	// paperTables writes the paper's tables that the study's results fill,
	// after every study's own section (nil: none).
	paperTables func(w io.Writer, r *Results)
	// figures draws the study's figures into the output directory.
	figures func(out string, r *Results) error
	// figure3 makes the study's training sets panels of Figure 3.
	figure3 bool
	// classNames name the classes in figures (nil: "class K").
	classNames []string
	// dataset names the cnf/data dataset of the study ("": its Name).
	dataset string
	// paperInDist quotes the paper's in-distribution bits/dim of the two
	// bases, where it gives them.
	paperInDist string
	// skipCommon leaves out the findings every study tests: the study
	// tests only its own.
	skipCommon bool
	// conclusion writes the study's answer to the question it asks, from
	// its findings, after them (nil: none).
	conclusion func(w io.Writer, r *Results, fs []Finding)
}

// className is how figures name class k of the study.
func (s *Study) className(k int) string {
	if k >= 0 && k < len(s.classNames) {
		return s.classNames[k]
	}
	return fmt.Sprintf("class %d", k)
}

// datasetName is the cnf/data dataset the study trains on.
func (s *Study) datasetName() string {
	if s.dataset != "" {
		return s.dataset
	}
	return s.Name
}

// Unit is one (study, training set, base, seed) to train and evaluate.
type Unit struct {
	Study    string
	TrainSet TrainSet
	Base     string
	Seed     int
}

// Settings are the settings the unit trains with: the study's s as its
// training set varies them.
func (u Unit) Settings(s Settings) Settings { return u.TrainSet.Vary.apply(s) }

// Dir is the unit's directory under out.
func (u Unit) Dir(out string) string {
	return fmt.Sprintf("%s/runs/%s/%s/%s/seed-%d", out, u.Study, u.TrainSet.Slug, u.Base, u.Seed)
}

// String names the unit for progress messages.
func (u Unit) String() string {
	return fmt.Sprintf("%s %s base=%s seed=%d", u.Study, u.TrainSet.Name, u.Base, u.Seed)
}

// Units lists the study's units for the given seed count, in the order they
// run: seed-major, so that an early stop still leaves complete seeds.
func (s *Study) Units(seeds int) []Unit {
	var us []Unit
	for seed := range seeds {
		for _, ts := range s.TrainSets {
			for _, b := range Bases {
				us = append(us, Unit{Study: s.Name, TrainSet: ts, Base: b, Seed: seed})
			}
		}
	}
	return us
}

// studies holds the registered studies in the order reports show them.
var studies []*Study

// register adds a study to the registry with its measured times.
func register(s *Study, t Timing) {
	s.Time = t
	studies = append(studies, s)
}

// Lookup returns the named study or an error listing the known ones.
func Lookup(name string) (*Study, error) {
	if i := rank(name); i < len(studies) {
		return studies[i], nil
	}
	return nil, fmt.Errorf("unknown study %q (known: %s)", name, strings.Join(StudyNames(), ", "))
}

// rank is the position of the named study in the registry (len(studies)
// for an unknown name).
func rank(name string) int {
	if i := slices.IndexFunc(studies, func(s *Study) bool { return s.Name == name }); i >= 0 {
		return i
	}
	return len(studies)
}

// StudyNames lists the registered studies, sorted.
func StudyNames() []string {
	var names []string
	for _, s := range studies {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}
