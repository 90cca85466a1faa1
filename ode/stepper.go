package ode

// The stepper: one generic explicit Runge-Kutta step for every tableau. A
// step from (t, s.y), with k[0] = f(t, y) in place, returns the new state
// in s.ynew, the error estimate in s.errEst when asked for, and, for an
// FSAL method, f(tn, ynew) in its last stage, which advance makes the next
// step's first.

// eval evaluates f, counting it and making room for its record.
func (s *Solver) eval(sys System, t float64, y, dydt []float64, rec int) {
	if rec >= s.reserved {
		n := max(rec+1, 2*s.reserved, 16)
		s.rsys.Reserve(n)
		s.reserved = n
	}
	s.stats.NFE++
	sys.Eval(t, y, dydt, rec)
}

// step computes stages 1.. of the step of signed size h from (t, s.y) to
// tn, the new state into s.ynew and, when estimate is set, the error
// estimate h sum_j BErr_j k_j into s.errEst. n is the index of the step
// among the accepted ones, naming its records.
func (s *Solver) step(sys System, n int, t, h, tn float64, estimate bool) {
	tb := s.tb
	stages := tb.Stages()
	for i := 1; i < stages; i++ {
		yi := s.ystage
		if tb.fsal && i == stages-1 {
			yi = s.ynew
		}
		copy(yi, s.y)
		for j, a := range tb.A[i] {
			if a != 0 {
				axpy(a*h, s.k[j], yi)
			}
		}
		ti := t + tb.C[i]*h
		if tb.C[i] == 1 {
			ti = tn
		}
		s.eval(sys, ti, yi, s.k[i], s.recordOf(n, i))
	}
	if !tb.fsal {
		copy(s.ynew, s.y)
		for j, b := range tb.B {
			if b != 0 {
				axpy(b*h, s.k[j], s.ynew)
			}
		}
	}
	if estimate {
		e := s.errEst
		clear(e)
		for j, be := range tb.BErr {
			if be != 0 {
				axpy(be*h, s.k[j], e)
			}
		}
	}
}

// advance makes the new state current and reports whether k[0] holds its
// derivative: for an FSAL method the last stage becomes the next step's
// first, otherwise the first stage must be evaluated again.
func (s *Solver) advance() (firstStage bool) {
	s.y, s.ynew = s.ynew, s.y
	if s.tb.fsal {
		last := s.tb.Stages() - 1
		s.k[0], s.k[last] = s.k[last], s.k[0]
		return true
	}
	return false
}

// probe returns f after an Euler step of forward size from (t0, y0), for
// the choice of the first step; the result lives in s.errEst until the
// next step.
func (s *Solver) probe(sys System, size float64) []float64 {
	h := s.dir * size
	y1, f1 := s.ystage, s.errEst
	copy(y1, s.y)
	axpy(h, s.k[0], y1)
	s.eval(sys, s.t0+h, y1, f1, -1)
	return f1
}

// axpy adds alpha*x to y.
func axpy(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// allFinite reports whether no entry of v is NaN or infinite.
func allFinite(v []float64) bool {
	var acc float64
	for _, x := range v {
		acc += x - x // 0 for a finite x, NaN otherwise
	}
	return acc == 0
}
