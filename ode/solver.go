package ode

import (
	"fmt"
	"math"
)

// Solver integrates systems of one dimension with one set of Options. It
// owns every buffer it uses, so repeated solves allocate nothing once the
// tape has grown to its working size. A Solver is not safe for concurrent
// use.
type Solver struct {
	opt  Options
	dim  int
	ctrl controller

	// The solve in progress: where it starts and its direction of time
	// (+1 or -1), fixed once by run.
	t0, dir float64

	// The stepper's state (stepper.go).
	tb                      *Tableau
	k                       [][]float64 // stage derivatives, k[0] = f(t, y)
	y, ynew, ystage, errEst []float64
	estimate                bool      // steps compute errEst, for the controller
	firstStage              bool      // k[0] holds f(t, y) for the current y
	denseW                  []float64 // dense-output weights, one per stage
	stats                   Stats

	// What a recorded solve keeps (gradient.go), and the system whose
	// records it makes room for.
	mode     recordMode
	tape     tape
	rsys     Differentiable
	reserved int

	// Backprop's reverse pass (backprop.go): the adjoints of the stage
	// derivatives, of the state and of a stage's input, and the adjoint an
	// FSAL method carries to the previous step's last stage.
	stageBar                 [][]float64
	stageBarLive             []bool // stageBar[i] may be nonzero
	ybar, ystageBar, fsalBar []float64

	// The continuous adjoint's augmented system (adjoint.go).
	adj *adjoint

	// One-element views for Solve, SolveRecord and Backward.
	oneTime [1]float64
	oneOut  [1][]float64
	oneGrad [1][]float64
}

// NewSolver returns a solver for states of length dim; it rejects invalid
// options.
func NewSolver(dim int, opt Options) (*Solver, error) {
	if err := opt.check(dim); err != nil {
		return nil, err
	}
	s := &Solver{opt: opt, tb: opt.Method, dim: dim}
	if opt.adaptive() {
		s.ctrl = newErrorControl(opt, dim)
		s.estimate = true
	} else {
		s.ctrl = &constantSteps{steps: opt.Steps, size: opt.Step, maxSteps: opt.MaxSteps}
	}
	stages := s.tb.Stages()
	s.k = matrix(stages, dim)
	s.stageBar = matrix(stages, dim)
	s.y = make([]float64, dim)
	s.ynew = make([]float64, dim)
	s.ystage = make([]float64, dim)
	s.errEst = make([]float64, dim)
	s.ybar = make([]float64, dim)
	s.ystageBar = make([]float64, dim)
	s.fsalBar = make([]float64, dim)
	s.denseW = make([]float64, stages)
	s.stageBarLive = make([]bool, stages)
	return s, nil
}

// Options returns the options in effect, defaults filled in.
func (s *Solver) Options() Options { return s.opt }

// matrix returns rows slices of length cols sharing one allocation.
func matrix(rows, cols int) [][]float64 {
	backing := make([]float64, rows*cols)
	m := make([][]float64, rows)
	for i := range m {
		m[i] = backing[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return m
}

// Solve integrates sys from (t0, y0) to t1, either direction in time,
// writing y(t1) into y1 (which may alias y0). It keeps no records.
func (s *Solver) Solve(sys System, t0 float64, y0 []float64, t1 float64, y1 []float64) (Stats, error) {
	s.oneTime[0], s.oneOut[0] = t1, y1
	defer func() { s.oneOut[0] = nil }()
	return s.SolveAt(sys, t0, y0, s.oneTime[:], s.oneOut[:])
}

// SolveAt integrates sys from (t0, y0) through the output times ts, strictly
// monotone and all on one side of t0, writing y(ts[j]) into ys[j].
func (s *Solver) SolveAt(sys System, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.tape.valid = false
	s.mode = recordNone
	return s.run(sys, t0, y0, ts, ys)
}

// SolveRecord is Solve keeping what Backward needs, as Options.Gradient
// says: a system record of every stage evaluation (Backprop), the state at
// the start of every step (BackpropRecompute), or the output
// (ContinuousAdjoint).
func (s *Solver) SolveRecord(sys Differentiable, t0 float64, y0 []float64, t1 float64, y1 []float64) (Stats, error) {
	s.oneTime[0], s.oneOut[0] = t1, y1
	defer func() { s.oneOut[0] = nil }()
	return s.SolveRecordAt(sys, t0, y0, s.oneTime[:], s.oneOut[:])
}

// SolveRecordAt is SolveAt keeping what BackwardAt needs.
func (s *Solver) SolveRecordAt(sys Differentiable, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.mode = s.opt.Gradient.keeps()
	s.tape.begin(sys, s.mode)
	s.rsys, s.reserved = sys, 0
	defer func() { s.rsys = nil }()
	st, err := s.run(sys, t0, y0, ts, ys)
	if err == nil {
		s.tape.end(t0, ts, ys)
	}
	return st, err
}

// run checks the arguments, fixes the direction of time and integrates.
func (s *Solver) run(sys System, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.stats = Stats{}
	if err := s.checkRun(sys, t0, y0, ts, ys); err != nil {
		return s.stats, err
	}
	copy(s.y, y0)
	s.t0, s.dir = t0, 1
	if ts[0] < t0 {
		s.dir = -1
	}
	err := s.integrate(sys, ts, ys)
	return s.stats, err
}

func (s *Solver) checkRun(sys System, t0 float64, y0 []float64, ts []float64, ys [][]float64) error {
	if d := sys.Dim(); d != s.dim {
		return fmt.Errorf("ode: system dimension %d, solver dimension %d", d, s.dim)
	}
	if err := s.checkState("y0", y0); err != nil {
		return err
	}
	for i, v := range y0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("ode: y0[%d] = %g is not finite", i, v)
		}
	}
	if len(ts) == 0 {
		return fmt.Errorf("ode: no output times")
	}
	if len(ys) != len(ts) {
		return fmt.Errorf("ode: %d output buffers for %d output times", len(ys), len(ts))
	}
	if math.IsNaN(t0) || math.IsInf(t0, 0) {
		return fmt.Errorf("ode: t0 = %g is not finite", t0)
	}
	prev := t0
	for j, t := range ts {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("ode: output time %d (%g) is not finite", j, t)
		}
		if (ts[0] > t0 && t <= prev) || (ts[0] < t0 && t >= prev) || t == t0 {
			return fmt.Errorf("ode: output time %d (%g) does not move away from %g in the direction of the first", j, t, prev)
		}
		if len(ys[j]) != s.dim {
			return fmt.Errorf("ode: output %d has length %d, want %d", j, len(ys[j]), s.dim)
		}
		prev = t
	}
	return nil
}

// checkState validates a state vector argument.
func (s *Solver) checkState(what string, v []float64) error {
	if len(v) != s.dim {
		return fmt.Errorf("ode: %s has length %d, want %d", what, len(v), s.dim)
	}
	return nil
}
