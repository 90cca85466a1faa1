package ode

// backprop is Backprop, or BackpropRecompute when recompute is set.
type backprop struct{ recompute bool }

func (g backprop) Name() string {
	if g.recompute {
		return "backprop-recompute"
	}
	return "backprop"
}

func (g backprop) keeps() recordMode {
	if g.recompute {
		return recordStates
	}
	return recordStages
}

// backward runs the reverse pass of the solver's arithmetic over the
// accepted steps, last to first. The step sizes and accept decisions are
// constants, so the result is the exact gradient of the computed outputs,
// to rounding. Per step, the adjoint of the new state seeds the adjoints
// of the stage derivatives (stageBar[i] = h b_i ybar, plus h w_i g for a
// dense output inside the step), and each live stage, last to first,
// passes its adjoint through the system's VJP into ybar, the parameters
// and the earlier stages. An FSAL method's first stage is the previous
// step's last: its adjoint is carried there (fsalBar) rather than
// evaluated twice.
func (backprop) backward(s *Solver, sys Differentiable, gys [][]float64, gy0, gtheta []float64) (Stats, error) {
	s.stats = Stats{}
	tp := &s.tape
	if tp.mode == recordStates {
		s.mode = recordReplay
		s.rsys, s.reserved = sys, 0
		defer func() { s.rsys = nil }()
	} else {
		s.mode = recordStages
	}
	tb := s.tb
	last := tb.Stages() - 1
	ybar := s.ybar
	clear(ybar)
	carry := false         // FSAL: stageBar[last] starts from the next step's stageBar[0]
	oi := len(tp.outs) - 1 // the last output not yet seeded
	for n := len(tp.steps) - 1; n >= 0; n-- {
		for ; oi >= 0 && !tp.outs[oi].dense && tp.outs[oi].step == n+1; oi-- {
			if g := gys[oi]; g != nil {
				axpy(1, g, ybar)
			}
		}
		step := tp.steps[n]
		if tp.mode == recordStates {
			s.replay(sys, n, step)
		}
		for i, b := range tb.B {
			s.stageBarLive[i] = b != 0
			if s.stageBarLive[i] {
				for r, v := range ybar {
					s.stageBar[i][r] = b * step.h * v
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
					axpy(w*step.h, g, s.stageBar[i])
					s.stageBarLive[i] = true
				}
			}
			axpy(1, g, ybar)
		}
		first := 0 // the first stage evaluated in this step
		if tb.fsal && n > 0 {
			first = 1
		}
		for i := last; i >= first; i-- {
			if !s.stageBarLive[i] {
				continue
			}
			s.stats.VJP++
			sys.VJP(s.recordOf(n, i), s.stageBar[i], s.ystageBar, gtheta)
			axpy(1, s.ystageBar, ybar)
			for j, a := range tb.A[i] {
				if a != 0 {
					axpy(a*step.h, s.ystageBar, s.stageBar[j])
					s.stageBarLive[j] = true
				}
			}
		}
		carry = first == 1 && s.stageBarLive[0]
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
func (s *Solver) replay(sys Differentiable, n int, step tapeStep) {
	copy(s.y, s.tape.states[n*s.dim:(n+1)*s.dim])
	rec := 0
	if s.tb.fsal && n > 0 {
		rec = -1
	}
	s.eval(sys, step.t, s.y, s.k[0], rec)
	s.firstStage = true
	s.step(sys, n, step.t, step.h, step.tn)
}
