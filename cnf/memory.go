package cnf

import (
	"fmt"
	"math"

	"github.com/mmcnf/mmcnf/internal/sysmem"
	"github.com/mmcnf/mmcnf/ode"
)

// Workload is what a model is asked to compute, for Config.Memory: the
// points of a training step, of a log-likelihood solve and of a sampling
// solve (0: none of that kind), split across Threads worker threads.
type Workload struct {
	Train, Eval, Sample int
	// Threads is the number of chunks a batch is split into (0: one).
	Threads int
	// Steps is the number of solver steps an adaptive training solve is
	// counted with (0: MinTapeSteps); fixed-step solvers take their own.
	Steps int
}

// Memory is an estimate, in bytes, of what a model needs for a Workload,
// by part: each buffer the model allocates is counted at its length, the
// large ones at the whole huge pages they touch (see kernels.MakeFloats).
// It is computed from the configuration alone, in floating point, so that
// sizes no machine could hold give large numbers rather than overflow.
type Memory struct {
	// Params is the parameter vector, the base and what Load and Save hold
	// beside them while they read or write the weights.
	Params float64
	// Train is a training step's buffers but for its records: the solver
	// states, the per-chunk work space, the gradient of the loss.
	Train float64
	// Record is what one recorded evaluation of every block keeps for the
	// gradient (zero for the adjoint, whose records do not grow), and
	// RecordsPerStep the records a solver step adds.
	Record         float64
	RecordsPerStep int
	// Steps is the number of solver steps Tape counts: the fixed-step
	// solver's own, or Workload.Steps for an adaptive one, whose tape
	// grows with the steps it takes.
	Steps int
	// Tape is the records of a training solve of Steps steps as the solver
	// reserves them (in doubling chunks of at least 16).
	Tape float64
	// Eval and Sample are the buffers of a log-likelihood solve (two batch
	// sizes are kept: a full chunk and the last one) and of a sampling
	// solve.
	Eval, Sample float64
	// NumParams is the length of the parameter vector.
	NumParams float64
}

// MinTapeSteps is the number of steps an adaptive training solve is
// counted with when Workload.Steps is zero: the steps whose records fill
// the first reservation of the tape, which every recorded solve makes.
const MinTapeSteps = 2

// Total is the sum of the parts.
func (m Memory) Total() float64 {
	return m.Params + m.Train + m.Tape + m.Eval + m.Sample
}

// PerStep is what one more step of an adaptive training solve adds to the
// tape, averaged over the doubling of its reservations.
func (m Memory) PerStep() float64 { return m.Record * float64(m.RecordsPerStep) }

// float64s is the memory of a plain slice of n float64, as the Go heap
// rounds it: small sizes up to their size class (at most an eighth
// more, and the header's 16 bytes), large ones to whole 8 KiB pages.
func float64s(n float64) float64 {
	b := 8 * n
	if b <= 32<<10 {
		return math.Ceil(b*1.125) + 16
	}
	return math.Ceil(b/8192) * 8192
}

// structs is an allowance for the small structures of one block's run:
// the dynamics, flow, solver and their slices of chunks and records.
const structs = 4 << 10

// hugePage is the size kernels.MakeFloats aligns large slices to.
const hugePage = 2 << 20

// madeFloats is the memory kernels.MakeFloats touches for n float64: that
// of a plain slice below 2 MiB, whole huge pages from there on.
func madeFloats(n float64) float64 {
	b := 8 * n
	if b < hugePage {
		return float64s(n)
	}
	return math.Ceil(b/hugePage) * hugePage
}

// footprint is the memory of one block's dynamics over a batch, in bytes:
// the buffers of one instance (with its scratch record), those that only
// the reverse pass uses (made by its first call), what each further record
// keeps, and the lengths of its parameters and of its per-chunk gradient.
type footprint struct {
	fixed, reverse, record float64
	params, gradAccum      float64
}

// chunks returns the number of chunks a batch of n is split into by
// threads and the size of the largest.
func chunks(n, threads float64) (parts, m float64) {
	parts = max(1, min(threads, n))
	return parts, math.Ceil(n / parts)
}

// footprint returns the memory of one block's dynamics over a batch of n
// points in parts chunks of at most m, with k probes per sample.
func (c *Config) footprint(n, parts, m, k float64) footprint {
	dc := c.Dynamics
	if dc.Kind == HyperPlanar {
		return planarFootprint(float64(c.D()), float64(dc.Hidden), float64(dc.Width), n, parts, m, k)
	}
	shape := []float64{float64(c.D()), 1, 1}
	ksize := 1.0
	if dc.Kind == ConcatConv {
		shape = []float64{float64(c.Shape[0]), float64(c.Shape[1]), float64(c.Shape[2])}
		ksize = 3
	}
	dims := make([]float64, len(dc.Dims))
	for i, w := range dc.Dims {
		dims[i] = float64(w)
	}
	return concatFootprint(shape, ksize, dims, dc.WeightNorm, parts, m, k)
}

// stages returns the stage count of the configured solver and whether it
// is FSAL and adaptive.
func (c *Config) stages() (stages int, fsal, adaptive bool) {
	tb, err := ode.MethodByName(c.Solver.Method)
	if err != nil {
		return 7, true, true
	}
	return tb.Stages(), tb.FSAL(), tb.Adaptive()
}

// reserved is the number of records the solver has reserved once a
// solve needs need of them: 16, then doubling.
func reserved(need float64) float64 {
	r := 16.0
	for r < need {
		r *= 2
	}
	return r
}

// recordsFor is the number of records a backprop solve of steps steps
// needs with a method of the given stages.
func recordsFor(steps float64, stages int, fsal bool) float64 {
	if fsal {
		return 1 + steps*float64(stages-1)
	}
	return steps * float64(stages)
}

