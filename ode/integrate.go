package ode

// integrate advances s.y from s.t0 through the output times ts, writing
// y(ts[j]) into ys[j]: the one loop of every solve, fixed-step or adaptive.
//
// The controller works in forward time tau = dir t, so that it never sees
// the direction of the solve; the stepper works in real time with signed
// step sizes. The two are related exactly, since negation is exact and
// rounding symmetric: a step of forward size d from tau has signed size
// dir d and ends at dir (tau + d), which is the real sum t + dir d. A sum
// that cancels is +0 in either frame, so the real end is dir (tau + d) + 0,
// which keeps that +0 when dir is -1 (adding +0 changes no other value).
func (s *Solver) integrate(sys System, ts []float64, ys [][]float64) error {
	dir, t := s.dir, s.t0
	tau := dir * t
	s.eval(sys, t, s.y, s.k[0], s.recordOf(0, 0))
	s.firstStage = true
	s.ctrl.begin(s, sys)
	n := 0 // accepted steps, which name the tape's records
	for j := 0; j < len(ts); {
		end, size, lands, fail := s.ctrl.propose(tau, dir*ts[j])
		h := dir*size + 0
		if fail == nil && end == tau {
			fail = &StepError{Err: ErrStepUnderflow}
		}
		if fail != nil {
			fail.T, fail.H = t, h
			return fail
		}
		tn := ts[j]
		if !lands {
			tn = dir*end + 0
		}
		s.step(sys, n, t, h, tn)
		accept, fail := s.ctrl.judge(s, size, lands)
		if fail != nil {
			fail.T, fail.H = t, h
			return fail
		}
		if !accept {
			s.stats.Rejected++
			continue
		}
		s.stats.Accepted++
		s.keepStep(t, h, tn)
		for s.opt.Interpolate && j < len(ts) && dir*ts[j]-end <= 0 {
			x := (dir*ts[j] - tau) / (end - tau)
			s.interpolate(x, h, ys[j])
			s.keepOutput(n, x, true)
			j++
		}
		s.advance()
		n++
		t, tau = tn, end
		if lands {
			copy(ys[j], s.y)
			s.keepOutput(n, 1, false)
			j++
		}
	}
	return nil
}
