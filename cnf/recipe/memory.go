package recipe

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// MaxThreads is the most worker threads a run may ask for. More threads
// than this machine has cores are allowed, since results depend on the
// thread count and repeating a run of a larger machine bit for bit takes
// its count; beyond this bound a count is a mistake.
const MaxThreads = 1024

// programBytes is the memory of the program and the Go runtime before a
// command allocates its work: `mmcnf help` peaks at 11 MiB, and the
// goroutines and the collector's work need some more.
const programBytes = 16 << 20

// Estimate is the memory a command needs, by part, in bytes, and what the
// machine has. Each part lists the settings that size it, so that a
// refusal can say which setting to change.
type Estimate struct {
	parts []part
	// Have is the memory available.
	Have sysmem.Limit
}

// part is one part of an estimate: what it holds, its size, and the
// settings that size it.
type part struct {
	what  string
	bytes float64
	sizes []size
}

// size is a setting that sizes a part of an estimate: its name as the
// command line spells it, its value, and that value over the setting's
// default (0 when it has none to compare with).
type size struct {
	setting string
	value   any
	ratio   float64
}

// sized returns the setting of the given value and default.
func sized(setting string, value any, v, def float64) size {
	r := 0.0
	if def > 0 {
		r = v / def
	}
	return size{setting, value, r}
}

// add appends a part of the estimate (nothing for a size of zero).
func (e *Estimate) add(what string, bytes float64, sizes ...size) {
	if bytes > 0 {
		e.parts = append(e.parts, part{what, bytes, sizes})
	}
}

// Total is the sum of the parts.
func (e Estimate) Total() float64 {
	t := 0.0
	for _, p := range e.parts {
		t += p.bytes
	}
	return t
}

// Bytes returns the size of the part whose description starts with what
// (0 when there is none).
func (e Estimate) Bytes(what string) float64 {
	for _, p := range e.parts {
		if strings.HasPrefix(p.what, what) {
			return p.bytes
		}
	}
	return 0
}

// String lists the parts, e.g. "training step 1.2 GiB, data 80.0 KiB".
func (e Estimate) String() string {
	var s []string
	for _, p := range e.parts {
		s = append(s, p.what+" "+sysmem.Format(p.bytes))
	}
	return strings.Join(s, ", ")
}

// check refuses an estimate beyond the memory available with a
// *SettingError naming the setting to change: of those that size its
// parts, the one furthest above its default, or, when none is above its
// default, the one that sizes the most memory.
func (e Estimate) check() error {
	total := e.Total()
	if total <= e.Have.Bytes {
		return nil
	}
	best := size{ratio: 1}
	sums := map[string]float64{}
	var most size
	for _, p := range e.parts {
		for i, s := range p.sizes {
			if s.ratio > best.ratio {
				best = s
			}
			if i == 0 {
				sums[s.setting] += p.bytes
				if most.setting == "" || sums[s.setting] > sums[most.setting] {
					most = s
				}
			}
		}
	}
	if best.setting == "" {
		best = most
	}
	return settingErrorf(best.setting, "%v needs %s of memory (%s), more than the %s available", best.value, sysmem.Format(total), e, e.Have)
}

// available returns the memory the machine has; a malformed
// sysmem.EnvVar is an InputError.
func available() (sysmem.Limit, error) {
	have, err := sysmem.Available()
	if err != nil {
		return have, &InputError{Err: err}
	}
	return have, nil
}

