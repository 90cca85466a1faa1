package ode

import (
	"fmt"
	"strings"
)

// Gradient is a method of differentiating a solve with respect to its
// initial state and the system's parameters. It owns both halves of the
// work: what SolveRecord keeps, and how Backward turns that into the
// gradient. Options.Gradient selects one; the methods are the values
// below.
type Gradient interface {
	// Name identifies the method, as accepted by GradientByName.
	Name() string
	// keeps is what a recorded solve keeps for backward.
	keeps() recordMode
	// backward computes the gradient from what the last recorded solve
	// kept, the arguments checked by BackwardAt.
	backward(s *Solver, sys Differentiable, gys [][]float64, gy0, gtheta []float64) (Stats, error)
}

// The gradient methods.
var (
	// Backprop differentiates the solver's own arithmetic
	// (discretise-then-optimise) from a tape holding a system record of
	// every stage evaluation of every accepted step: the exact gradient of
	// the computed result, to rounding, with memory growing with stages
	// times steps.
	Backprop Gradient = backprop{}
	// BackpropRecompute is Backprop keeping only the state at the start of
	// each step and evaluating the step's stages again in the reverse
	// pass: the same bits for one more evaluation per stage, with as many
	// system records as the method has stages.
	BackpropRecompute Gradient = backprop{recompute: true}
	// ContinuousAdjoint solves the adjoint equations of Chen et al. (2018)
	// backwards in time, as FFJORD does, keeping only the outputs: constant
	// memory, but the gradient of the exact flow to the solve's tolerance
	// rather than of the computed result.
	ContinuousAdjoint Gradient = continuousAdjoint{}
)

// Gradients returns every gradient method.
func Gradients() []Gradient { return []Gradient{Backprop, BackpropRecompute, ContinuousAdjoint} }

// GradientByName returns the gradient method called name: "backprop",
// "backprop-recompute" or "adjoint".
func GradientByName(name string) (Gradient, error) {
	var names []string
	for _, g := range Gradients() {
		if g.Name() == name {
			return g, nil
		}
		names = append(names, g.Name())
	}
	return nil, fmt.Errorf("ode: unknown gradient method %q (want %s)", name, orList(names))
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// recordMode says what the forward pass keeps for the reverse pass.
type recordMode int

const (
	recordNone    recordMode = iota // nothing
	recordStages                    // a system record of every stage evaluation
	recordStates                    // the state at the start of every step
	recordReplay                    // the reverse pass's recomputation: records 0..stages-1
	recordOutputs                   // the output times and states
)

// tape is what SolveRecord kept of a solve for Backward.
type tape struct {
	valid    bool
	sys      Differentiable
	mode     recordMode
	nparams  int
	noutputs int
	steps    []tapeStep
	states   []float64 // the state at the start of each step (recordStates)
	outs     []tapeOut
	// The start and the outputs of the solve (recordOutputs).
	t0     float64
	ts     []float64
	ystore []float64 // y(ts[j]) at j*dim
}

// tapeStep is an accepted step from t to tn with signed size h.
type tapeStep struct{ t, h, tn float64 }

// tapeOut locates an output: the state after step-1 when dense is false,
// else the dense output at the fraction x of step.
type tapeOut struct {
	step  int
	x     float64
	dense bool
}

// begin clears the tape for a new recorded solve.
func (tp *tape) begin(sys Differentiable, mode recordMode) {
	tp.valid = false
	tp.sys = sys
	tp.mode = mode
	tp.nparams = sys.NumParams()
	tp.steps = tp.steps[:0]
	tp.states = tp.states[:0]
	tp.outs = tp.outs[:0]
	tp.ts = tp.ts[:0]
	tp.ystore = tp.ystore[:0]
}

// end completes the tape of a successful solve from t0 through ts to ys.
func (tp *tape) end(t0 float64, ts []float64, ys [][]float64) {
	tp.valid = true
	tp.noutputs = len(ts)
	if tp.mode == recordOutputs {
		tp.t0 = t0
		tp.ts = append(tp.ts, ts...)
		for _, y := range ys {
			tp.ystore = append(tp.ystore, y...)
		}
	}
}

// output is the kept state y(ts[j]) of a tape with recordOutputs.
func (tp *tape) output(j, dim int) []float64 { return tp.ystore[j*dim : (j+1)*dim] }

// recordOf is the record of stage i of accepted step n in the current mode.
// With recordStages, a step's first stage of an FSAL method is the
// previous step's last one, and record 0 is f(t0, y0).
func (s *Solver) recordOf(n, i int) int {
	switch s.mode {
	case recordNone, recordStates, recordOutputs:
		return -1
	case recordReplay:
		return i
	}
	stages := s.tb.Stages()
	if !s.tb.fsal {
		return n*stages + i
	}
	if i == 0 {
		if n == 0 {
			return 0
		}
		n, i = n-1, stages-1
	}
	return 1 + n*(stages-1) + i - 1
}

// keepStep records the accepted step from (t, s.y) to tn of signed size h.
func (s *Solver) keepStep(t, h, tn float64) {
	switch s.mode {
	case recordStages:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
	case recordStates:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
		s.tape.states = append(s.tape.states, s.y...)
	}
}

// keepOutput records where an output came from.
func (s *Solver) keepOutput(step int, x float64, dense bool) {
	if s.mode == recordStages || s.mode == recordStates {
		s.tape.outs = append(s.tape.outs, tapeOut{step: step, x: x, dense: dense})
	}
}

// Backward differentiates L(y(t1)) through the last SolveRecord of sys by
// Options.Gradient: given gy1 = dL/dy(t1), it overwrites gy0 with
// dL/dy(t0) and adds dL/dtheta to gtheta.
func (s *Solver) Backward(sys Differentiable, gy1, gy0, gtheta []float64) (Stats, error) {
	s.oneGrad[0] = gy1
	defer func() { s.oneGrad[0] = nil }()
	return s.BackwardAt(sys, s.oneGrad[:], gy0, gtheta)
}

// BackwardAt is Backward after SolveRecordAt, for a loss of the states at
// all the output times, with gys[j] = dL/dy(ts[j]) (nil for zero).
func (s *Solver) BackwardAt(sys Differentiable, gys [][]float64, gy0, gtheta []float64) (Stats, error) {
	tp := &s.tape
	switch {
	case !tp.valid:
		return Stats{}, fmt.Errorf("ode: backward: no successful SolveRecord to differentiate")
	case sys != tp.sys:
		return Stats{}, fmt.Errorf("ode: backward: system differs from the one recorded")
	case len(gys) != tp.noutputs:
		return Stats{}, fmt.Errorf("ode: backward: %d output gradients for %d outputs", len(gys), tp.noutputs)
	case len(gtheta) != tp.nparams:
		return Stats{}, fmt.Errorf("ode: backward: gtheta has length %d, want %d", len(gtheta), tp.nparams)
	}
	for j, g := range gys {
		if g != nil && len(g) != s.dim {
			return Stats{}, fmt.Errorf("ode: backward: output gradient %d has length %d, want %d", j, len(g), s.dim)
		}
	}
	if err := s.checkState("backward: gy0", gy0); err != nil {
		return Stats{}, err
	}
	return s.opt.Gradient.backward(s, sys, gys, gy0, gtheta)
}
