package ode

import "math"

// stages computes stages 1.. of the step of size h from (t, s.y) to tn, with
// k[0] = f(t, y) already in place, and the new state in s.ynew. n is the
// index of the step among the accepted ones, naming its records.
func (s *Solver) stages(sys System, n int, t, h, tn float64) {
	tb := s.tb
	st := tb.Stages()
	for i := 1; i < st; i++ {
		yi := s.ystage
		if tb.fsal && i == st-1 {
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
		s.eval(sys, ti, yi, s.k[i], s.recOf(n, i))
	}
	if !tb.fsal {
		copy(s.ynew, s.y)
		for j, b := range tb.B {
			if b != 0 {
				axpy(b*h, s.k[j], s.ynew)
			}
		}
	}
}

// errorRatio is the error estimate of the step of size h just taken,
// err_i / (atol + rtol max(|y0_i|, |y1_i|)), as an RMS over each group and
// the maximum across groups. It is NaN when the new state or the estimate
// is not finite.
func (s *Solver) errorRatio(h float64) float64 {
	e := s.errv
	clear(e)
	for j, be := range s.tb.BErr {
		if be != 0 {
			axpy(be*h, s.k[j], e)
		}
	}
	rtol, atol := s.opt.RTol, s.opt.ATol
	y0, y1 := s.y, s.ynew[:len(e)]
	var ratio, chk float64
	start := 0
	for _, g := range s.groups {
		var sq float64
		for i := start; i < start+g; i++ {
			r := e[i] / (atol + rtol*math.Max(math.Abs(y0[i]), math.Abs(y1[i])))
			sq += r * r
			chk += (e[i] - e[i]) + (y1[i] - y1[i])
		}
		ratio = math.Max(ratio, math.Sqrt(sq/float64(g)))
		start += g
	}
	return ratio + chk
}

// scaledNorm is the grouped RMS norm of v / (atol + rtol |y|).
func (s *Solver) scaledNorm(v, y []float64) float64 {
	rtol, atol := s.opt.RTol, s.opt.ATol
	y = y[:len(v)]
	var norm float64
	start := 0
	for _, g := range s.groups {
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
// k[0] = f(t0, y0) and one more evaluation, in direction dir.
func (s *Solver) initialStep(sys System, t0, dir float64) float64 {
	y0, f0 := s.y, s.k[0]
	d0 := s.scaledNorm(y0, y0)
	d1 := s.scaledNorm(f0, y0)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	y1, f1 := s.ystage, s.k[1]
	copy(y1, y0)
	axpy(dir*h0, f0, y1)
	s.eval(sys, t0+dir*h0, y1, f1, -1)
	diff := s.errv
	for i := range diff {
		diff[i] = f1[i] - f0[i]
	}
	d2 := s.scaledNorm(diff, y0) / h0
	var h1 float64
	if d1 <= 1e-15 && d2 <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 1/float64(s.tb.Order))
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

// denseWeights fills s.theta with the weights w_i such that the dense output
// at the fraction x of a step of size h is y0 + h sum_i w_i k_i: the quartic
// through y0, y1 and the midpoint with slopes f0 and f1 at the ends.
func (s *Solver) denseWeights(x float64) {
	tb := s.tb
	last := tb.Stages() - 1
	x2 := x * x
	x3 := x2 * x
	x4 := x3 * x
	for i := range s.theta {
		b, m := tb.B[i], tb.Mid[i]
		w := x4*(-8*b+16*m) + x3*(14*b-32*m) + x2*(-5*b+16*m)
		if i == 0 {
			w += -2*x4 + 5*x3 - 4*x2 + x
		}
		if i == last {
			w += 2*x4 - 3*x3 + x2
		}
		s.theta[i] = w
	}
}

// interpolate writes the dense output at the fraction x of the step of size
// h just taken from s.y into out.
func (s *Solver) interpolate(x, h float64, out []float64) {
	s.denseWeights(x)
	copy(out, s.y)
	for i, w := range s.theta {
		if w != 0 {
			axpy(w*h, s.k[i], out)
		}
	}
}
