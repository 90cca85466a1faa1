package ode

import (
	"fmt"
	"math"
)

// Solve integrates sys from (t0, y0) to t1, either direction in time,
// writing y(t1) into y1 (which may alias y0). It keeps no records.
func (s *Solver) Solve(sys System, t0 float64, y0 []float64, t1 float64, y1 []float64) (Stats, error) {
	s.ts1[0], s.ys1[0] = t1, y1
	defer func() { s.ys1[0] = nil }()
	return s.SolveAt(sys, t0, y0, s.ts1[:], s.ys1[:])
}

// SolveAt integrates sys from (t0, y0) through the output times ts, strictly
// monotone and all on one side of t0, writing y(ts[j]) into ys[j].
func (s *Solver) SolveAt(sys System, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.tape.valid = false
	s.mode = recordNone
	return s.run(sys, t0, y0, ts, ys)
}

// SolveRecord is Solve keeping what Backward needs: a system record for
// every stage evaluation of every accepted step, or, with
// Options.Recompute, the state at the start of every step.
func (s *Solver) SolveRecord(sys Differentiable, t0 float64, y0 []float64, t1 float64, y1 []float64) (Stats, error) {
	s.ts1[0], s.ys1[0] = t1, y1
	defer func() { s.ys1[0] = nil }()
	return s.SolveRecordAt(sys, t0, y0, s.ts1[:], s.ys1[:])
}

// SolveRecordAt is SolveAt keeping what BackwardAt needs.
func (s *Solver) SolveRecordAt(sys Differentiable, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.mode = recordTape
	if s.opt.Recompute {
		s.mode = recordStates
	}
	s.tape.begin(sys, s.mode)
	s.rsys, s.reserved = sys, 0
	defer func() { s.rsys = nil }()
	st, err := s.run(sys, t0, y0, ts, ys)
	s.tape.valid = err == nil
	s.tape.noutputs = len(ts)
	return st, err
}

