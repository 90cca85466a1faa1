package ode

import (
	"fmt"
	"math"
)

// controller chooses the steps of a solve. It works in forward time
// tau = dir t (see integrate), so it never sees the direction of time, and
// knows a step only by what the stepper returns: the state before and
// after it and, when asked for, the error estimate. It reports a failure
// as a *StepError carrying the kind and any detail; the loop adds where it
// happened (t and h).
type controller interface {
	// begin starts a solve from s.y, with k[0] = f(t0, y0) in place.
	begin(s *Solver, sys System)
	// propose returns where the next step from tau ends and its size;
	// lands reports that it ends exactly on target, the next output time.
	// On failure the size is the one the message reports.
	propose(tau, target float64) (end, size float64, lands bool, fail *StepError)
	// judge decides whether the step of the given size just taken is
	// kept, and readies the next proposal. It reads only what the stepper
	// returned: the states before and after the step, s.y and s.ynew, and,
	// for a controller that estimates errors, the estimate s.errEst. (A
	// pointer rather than three slices: this call is made at every step.)
	judge(s *Solver, size float64, lands bool) (accept bool, fail *StepError)
}

// constantSteps divides each output interval into equal steps, a number of
// them (steps) or as many of size as reach the output time, the last one
// shortened. Step ends are computed from the interval's start as
// start + i (span / steps) or start + i size, not summed, so that rounding
// does not accumulate along the interval.
type constantSteps struct {
	steps    int     // steps per output interval, or 0 when size is set
	size     float64 // the step size, or 0 when steps is set
	maxSteps int

	start, span float64 // the current output interval
	count, i    int     // its steps, and those taken so far
	taken       int     // the steps of the solve so far
}

func (c *constantSteps) begin(*Solver, System) { c.count, c.i, c.taken = 0, 0, 0 }

// propose counts the step it proposes as taken: a constant step is kept
// unless the solve fails.
func (c *constantSteps) propose(tau, target float64) (end, size float64, lands bool, fail *StepError) {
	if c.i == c.count {
		if size, fail := c.plan(tau, target); fail != nil {
			return 0, size, false, fail
		}
	}
	c.i++
	c.taken++
	switch {
	case c.i == c.count:
		return target, target - tau, true, nil
	case c.size > 0:
		end = c.start + float64(c.i)*c.size
	default:
		end = c.start + float64(c.i)*c.span/float64(c.count)
	}
	return end, end - tau, false, nil
}

// plan divides the output interval from tau to target into steps; on
// failure it returns the step size the message names.
func (c *constantSteps) plan(tau, target float64) (float64, *StepError) {
	c.start, c.span, c.i = tau, target-tau, 0
	if c.size > 0 {
		q := math.Ceil(c.span / c.size)
		if q+float64(c.taken) > float64(c.maxSteps) {
			return c.size, &StepError{Err: ErrMaxSteps,
				Detail: fmt.Sprintf("%.0f steps of %g to cover %g exceed MaxSteps = %d", q, c.size, c.span, c.maxSteps)}
		}
		c.count = max(int(q), 1)
		return c.size, nil
	}
	if c.taken+c.steps > c.maxSteps {
		return c.span / float64(c.steps), &StepError{Err: ErrMaxSteps, Detail: fmt.Sprintf("MaxSteps = %d", c.maxSteps)}
	}
	c.count = c.steps
	return c.span / float64(c.steps), nil
}

func (c *constantSteps) judge(s *Solver, _ float64, _ bool) (bool, *StepError) {
	if allFinite(s.ynew) {
		return true, nil
	}
	return false, &StepError{Err: ErrNonFinite}
}

// errorControl is torchdiffeq's step-size control: the error ratio of a
// step is the RMS, over each state group, of err_i / (atol + rtol
// max(|y0_i|, |y1_i|)), maximised across groups; a step is kept when it is
// at most 1, and the next size follows from it by nextStep. The first
// size comes from Options.FirstStep or Hairer's rule.
type errorControl struct {
	rtol, atol  float64
	groups      []int
	order       int
	firstStep   float64
	minStep     float64
	maxSteps    int
	interpolate bool // step past output times instead of landing on them
	diff        []float64

	size     float64 // the size of the next attempt
	attempts int
}

func newErrorControl(opt Options, dim int) *errorControl {
	c := &errorControl{rtol: opt.RTol, atol: opt.ATol, groups: opt.Groups, order: opt.Method.Order,
		firstStep: opt.FirstStep, minStep: opt.MinStep, maxSteps: opt.MaxSteps, interpolate: opt.Interpolate,
		diff: make([]float64, dim)}
	if c.groups == nil {
		c.groups = []int{dim}
	}
	return c
}

