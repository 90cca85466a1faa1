package cnf

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/mmcnf/mmcnf/ode"
)

// runMode says what a batch run computes.
type runMode int

const (
	modeTrain  runMode = iota // loss and gradient: trace, regularisers, records
	modeEval                  // log-likelihood: trace, no records
	modeSample                // z only, integrated backwards
)

type runKey struct {
	n    int
	mode runMode
}

// run holds everything one batch size and mode needs, built once and
// reused so that repeated calls allocate nothing.
type run struct {
	n int
	// tapeSteps is the step limit LimitTape set on the solvers (0: none).
	tapeSteps int
	flows     []*flow
	solvers   []*ode.Solver
	// ys[b] is block b's initial state, ys[b+1] its final state (z part
	// shared with the next block's initial state by copying).
	ys [][]float64
	// Per-sample quantities.
	z0      []float64 // preprocessed data
	prelog  []float64 // log-determinant of the preprocessing
	logpu   []float64 // base log-density at the end
	logpx   []float64
	kinetic []float64
	jacob   []float64
	// Gradient buffers.
	gy, gy0 []float64
	gbase   []float64 // weights of the base log-density terms
	gz      []float64
}

// run returns the cached run for n samples in the given mode, building it
// on first use; at most two runs of a mode are kept.
func (m *Model) run(n int, mode runMode) (*run, error) {
	key := runKey{n, mode}
	if r, ok := m.runs[key]; ok {
		return r, nil
	}
	// Keep, besides the new run, only the largest of its mode: scoring a
	// set in chunks uses a full chunk and the last one, and the chunks of
	// sets of other sizes must not pile up.
	largest := 0
	for k := range m.runs {
		if k.mode == mode {
			largest = max(largest, k.n)
		}
	}
	for k := range m.runs {
		if k.mode == mode && k.n != largest {
			delete(m.runs, k)
		}
	}
	cfg := m.cfg
	trace := mode != modeSample
	kinetic := mode == modeTrain && cfg.Regularize.Kinetic > 0
	jacob := mode == modeTrain && cfg.Regularize.Jacobian > 0
	r := &run{n: n}
	parts := runtime.GOMAXPROCS(0)
	if mode == modeTrain {
		r.tapeSteps = m.tapeSteps(n, parts)
	}
	for _, blk := range m.blocks {
		dyn := m.newDynamics(blk.prefix)
		k := 0
		if trace || jacob {
			k = probesPerSample(cfg.Trace, m.d, dyn.exactTrace())
		}
		fl := newFlow(dyn, m.theta[blk.off:blk.off+blk.n], n, k, parts, trace, kinetic, jacob)
		opt := m.solve
		opt.Groups = fl.groups()
		if r.tapeSteps > 0 {
			opt.MaxSteps = min(cmp.Or(opt.MaxSteps, ode.DefaultMaxSteps), r.tapeSteps)
		}
		s, err := ode.NewSolver(fl.Dim(), opt)
		if err != nil {
			return nil, fmt.Errorf("cnf: solver: %w", err)
		}
		r.flows = append(r.flows, fl)
		r.solvers = append(r.solvers, s)
	}
	dim := r.flows[0].Dim()
	for range len(m.blocks) + 1 {
		r.ys = append(r.ys, make([]float64, dim))
	}
	nd := n * m.d
	r.z0 = make([]float64, nd)
	r.prelog = make([]float64, n)
	r.logpu = make([]float64, n)
	r.logpx = make([]float64, n)
	r.kinetic = make([]float64, n)
	r.jacob = make([]float64, n)
	r.gy = make([]float64, dim)
	r.gy0 = make([]float64, dim)
	r.gbase = make([]float64, n)
	r.gz = make([]float64, nd)
	m.runs[key] = r
	return r, nil
}

// tapeSteps is the number of steps whose records fit within the model's
// tape limit for an adaptive training solve of n points in parts chunks
// by backpropagation, as the solver reserves them (16 records, then
// doubling), at least 1; 0 when there is no limit to apply.
func (m *Model) tapeSteps(n, parts int) int {
	cfg := m.cfg
	if m.tapeLimit <= 0 || !m.solve.Method.Adaptive() || cfg.Solver.Gradient != ode.Backprop.Name() {
		return 0
	}
	stages, fsal, _ := cfg.stages()
	_, record := cfg.runMemory(modeTrain, float64(n), float64(parts), stages)
	fits := 16.0
	if m.tapeLimit < 16*record {
		return 1
	}
	for 2*fits*record <= m.tapeLimit {
		fits *= 2
	}
	perStep, first := float64(stages), 0.0
	if fsal {
		perStep, first = float64(stages-1), 1
	}
	return int(max(1, min(math.Floor((fits-first)/perStep), math.MaxInt32)))
}

