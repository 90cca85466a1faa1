package ode

import "fmt"

// Backward backpropagates gy1 = dL/dy(t1) through the last SolveRecord of
// sys: it overwrites gy0 with dL/dy(t0) and adds dL/dtheta to gtheta. Step
// sizes are constants, so the result is the exact gradient of the computed
// y(t1), to rounding.
func (s *Solver) Backward(sys Differentiable, gy1, gy0, gtheta []float64) (Stats, error) {
	s.gys1[0] = gy1
	defer func() { s.gys1[0] = nil }()
	return s.BackwardAt(sys, s.gys1[:], gy0, gtheta)
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
	carry := false // FSAL: kbar[last] starts from the next step's kbar[0]
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
			s.nz[i] = b != 0
			if s.nz[i] {
				for r, v := range ybar {
					s.kbar[i][r] = b * st.h * v
				}
			} else {
				clear(s.kbar[i])
			}
		}
		if carry {
			axpy(1, s.cry, s.kbar[last])
			s.nz[last] = true
		}
		for ; oi >= 0 && tp.outs[oi].dense && tp.outs[oi].step == n; oi-- {
			g := gys[oi]
			if g == nil {
				continue
			}
			s.denseWeights(tp.outs[oi].x)
			for i, w := range s.theta {
				if w != 0 {
					axpy(w*st.h, g, s.kbar[i])
					s.nz[i] = true
				}
			}
			axpy(1, g, ybar)
		}
		lo := 0
		if tb.fsal && n > 0 {
			lo = 1
		}
		for i := last; i >= lo; i-- {
			if !s.nz[i] {
				continue
			}
			s.stats.VJP++
			sys.VJP(s.recOf(n, i), s.kbar[i], s.ystageBar, gtheta)
			axpy(1, s.ystageBar, ybar)
			for j, a := range tb.A[i] {
				if a != 0 {
					axpy(a*st.h, s.ystageBar, s.kbar[j])
					s.nz[j] = true
				}
			}
		}
		carry = lo == 1 && s.nz[0]
		if carry {
			copy(s.cry, s.kbar[0])
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
	s.stages(sys, n, st.t, st.h, st.tn)
}