func (c *errorControl) begin(s *Solver, sys System) {
	c.attempts = 0
	c.size = c.firstStep
	if c.size == 0 {
		c.size = c.initialStep(s, sys)
	}
}

func (c *errorControl) propose(tau, target float64) (end, size float64, lands bool, fail *StepError) {
	if c.attempts == c.maxSteps {
		return 0, c.size, false, &StepError{Err: ErrMaxSteps, Detail: fmt.Sprintf("MaxSteps = %d", c.maxSteps)}
	}
	c.attempts++
	if c.size < c.minStep {
		return 0, c.size, false, &StepError{Err: ErrStepUnderflow, Detail: fmt.Sprintf("below MinStep = %g", c.minStep)}
	}
	end, size = tau+c.size, c.size
	if !c.interpolate && end-target >= 0 {
		end, size, lands = target, target-tau, true
	}
	if math.IsNaN(c.size) {
		// Only the first size can be NaN (nextStep keeps a finite size
		// finite): f(t0, y0), or the evaluation that chose the first
		// step, was not finite.
		return end, size, lands, &StepError{Err: ErrNonFinite, Detail: "choosing the first step"}
	}
	if !(c.size > 0) {
		return end, size, lands, &StepError{Err: ErrStepUnderflow}
	}
	return end, size, lands, nil
}

func (c *errorControl) judge(s *Solver, size float64, lands bool) (bool, *StepError) {
	ratio := c.errorRatio(s.y, s.ynew, s.errEst)
	if math.IsNaN(ratio) {
		return false, &StepError{Err: ErrNonFinite}
	}
	next := nextStep(size, ratio, c.order)
	if ratio > 1 {
		c.size = next
		return false, nil
	}
	if lands {
		// A step shortened to land on an output time does not shrink the
		// next one.
		next = math.Max(next, c.size)
	}
	c.size = next
	return true, nil
}

// errorRatio is the grouped RMS of errEst / (atol + rtol max(|y0|, |y1|)),
// maximised across groups. It is NaN when the new state or the estimate
// is not finite.
func (c *errorControl) errorRatio(y0, y1, errEst []float64) float64 {
	rtol, atol := c.rtol, c.atol
	e := errEst
	y1 = y1[:len(e)]
	var ratio, nonFinite float64
	start := 0
	for _, g := range c.groups {
		var sq float64
		for i := start; i < start+g; i++ {
			r := e[i] / (atol + rtol*math.Max(math.Abs(y0[i]), math.Abs(y1[i])))
			sq += r * r
			nonFinite += (e[i] - e[i]) + (y1[i] - y1[i]) // 0 if finite, else NaN
		}
		ratio = math.Max(ratio, math.Sqrt(sq/float64(g)))
		start += g
	}
	return ratio + nonFinite
}

// scaledNorm is the grouped RMS norm of v / (atol + rtol |y|).
func (c *errorControl) scaledNorm(v, y []float64) float64 {
	rtol, atol := c.rtol, c.atol
	y = y[:len(v)]
	var norm float64
	start := 0
	for _, g := range c.groups {
		var sq float64
		for i := start; i < start+g; i++ {
			r := v[i] / (atol + math.Abs(y[i])*rtol)
			sq += r * r
		}
		norm = math.Max(norm, math.Sqrt(sq/float64(g)))
		start += g
	}
	return norm
}

// initialStep chooses the size of the first step by Hairer's rule (Hairer,
// Norsett and Wanner, Solving ODEs I, II.4) as torchdiffeq does, from
// k[0] = f(t0, y0) and one more evaluation.
func (c *errorControl) initialStep(s *Solver, sys System) float64 {
	y0, f0 := s.y, s.k[0]
	d0 := c.scaledNorm(y0, y0)
	d1 := c.scaledNorm(f0, y0)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	f1 := s.probe(sys, h0)
	for i := range c.diff {
		c.diff[i] = f1[i] - f0[i]
	}
	d2 := c.scaledNorm(c.diff, y0) / h0
	var h1 float64
	if d1 <= 1e-15 && d2 <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 1/float64(c.order))
	}
	return math.Min(100*h0, h1)
}

// nextStep is the size proposed after a step of size h with the given error
// ratio: h * min(10, max(0.9 ratio^(-1/order), 0.2)), never shrinking after
// an accepted step, and 10 h when the estimate vanishes.
func nextStep(h, ratio float64, order int) float64 {
	if ratio == 0 {
		return h * 10
	}
	dfactor := 0.2
	if ratio < 1 {
		dfactor = 1
	}
	return h * math.Min(10, math.Max(0.9/math.Pow(ratio, 1/float64(order)), dfactor))
}
