package ode

import "fmt"

// recordMode says what the forward pass keeps for the reverse pass.
type recordMode int

const (
	recordNone   recordMode = iota // nothing
	recordTape                     // a system record for every stage evaluation
	recordStates                   // the state at the start of every step
	recordReplay                   // the reverse pass's recomputation: records 0..stages-1
)

// tape is what SolveRecord keeps of a solve for the reverse pass.
type tape struct {
	valid    bool
	sys      Differentiable
	mode     recordMode
	steps    []tapeStep
	states   []float64 // the state at the start of each step (recordStates)
	outs     []tapeOut
	nparams  int
	noutputs int
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
	tp.steps = tp.steps[:0]
	tp.states = tp.states[:0]
	tp.outs = tp.outs[:0]
	tp.nparams = sys.NumParams()
}

// recOf is the record of stage i of accepted step n in the current mode.
// On a tape, a step's first stage of an FSAL method is the previous step's
// last one, and record 0 is f(t0, y0).
func (s *Solver) recOf(n, i int) int {
	switch s.mode {
	case recordNone, recordStates:
		return -1
	case recordReplay:
		return i
	}
	st := s.tb.Stages()
	if !s.tb.fsal {
		return n*st + i
	}
	if i == 0 {
		if n == 0 {
			return 0
		}
		n, i = n-1, st-1
	}
	return 1 + n*(st-1) + i - 1
}

// keepStep records the accepted step from (t, s.y) to tn of signed size h.
func (s *Solver) keepStep(t, h, tn float64) {
	switch s.mode {
	case recordTape:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
	case recordStates:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
		s.tape.states = append(s.tape.states, s.y...)
	}
}

// keepOutput records where an output came from.
func (s *Solver) keepOutput(step int, x float64, dense bool) {
	if s.mode != recordNone {
		s.tape.outs = append(s.tape.outs, tapeOut{step: step, x: x, dense: dense})
	}
}

// Backward backpropagates gy1 = dL/dy(t1) through the last SolveRecord of
// sys: it overwrites gy0 with dL/dy(t0) and adds dL/dtheta to gtheta. Step
// sizes are constants, so the result is the exact gradient of the computed
// y(t1), to rounding.
func (s *Solver) Backward(sys Differentiable, gy1, gy0, gtheta []float64) (Stats, error) {
	s.oneGrad[0] = gy1
	defer func() { s.oneGrad[0] = nil }()
	return s.BackwardAt(sys, s.oneGrad[:], gy0, gtheta)
}

// BackwardAt is Backward after SolveRecordAt, with gys[j] = dL/dy(ts[j])
// (nil for zero).
func (s *Solver) BackwardAt(sys Differentiable, gys [][]float64, gy0, gtheta []float64) (Stats, error) {
	s.stats = Stats{}
	tp := &s.tape
	switch {
	case !tp.valid:
		return s.stats, fmt.Errorf("ode: backward: no successful SolveRecord to differentiate")
	case sys != tp.sys:
		return s.stats, fmt.Errorf("ode: backward: system differs from the one recorded")
	case len(gys) != tp.noutputs:
		return s.stats, fmt.Errorf("ode: backward: %d output gradients for %d outputs", len(gys), tp.noutputs)
	case len(gtheta) != tp.nparams:
		return s.stats, fmt.Errorf("ode: backward: gtheta has length %d, want %d", len(gtheta), tp.nparams)
	}
	for j, g := range gys {
		if g != nil && len(g) != s.dim {
			return s.stats, fmt.Errorf("ode: backward: output gradient %d has length %d, want %d", j, len(g), s.dim)
		}
	}
	if err := s.checkState("backward: gy0", gy0); err != nil {
		return s.stats, err
	}
	if tp.mode == recordStates {
		s.mode = recordReplay
		s.rsys, s.reserved = sys, 0
		defer func() { s.rsys = nil }()
	} else {
		s.mode = recordTape
	}
	tb := s.tb
	last := tb.Stages() - 1
	ybar := s.ybar
	clear(ybar)
	carry := false // FSAL: stageBar[last] starts from the next step's stageBar[0]
	oi := len(tp.outs) - 1
	for n := len(tp.steps) - 1; n >= 0; n-- {
		for ; oi >= 0 && !tp.outs[oi].dense && tp.outs[oi].step == n+1; oi-- {
			if g := gys[oi]; g != nil {
				axpy(1, g, ybar)
			}
		}
		st := tp.steps[n]
		if tp.mode == recordStates {
			s.replay(sys, n, st)
		}
		for i, b := range tb.B {
			s.stageBarLive[i] = b != 0
			if s.stageBarLive[i] {
				for r, v := range ybar {
					s.stageBar[i][r] = b * st.h * v
				}
			} else {
				clear(s.stageBar[i])
			}
		}
		if carry {
			axpy(1, s.fsalBar, s.stageBar[last])
			s.stageBarLive[last] = true
		}
		for ; oi >= 0 && tp.outs[oi].dense && tp.outs[oi].step == n; oi-- {
			g := gys[oi]
			if g == nil {
				continue
			}
			s.denseWeights(tp.outs[oi].x)
			for i, w := range s.denseW {
				if w != 0 {
					axpy(w*st.h, g, s.stageBar[i])
					s.stageBarLive[i] = true
				}
			}
			axpy(1, g, ybar)
		}
		lo := 0
		if tb.fsal && n > 0 {
			lo = 1
		}
		for i := last; i >= lo; i-- {
			if !s.stageBarLive[i] {
				continue
			}
			s.stats.VJP++
			sys.VJP(s.recOf(n, i), s.stageBar[i], s.ystageBar, gtheta)
			axpy(1, s.ystageBar, ybar)
			for j, a := range tb.A[i] {
				if a != 0 {
					axpy(a*st.h, s.ystageBar, s.stageBar[j])
					s.stageBarLive[j] = true
				}
			}
		}
		carry = lo == 1 && s.stageBarLive[0]
		if carry {
			copy(s.fsalBar, s.stageBar[0])
		}
	}
	copy(gy0, ybar)
	return s.stats, nil
}

// replay recomputes the stages of accepted step n from its recorded initial
// state, keeping records 0..stages-1; an FSAL method's first stage after the
// first step is the previous step's last and needs no record.
func (s *Solver) replay(sys Differentiable, n int, st tapeStep) {
	copy(s.y, s.tape.states[n*s.dim:(n+1)*s.dim])
	rec := 0
	if s.tb.fsal && n > 0 {
		rec = -1
	}
	s.eval(sys, st.t, s.y, s.k[0], rec)
	s.step(sys, n, st.t, st.h, st.tn, false)
}