// forward preprocesses x, solves every block from 0 to T1 (keeping what
// the gradient method needs when record is set) and scores the result by
// the base, filling r.logpx and the statistics.
func (r *run) forward(m *Model, x []float64, labels []int, rng *rand.Rand, record bool, st *LossStats) error {
	n, d := r.n, m.d
	nd := n * d
	copy(r.z0, x)
	clear(r.prelog)
	m.cfg.Preprocess.apply(r.z0, d, rng, r.prelog)
	copy(r.ys[0][:nd], r.z0)
	t1 := m.cfg.Solver.T1
	copy(r.logpx, r.prelog)
	clear(r.kinetic)
	clear(r.jacob)
	for b, fl := range r.flows {
		y0, y1 := r.ys[b], r.ys[b+1]
		clear(y0[nd:])
		if fl.k > 0 {
			drawProbes(m.cfg.Trace, rng, fl.probe, fl.k, d)
		}
		var sst ode.Stats
		var err error
		if record {
			sst, err = r.solvers[b].SolveRecord(fl, 0, y0, t1, y1)
		} else {
			sst, err = r.solvers[b].Solve(fl, 0, y0, t1, y1)
		}
		st.NFEForward += sst.NFE
		st.StepsForward += sst.Accepted
		if err != nil && record && r.tapeSteps > 0 && errors.Is(err, ode.ErrMaxSteps) && r.solvers[b].Options().MaxSteps == r.tapeSteps {
			return fmt.Errorf("cnf: forward solve of block %d: %w: the records of the gradient fit in the memory left for them for %d steps only; a smaller batch, looser tolerances or the adjoint gradient need less", b, err, r.tapeSteps)
		}
		if err != nil {
			return fmt.Errorf("cnf: forward solve of block %d: %w", b, err)
		}
		for s := 0; s < n; s++ {
			if fl.offTrace >= 0 {
				r.logpx[s] += y1[fl.offTrace+s]
			}
			if fl.offKinetic >= 0 {
				r.kinetic[s] += y1[fl.offKinetic+s]
			}
			if fl.offJacob >= 0 {
				r.jacob[s] += y1[fl.offJacob+s]
			}
		}
	}
	zEnd := r.ys[len(r.flows)][:nd]
	m.base.logDensity(zEnd, labels, r.logpu)
	var nll, bpd, ke, jf float64
	for s := 0; s < n; s++ {
		r.logpx[s] += r.logpu[s]
		nll -= r.logpx[s]
		bpd += m.BitsPerDim(r.logpx[s])
		ke += r.kinetic[s]
		jf += r.jacob[s]
	}
	fn := float64(n)
	st.NLL, st.BitsPerDim, st.Kinetic, st.Jacobian = nll/fn, bpd/fn, ke/fn, jf/fn
	st.Loss = st.NLL + m.cfg.Regularize.Kinetic*st.Kinetic + m.cfg.Regularize.Jacobian*st.Jacobian
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return fmt.Errorf("cnf: loss is %v", st.Loss)
	}
	return nil
}

// backward fills grad with the gradient of the mean loss computed by the
// last forward.
func (r *run) backward(m *Model, labels []int, grad []float64, st *LossStats) error {
	n, d := r.n, m.d
	nd := n * d
	fn := float64(n)
	// The loss is -(1/n) sum_s (logpu_s + sum_b trace_b,s) + the weighted
	// regularisers: the gradient with respect to each block's final state
	// has the same integral parts, and its z part comes from the base (for
	// the last block) or from the next block's initial state.
	for s := range r.gbase {
		r.gbase[s] = -1 / fn
	}
	clear(r.gz)
	zEnd := r.ys[len(r.flows)][:nd]
	var gmu, glogits []float64
	if m.offMeans >= 0 {
		gmu, glogits = grad[m.offMeans:m.offLogits], grad[m.offLogits:]
	}
	m.base.logDensityGrad(zEnd, labels, r.logpu, r.gbase, r.gz, gmu, glogits)
	for b := len(r.flows) - 1; b >= 0; b-- {
		fl := r.flows[b]
		gy := r.gy
		copy(gy[:nd], r.gz)
		for s := 0; s < n; s++ {
			if fl.offTrace >= 0 {
				gy[fl.offTrace+s] = -1 / fn
			}
			if fl.offKinetic >= 0 {
				gy[fl.offKinetic+s] = m.cfg.Regularize.Kinetic / fn
			}
			if fl.offJacob >= 0 {
				gy[fl.offJacob+s] = m.cfg.Regularize.Jacobian / fn
			}
		}
		blk := m.blocks[b]
		gtheta := grad[blk.off : blk.off+blk.n]
		sst, err := r.solvers[b].Backward(fl, gy, r.gy0, gtheta)
		st.NFEBackward += sst.NFE
		st.VJPBackward += sst.VJP
		if err != nil {
			return fmt.Errorf("cnf: backward pass of block %d: %w", b, err)
		}
		copy(r.gz, r.gy0[:nd])
	}
	return nil
}