// threads is the number of chunks a batch is split into: n, or all the
// processors the runtime uses when n is 0.
func threads(n int) int {
	if n == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// compressorBytes is the memory of the deflate compressors that writing
// weights.npz keeps (0.8 MiB each, pooled by archive/zip, which the
// collector frees in two cycles).
const compressorBytes = 2 << 20

// pointBytes is the memory of n points of dim values with their labels,
// as a dataset holds them, grows them while it builds them and copies
// them into the training loop's form: three times their size.
func pointBytes(n, dim float64) float64 { return 3 * 8 * n * (dim + 1) }

// mnistBytes is the memory of loading the four IDX files of one source
// (MNIST or FashionMNIST): 70,000 images of 28 x 28 bytes and their
// labels, four times over, since each file is read whole, then decoded
// into a buffer that grows by doubling, the garbage freed later (an
// instance-mnist run peaked at 192 MiB against an estimate of 72 MiB
// counting them once).
const mnistBytes = 4 * 70000 * (28*28 + 1)

// sourceBytes is the memory of loading the image files the named
// dataset is built from (none for the moons and files of points).
func sourceBytes(name string) float64 {
	switch {
	case name == "fashion-mnist":
		return 2 * mnistBytes // FashionMNIST, then MNIST's test set
	case name == "moons" || data.IsPointFile(name):
		return 0
	}
	return mnistBytes
}

// dataEstimate adds the memory of the dataset d selects, computed from
// its settings before anything is loaded: its points and the files they
// are built from. A file of points is not estimated here: its reader
// allocates no more than its size allows, and the points it holds are
// counted once loaded (see loadedData).
func (e *Estimate) dataEstimate(d DataOptions) {
	if data.IsPointFile(d.Name) {
		return
	}
	n, nt := float64(d.PerClass), float64(d.TestPerClass)
	per := func(v, def float64) float64 {
		if v == 0 {
			return def
		}
		return v
	}
	upTo := func(v, all float64) float64 {
		if v == 0 {
			return all
		}
		return min(v, all)
	}
	dim := float64(data.ImageSide * data.ImageSide)
	var train, test float64
	switch d.Name {
	case "moons":
		dim = 2
		train = per(n, data.DefaultPerClass) * float64(len(d.Classes))
		test = per(nt, data.DefaultTestPerClass) * data.MoonsClasses
	case "instance-mnist":
		train = 2 * per(n, data.DefaultPerClass)
		test = 11 * per(nt, data.DefaultTestPerClass)
	case "subset-mnist":
		train = 2 * per(n, data.DefaultPerClass)
		test = upTo(11*nt, 11000)
	case "fashion-mnist":
		train = 10 * per(n, data.DefaultPerClass)
		test = 2 * upTo(10*nt, 10000)
	default: // mnist, fashion-mnist-full
		train = upTo(10*n, 60000)
		test = upTo(10*nt, 10000)
	}
	e.add("data", pointBytes(train, dim)+pointBytes(test, dim),
		sized("n-train", d.PerClass, n, data.DefaultPerClass), sized("n-test", d.TestPerClass, nt, data.DefaultTestPerClass))
	e.add("data files", sourceBytes(d.Name))
}

// loadedData adds the memory of a loaded dataset, as the commands copy
// it, and of the files it was built from, whose garbage may not have been
// collected yet.
func (e *Estimate) loadedData(set *data.Set) {
	n := float64(set.Train.N + set.Test.N)
	for _, s := range set.OOD {
		n += float64(s.N)
	}
	e.add("data", pointBytes(n, float64(set.Dim)), size{setting: "data", value: set.Name})
	e.add("data files", sourceBytes(set.Name))
}

// checkData refuses the dataset d selects when it needs more memory than
// the machine has, before anything is loaded.
func checkData(d DataOptions) error {
	have, err := available()
	if err != nil {
		return err
	}
	e := Estimate{Have: have}
	e.add("program", programBytes)
	e.dataEstimate(d)
	return e.check()
}

// modelSizes returns the settings that size the parameters of cfg: its
// dynamics' sizes and its blocks.
func modelSizes(cfg cnf.Config) []size {
	d := Defaults()
	dc := cfg.Dynamics
	blocks := sized("blocks", cfg.Blocks, float64(cfg.Blocks), float64(d.Blocks))
	if dc.Kind == cnf.HyperPlanar {
		return []size{sized("hidden", dc.Hidden, float64(dc.Hidden), float64(d.Hidden)),
			sized("width", dc.Width, float64(dc.Width), float64(d.Width)), blocks}
	}
	widest := float64(slices.Max(append([]int{0}, dc.Dims...)))
	return []size{sized("dims", Ints(dc.Dims), widest, float64(slices.Max(d.Dims))), blocks}
}

// modelParts adds the parts of a model's estimate, each with the settings
// that size it: its parameters (the model's sizes), a training step and
// the records of its solves (train, with the steps of a fixed-step
// solver), and its solves of evaluation and sampling (eval and sample).
// Every part of a solve grows with the blocks too.
func (e *Estimate) modelParts(cfg cnf.Config, mem cnf.Memory, train, eval, sample size) {
	model := modelSizes(cfg)
	blocks := model[len(model)-1]
	e.add("model", mem.Params, model...)
	e.add("training step", mem.Train, train, blocks)
	if mem.Tape > 0 {
		what := fmt.Sprintf("%s of %d solver steps", tapePart, mem.Steps)
		sizes := []size{train, blocks}
		if cfg.Solver.Steps == 0 {
			what = fmt.Sprintf("%s of the first %d solver steps (%s per further step)", tapePart, mem.Steps, sysmem.Format(mem.PerStep()))
		} else {
			sizes = append(sizes, sized("steps", cfg.Solver.Steps, float64(cfg.Solver.Steps), float64(Defaults().Steps)))
		}
		e.add(what, mem.Tape, sizes...)
	}
	e.add("evaluation", mem.Eval, eval, blocks)
	e.add("sampling", mem.Sample, sample, blocks)
}

// trainEstimate is the memory of the training run o of the model cfg on
// set, whose held-out set has held points, continued from a checkpoint
// when resumed: the model and its solves, the optimiser (the gradient,
// Adam's moments, the checkpoint's copies), the data and the base-alone
// reference scored at the end.
func trainEstimate(o *Options, cfg cnf.Config, set *data.Set, held int, resumed bool) (Estimate, error) {
	have, err := available()
	if err != nil {
		return Estimate{}, err
	}
	evalBatch := min(o.EvalBatch, held)
	mem, err := cfg.Memory(cnf.Workload{Train: o.Train.Batch, Eval: evalBatch, Threads: threads(o.Threads)})
	if err != nil {
		return Estimate{}, &InputError{Err: err}
	}
	d := Defaults()
	batch := sized("batch", o.Train.Batch, float64(o.Train.Batch), float64(d.Train.Batch))
	eval := sized("eval-batch", o.EvalBatch, float64(evalBatch), float64(d.EvalBatch))
	e := Estimate{Have: have}
	e.add("program", programBytes)
	e.modelParts(cfg, mem, batch, eval, size{})
	copies := 4.0 // gradient, two moments, the checkpoint's parameters
	if resumed {
		copies += 3 // the checkpoint read back
	}
	e.add("optimiser", copies*8*mem.NumParams, modelSizes(cfg)...)
	e.add("checkpoints", compressorBytes)
	e.loadedData(set)
	e.add("mini-batch", pointBytes(float64(o.Train.Batch), float64(set.Dim)), batch)
	e.add("base-alone model", mem.Params, modelSizes(cfg)...)
	e.add("base-alone evaluation", mem.Eval/2, eval)
	return e, nil
}

// tapePart starts the description of the part of an estimate that holds
// the records of the training solves.
const tapePart = "gradient records"

// DefaultSamples is the number of samples `mmcnf sample` draws by
// default.
const DefaultSamples = 64

// modelEstimate is the memory of the model m (loaded) with the workload
// w: the program, the model and its solves, whose points per solve are
// the setting batch.
func modelEstimate(m *cnf.Model, w cnf.Workload, batch int) (Estimate, error) {
	have, err := available()
	if err != nil {
		return Estimate{}, err
	}
	cfg := m.Config()
	w.Threads = threads(0)
	mem, err := cfg.Memory(w)
	if err != nil {
		return Estimate{}, &InputError{Err: err}
	}
	e := Estimate{Have: have}
	e.add("program", programBytes)
	b := sized("batch", batch, float64(max(w.Eval, w.Sample)), float64(Defaults().EvalBatch))
	e.modelParts(cfg, mem, size{}, b, b)
	return e, nil
}

// scoreBytes is the memory of the scores of one point (log-likelihood and
// bits/dim) and of its line of eval's per-point output.
const scoreBytes = 2*8 + 96

// sampleBytes is the memory of one drawn value and of its text in a CSV
// file (%.17g and a separator, in a buffer that grows by doubling).
const sampleBytes = 8 + 2*26

// StepsEstimate is the memory of training steps of the model cfg on a
// fixed batch of batch points split across workers threads (0: all
// processors), for models models at once (the implementations `mmcnf
// bench train` compares, one model each): each model with its training
// step, gradient records, optimiser and batch.
func StepsEstimate(cfg cnf.Config, batch, workers, models int) (Estimate, error) {
	have, err := available()
	if err != nil {
		return Estimate{}, err
	}
	mem, err := cfg.Memory(cnf.Workload{Train: batch, Threads: threads(workers)})
	if err != nil {
		return Estimate{}, &InputError{Err: err}
	}
	each := mem.Params + mem.Train + mem.Tape + 3*8*mem.NumParams + pointBytes(float64(batch), float64(cfg.D()))
	e := Estimate{Have: have}
	e.add("program", programBytes)
	e.add(fmt.Sprintf("%d model(s) with their training step, gradient records, optimiser and batch", models), float64(models)*each,
		size{setting: "batch", value: batch})
	return e, nil
}

// CheckSteps refuses the training steps of StepsEstimate when they need
// more memory than the machine has: a SettingError naming batch.
func CheckSteps(cfg cnf.Config, batch, workers, models int) error {
	e, err := StepsEstimate(cfg, batch, workers, models)
	if err != nil {
		return err
	}
	return e.check()
}
