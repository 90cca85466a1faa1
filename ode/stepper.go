package ode

// The stepper: one generic explicit Runge-Kutta step for every tableau. A
// step from (t, s.y) returns the new state in s.ynew, the error estimate in
// s.errEst when the controller uses one, and, for an FSAL method,
// f(tn, ynew) in its last stage, which advance makes the next step's
// first.

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

// step computes the stages of the step of signed size h from (t, s.y) to
// tn (the first only when s.firstStage says k[0] is stale), the new state
// into s.ynew and, when s.estimate is set, the error estimate
// h sum_j BErr_j k_j into s.errEst. n is the index of the step among the
// accepted ones, naming its records.
func (s *Solver) step(sys System, n int, t, h, tn float64) {
	if !s.firstStage {
		s.eval(sys, t, s.y, s.k[0], s.recordOf(n, 0))
		s.firstStage = true
	}
	tb := s.tb
	stages := tb.Stages()
	for i := 1; i < stages; i++ {
		yi := s.ystage
		if tb.fsal && i == stages-1 {
			yi = s.ynew
		}
		s.combine(yi, s.y, tb.A[i], h)
		ti := t + tb.C[i]*h
		if tb.C[i] == 1 {
			ti = tn
		}
		s.eval(sys, ti, yi, s.k[i], s.recordOf(n, i))
	}
	if !tb.fsal {
		s.combine(s.ynew, s.y, tb.B, h)
	}
	if s.estimate {
		s.combine(s.errEst, nil, tb.BErr, h)
	}
}

// combine writes y + sum_j (w_j h) k_j into out, adding the terms in the
// order of j, each rounded once as axpy rounds it; a nil y stands for 0.
// The first term is added while copying y, which saves a pass.
func (s *Solver) combine(out, y, w []float64, h float64) {
	j := 0
	for j < len(w) && w[j] == 0 {
		j++
	}
	switch {
	case j == len(w) && y == nil:
		clear(out)
	case j == len(w):
		copy(out, y)
	case y == nil:
		alpha, k := w[j]*h, s.k[j][:len(out)]
		for i, v := range k {
			out[i] = 0 + alpha*v // as clearing out and adding: -0 becomes +0
		}
	default:
		alpha, k, y := w[j]*h, s.k[j][:len(out)], y[:len(out)]
		for i, v := range k {
			out[i] = y[i] + alpha*v
		}
	}
	for j++; j < len(w); j++ {
		if w[j] != 0 {
			axpy(w[j]*h, s.k[j], out)
		}
	}
}

// advance makes the new state current: for an FSAL method the last stage
// becomes the next step's first, otherwise the first stage is stale.
func (s *Solver) advance() {
	s.y, s.ynew = s.ynew, s.y
	s.firstStage = s.tb.fsal
	if s.tb.fsal {
		last := s.tb.Stages() - 1
		s.k[0], s.k[last] = s.k[last], s.k[0]
	}
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
