package ode

import "fmt"

// Adjoint computes the gradient of L(y(t1)) by the continuous adjoint of
// Chen et al. (2018): given y1 = y(t1) and gy1 = dL/dy(t1) it solves the
// augmented system [y, a, g]' = [f, -a^T df/dy, -a^T df/dtheta] from
// (y1, gy1, 0) at t1 back to t0 with the solver's method, tolerances and
// controller, then overwrites gy0 with a(t0) and adds g(t0) to gtheta. Each
// augmented evaluation calls sys.Eval with record 0 and then sys.VJP on
// record 0, so the system needs one record; this overwrites records that a
// SolveRecord of the same system kept.
func (s *Solver) Adjoint(sys Differentiable, t0, t1 float64, y1, gy1, gy0, gtheta []float64) (Stats, error) {
	ts := [1]float64{t1}
	ys := [1][]float64{y1}
	gys := [1][]float64{gy1}
	return s.AdjointAt(sys, t0, ts[:], ys[:], gys[:], gy0, gtheta)
}

// AdjointAt is Adjoint for a loss of the states ys[j] = y(ts[j]) at several
// output times, with gys[j] = dL/dy(ts[j]) (nil for zero). Between output
// times the adjoint runs from each output time to the previous one; there
// the state is reset to the forward value ys[j-1] and gys[j-1] is added to
// the adjoint.
func (s *Solver) AdjointAt(sys Differentiable, t0 float64, ts []float64, ys, gys [][]float64, gy0, gtheta []float64) (Stats, error) {
	var total Stats
	if len(gys) != len(ts) {
		return total, fmt.Errorf("ode: adjoint: %d output gradients for %d output times", len(gys), len(ts))
	}
	if len(ys) != len(ts) || len(ts) == 0 {
		return total, fmt.Errorf("ode: adjoint: %d forward states for %d output times", len(ys), len(ts))
	}
	if err := s.checkRun(sys, t0, ys[len(ys)-1], ts, ys); err != nil {
		return total, fmt.Errorf("ode: adjoint: %w", err)
	}
	if err := s.checkState("adjoint: gy0", gy0); err != nil {
		return total, err
	}
	for j, g := range gys {
		if g != nil && len(g) != s.dim {
			return total, fmt.Errorf("ode: adjoint: output gradient %d has length %d, want %d", j, len(g), s.dim)
		}
	}
	p := sys.NumParams()
	if len(gtheta) != p {
		return total, fmt.Errorf("ode: adjoint: gtheta has length %d, want %d", len(gtheta), p)
	}
	aug, err := s.augmented(sys)
	if err != nil {
		return total, err
	}
	if s.tape.sys == sys {
		s.tape.valid = false
	}
	sys.Reserve(1)
	d := s.dim
	z := aug.z
	last := len(ts) - 1
	copy(z[:d], ys[last])
	clear(z[d:])
	if gys[last] != nil {
		copy(z[d:2*d], gys[last])
	}
	for j := last; j >= 0; j-- {
		tb := t0
		if j > 0 {
			tb = ts[j-1]
		}
		aug.vjps = 0
		st, err := aug.inner.Solve(aug, ts[j], z, tb, z)
		st.VJP = aug.vjps
		total.add(st)
		if err != nil {
			return total, fmt.Errorf("ode: adjoint from t = %g to %g: %w", ts[j], tb, err)
		}
		if j > 0 {
			copy(z[:d], ys[j-1])
			if g := gys[j-1]; g != nil {
				axpy(1, g, z[d:2*d])
			}
		}
	}
	copy(gy0, z[d:2*d])
	axpy(1, z[2*d:], gtheta)
	return total, nil
}

// augmented returns the adjoint system for sys, building its solver when
// the number of parameters changes.
func (s *Solver) augmented(sys Differentiable) (*adjoint, error) {
	p := sys.NumParams()
	if s.adj == nil || s.adj.p != p {
		if err := checkGroups("ParamGroups", s.opt.ParamGroups, p); err != nil {
			return nil, err
		}
		groups := s.opt.Groups
		if groups == nil {
			groups = []int{s.dim}
		}
		opt := s.opt
		opt.Groups = append(append(append([]int(nil), groups...), groups...), s.opt.ParamGroups...)
		if s.opt.ParamGroups == nil && p > 0 {
			opt.Groups = append(opt.Groups, p)
		}
		opt.ParamGroups = nil
		inner, err := NewSolver(2*s.dim+p, opt)
		if err != nil {
			return nil, fmt.Errorf("ode: adjoint: %w", err)
		}
		s.adj = &adjoint{d: s.dim, p: p, inner: inner, z: make([]float64, 2*s.dim+p), na: make([]float64, s.dim)}
	}
	s.adj.sys = sys
	return s.adj, nil
}

// adjoint is the augmented system [y, a, g] of the continuous adjoint.
type adjoint struct {
	sys   Differentiable
	d, p  int
	na    []float64 // -a
	z     []float64
	vjps  int
	inner *Solver
}

// Dim is the length of [y, a, g].
func (a *adjoint) Dim() int { return 2*a.d + a.p }

// Eval writes [f, -a^T df/dy, -a^T df/dtheta] into dz.
func (a *adjoint) Eval(t float64, z, dz []float64, _ int) {
	d := a.d
	a.sys.Eval(t, z[:d], dz[:d], 0)
	for i, v := range z[d : 2*d] {
		a.na[i] = -v
	}
	g := dz[2*d:]
	clear(g)
	a.sys.VJP(0, a.na, dz[d:2*d], g)
	a.vjps++
}
