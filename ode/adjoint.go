package ode

import "fmt"

// continuousAdjoint is ContinuousAdjoint.
type continuousAdjoint struct{}

func (continuousAdjoint) Name() string { return "adjoint" }

func (continuousAdjoint) keeps() recordMode { return recordOutputs }

// backward solves the augmented system [y, a, g]' = [f, -a^T df/dy,
// -a^T df/dtheta] from each output time back to the previous one (to t0
// last) with the solver's method, tolerances and controller, starting
// from the kept y(ts[last]), a = dL/dy(ts[last]) and g = 0; at each
// earlier output time y is reset to the kept forward state and dL/dy
// there is added to a. Then a(t0) is dL/dy(t0) and g(t0) is dL/dtheta.
// Each augmented evaluation calls sys.Eval with record 0 and then sys.VJP
// on record 0, so the system needs one record; this overwrites records
// that another solver's SolveRecord of the same system kept.
func (continuousAdjoint) backward(s *Solver, sys Differentiable, gys [][]float64, gy0, gtheta []float64) (Stats, error) {
	var total Stats
	aug, err := s.augmented(sys)
	if err != nil {
		return total, err
	}
	sys.Reserve(1)
	tp := &s.tape
	d := s.dim
	z := aug.z
	last := len(tp.ts) - 1
	copy(z[:d], tp.output(last, d))
	clear(z[d:])
	if gys[last] != nil {
		copy(z[d:2*d], gys[last])
	}
	for j := last; j >= 0; j-- {
		tprev := tp.t0
		if j > 0 {
			tprev = tp.ts[j-1]
		}
		aug.vjps = 0
		st, err := aug.inner.Solve(aug, tp.ts[j], z, tprev, z)
		st.VJP = aug.vjps
		total.add(st)
		if err != nil {
			return total, fmt.Errorf("ode: adjoint from t = %g to %g: %w", tp.ts[j], tprev, err)
		}
		if j > 0 {
			copy(z[:d], tp.output(j-1, d))
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
		s.adj = &adjoint{d: s.dim, p: p, inner: inner, z: make([]float64, 2*s.dim+p), negA: make([]float64, s.dim)}
	}
	s.adj.sys = sys
	return s.adj, nil
}

// adjoint is the augmented system [y, a, g] of the continuous adjoint.
type adjoint struct {
	sys   Differentiable
	d, p  int
	negA  []float64
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
		a.negA[i] = -v
	}
	g := dz[2*d:]
	clear(g)
	a.sys.VJP(0, a.negA, dz[d:2*d], g)
	a.vjps++
}