// Memory estimates what a model of c needs for the workload w, by part,
// without allocating anything that grows with the configuration's sizes.
// c is validated first, defaults filled in.
func (c Config) Memory(w Workload) (Memory, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return Memory{}, err
	}
	if w.Train < 0 || w.Eval < 0 || w.Sample < 0 || w.Threads < 0 || w.Steps < 0 {
		return Memory{}, fmt.Errorf("cnf: memory of a negative workload %+v", w)
	}
	var mem Memory
	d, k, blocks := float64(c.D()), float64(c.Components()), float64(c.Blocks)
	threads := float64(max(1, w.Threads))
	one := c.footprint(1, 1, 1, 0)
	mem.NumParams = blocks * one.params
	if c.Base.Learnable {
		mem.NumParams += k*d + k
	}
	// The parameters, the base's means and weights and its normalised
	// weights; Load reads each array once more, Save writes the weights
	// into a buffer and builds a dynamics per block to name them; and the
	// model's structures, with what reading the machine's memory takes.
	mem.Params = 2*float64s(mem.NumParams) + float64s(3*(k*d+2*k)) + float64s(mem.NumParams) + one.fixed + 4*structs
	stages, fsal, adaptive := c.stages()
	steps := float64(c.Solver.Steps)
	if adaptive {
		steps = float64(max(w.Steps, MinTapeSteps))
	}
	mem.Steps = int(min(steps, math.MaxInt32))
	mem.RecordsPerStep = stages
	if fsal {
		mem.RecordsPerStep = stages - 1
	}
	if w.Train > 0 {
		var rec float64
		mem.Train, rec = c.runMemory(modeTrain, float64(w.Train), threads, stages)
		if c.Solver.Gradient == ode.Backprop.Name() {
			mem.Record = rec
			mem.Tape = rec * reserved(recordsFor(steps, stages, fsal))
		}
	}
	if w.Eval > 0 {
		run, _ := c.runMemory(modeEval, float64(w.Eval), threads, stages)
		mem.Eval = 2 * run
	}
	if w.Sample > 0 {
		mem.Sample, _ = c.runMemory(modeSample, float64(w.Sample), threads, stages)
	}
	return mem, nil
}

// runMemory returns the memory of the run Model.run builds for a batch
// of n in the given mode (its dynamics, flows, solvers and per-sample
// buffers, one scratch record each) and what one further record of every
// block keeps.
func (c *Config) runMemory(mode runMode, n, threads float64, stages int) (run, record float64) {
	d, k, blocks := float64(c.D()), float64(c.Components()), float64(c.Blocks)
	parts, m := chunks(n, threads)
	trace := mode != modeSample
	kinetic := mode == modeTrain && c.Regularize.Kinetic > 0
	jacob := mode == modeTrain && c.Regularize.Jacobian > 0
	probes := 0.0
	if trace || jacob {
		probes = float64(probesPerSample(c.Trace, c.D(), c.Dynamics.Kind == HyperPlanar))
	}
	fp := c.footprint(n, parts, m, probes)
	dim := n * d
	for _, on := range []bool{trace, kinetic, jacob} {
		if on {
			dim += n
		}
	}
	// The flow: probes, per chunk the record of f and its gradient, and
	// the chunks' parameter gradients and their sum.
	flow := float64s(n*probes*d) + parts*(madeFloats(m*d)+float64s(m*d)+float64s(fp.gradAccum)) + float64s(fp.gradAccum)
	record = fp.record
	fixed := fp.fixed
	if mode == modeTrain {
		fixed += fp.reverse
	}
	if kinetic {
		record += parts * madeFloats(m*d)
	}
	// The solver: stage derivatives and their adjoints, seven state
	// vectors, and the controller's.
	solver := float64s(float64(2*stages+8) * dim)
	if mode == modeTrain && c.Solver.Gradient == ode.ContinuousAdjoint.Name() {
		// The augmented system [y, a, g] and its solver, and the two
		// records its evaluations use.
		aug := 2*dim + fp.params
		solver += float64s(float64(2*stages+9)*aug) + float64s(dim) + record
	}
	run = blocks*(fixed+flow+solver+structs*(1+parts)) +
		float64s((blocks+1)*dim+2*dim) + // the blocks' states, the gradients of the end and start
		float64s(2*n*d+6*n+n*k) // preprocessed data and its gradient, per-sample values, the mixture's scratch
	return run, blocks * record
}

// checkMemory refuses a model whose parameters alone need more memory
// than the machine has, before anything of that size is allocated.
func (c Config) checkMemory() error {
	mem, err := c.Memory(Workload{})
	if err != nil {
		return err
	}
	if !(mem.NumParams < math.MaxInt32*64) {
		return fmt.Errorf("config: %s make %.4g parameters, more than a parameter vector can hold", c.sizeSettings(), mem.NumParams)
	}
	have, err := sysmem.Available()
	if err != nil {
		return err
	}
	if mem.Params > have.Bytes {
		return fmt.Errorf("config: %s make %.4g parameters, which need %s, more than the %s available", c.sizeSettings(), mem.NumParams, sysmem.Format(mem.Params), have)
	}
	return nil
}

// sizeSettings names the settings of c that size its parameters, with
// their values.
func (c *Config) sizeSettings() string {
	dc := c.Dynamics
	s := fmt.Sprintf("dynamics dims %v", dc.Dims)
	if dc.Kind == HyperPlanar {
		s = fmt.Sprintf("dynamics hidden %d and width %d", dc.Hidden, dc.Width)
	}
	s += fmt.Sprintf(" on points of shape %v", c.Shape)
	if c.Blocks > 1 {
		s += fmt.Sprintf(" in %d blocks", c.Blocks)
	}
	return s
}