// run checks the arguments and integrates.
func (s *Solver) run(sys System, t0 float64, y0 []float64, ts []float64, ys [][]float64) (Stats, error) {
	s.stats = Stats{}
	if err := s.checkRun(sys, t0, y0, ts, ys); err != nil {
		return s.stats, err
	}
	copy(s.y, y0)
	dir := 1.0
	if ts[0] < t0 {
		dir = -1
	}
	var err error
	if s.opt.adaptive() {
		err = s.adaptive(sys, t0, dir, ts, ys)
	} else {
		err = s.fixed(sys, t0, dir, ts, ys)
	}
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

// accept records the step from (t, s.y) to tn of signed size h on the tape.
func (s *Solver) accept(t, h, tn float64) {
	switch s.mode {
	case recordTape:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
	case recordStates:
		s.tape.steps = append(s.tape.steps, tapeStep{t, h, tn})
		s.tape.states = append(s.tape.states, s.y...)
	}
}

// output records an output on the tape.
func (s *Solver) output(step int, x float64, dense bool) {
	if s.mode != recordNone {
		s.tape.outs = append(s.tape.outs, tapeOut{step: step, x: x, dense: dense})
	}
}

// advance makes the new state current; for an FSAL method its last stage
// becomes the next step's first, otherwise the first stage is stale.
func (s *Solver) advance() (k0ok bool) {
	s.y, s.ynew = s.ynew, s.y
	if s.tb.fsal {
		last := s.tb.Stages() - 1
		s.k[0], s.k[last] = s.k[last], s.k[0]
		return true
	}
	return false
}

// fixed integrates with a fixed grid between consecutive output times.
func (s *Solver) fixed(sys System, t0, dir float64, ts []float64, ys [][]float64) error {
	n := 0 // accepted steps
	t := t0
	k0ok := false
	for j, tend := range ts {
		ta := t
		span := tend - ta
		steps := s.opt.Steps
		if s.opt.Step > 0 {
			q := math.Ceil(math.Abs(span) / s.opt.Step)
			if q+float64(n) > float64(s.opt.MaxSteps) {
				return &StepError{Err: ErrMaxSteps, T: t, H: dir * s.opt.Step,
					Detail: fmt.Sprintf("%.0f steps of %g to reach %g exceed MaxSteps = %d", q, s.opt.Step, tend, s.opt.MaxSteps)}
			}
			steps = max(int(q), 1)
		} else if n+steps > s.opt.MaxSteps {
			return &StepError{Err: ErrMaxSteps, T: t, H: span / float64(steps),
				Detail: fmt.Sprintf("MaxSteps = %d", s.opt.MaxSteps)}
		}
		for i := 1; i <= steps; i++ {
			var tn float64
			switch {
			case i == steps:
				tn = tend
			case s.opt.Step > 0:
				tn = ta + dir*float64(i)*s.opt.Step
			default:
				tn = ta + float64(i)*span/float64(steps)
			}
			h := tn - t
			if tn == t {
				return &StepError{Err: ErrStepUnderflow, T: t, H: h}
			}
			if !k0ok {
				s.eval(sys, t, s.y, s.k[0], s.recOf(n, 0))
			}
			s.stages(sys, n, t, h, tn)
			if finite(s.ynew) != 0 {
				return &StepError{Err: ErrNonFinite, T: t, H: h}
			}
			s.accept(t, h, tn)
			k0ok = s.advance()
			s.stats.Accepted++
			n++
			t = tn
		}
		copy(ys[j], s.y)
		s.output(n, 1, false)
	}
	return nil
}

// adaptive integrates with the step size controlled by the error estimate.
func (s *Solver) adaptive(sys System, t0, dir float64, ts []float64, ys [][]float64) error {
	order := s.tb.Order
	t := t0
	s.eval(sys, t, s.y, s.k[0], s.recOf(0, 0))
	k0ok := true
	hm := s.opt.FirstStep // step size magnitude
	if hm == 0 {
		hm = s.initialStep(sys, t0, dir)
	}
	n := 0 // accepted steps
	j := 0 // next output
	for attempts := 0; j < len(ts); attempts++ {
		if attempts == s.opt.MaxSteps {
			return &StepError{Err: ErrMaxSteps, T: t, H: dir * hm, Detail: fmt.Sprintf("MaxSteps = %d", s.opt.MaxSteps)}
		}
		if hm < s.opt.MinStep {
			return &StepError{Err: ErrStepUnderflow, T: t, H: dir * hm, Detail: fmt.Sprintf("below MinStep = %g", s.opt.MinStep)}
		}
		tend := ts[j]
		h := dir * hm
		tn := t + h
		clipped := !s.opt.Interpolate && dir*(tn-tend) >= 0
		if clipped {
			tn = tend
			h = tn - t
		}
		if tn == t || !(hm > 0) {
			return &StepError{Err: ErrStepUnderflow, T: t, H: h}
		}
		if !k0ok {
			s.eval(sys, t, s.y, s.k[0], s.recOf(n, 0))
			k0ok = true
		}
		s.stages(sys, n, t, h, tn)
		ratio := s.errorRatio(h)
		if math.IsNaN(ratio) {
			return &StepError{Err: ErrNonFinite, T: t, H: h}
		}
		next := nextStep(math.Abs(h), ratio, order)
		if ratio > 1 {
			s.stats.Rejected++
			hm = next
			continue
		}
		s.stats.Accepted++
		s.accept(t, h, tn)
		for s.opt.Interpolate && j < len(ts) && dir*(ts[j]-tn) <= 0 {
			x := (ts[j] - t) / (tn - t)
			s.interpolate(x, h, ys[j])
			s.output(n, x, true)
			j++
		}
		k0ok = s.advance()
		n++
		t = tn
		if clipped {
			copy(ys[j], s.y)
			s.output(n, 1, false)
			j++
			next = math.Max(next, hm)
		}
		hm = next
	}
	return nil
}
