package ode

// denseWeights fills s.denseW with the weights w_i such that the dense
// output at the fraction x of a step of size h is y0 + h sum_i w_i k_i: the
// quartic through y0, y1 and the midpoint with slopes f0 and f1 at the
// ends, torchdiffeq's interpolant for dopri5.
func (s *Solver) denseWeights(x float64) {
	tb := s.tb
	last := tb.Stages() - 1
	x2 := x * x
	x3 := x2 * x
	x4 := x3 * x
	for i := range s.denseW {
		b, m := tb.B[i], tb.Mid[i]
		w := x4*(-8*b+16*m) + x3*(14*b-32*m) + x2*(-5*b+16*m)
		if i == 0 {
			w += -2*x4 + 5*x3 - 4*x2 + x
		}
		if i == last {
			w += 2*x4 - 3*x3 + x2
		}
		s.denseW[i] = w
	}
}

// interpolate writes the dense output at the fraction x of the step of size
// h just taken from s.y into out.
func (s *Solver) interpolate(x, h float64, out []float64) {
	s.denseWeights(x)
	copy(out, s.y)
	for i, w := range s.denseW {
		if w != 0 {
			axpy(w*h, s.k[i], out)
		}
	}
}
