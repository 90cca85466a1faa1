package ode

// System is an ODE dy/dt = f(t, y) on a flat state of length Dim.
type System interface {
	// Dim is the length of the state y.
	Dim() int
	// Eval writes f(t, y) into dydt. When rec >= 0 the system keeps, as record
	// rec, whatever VJP needs at this point so that the reverse pass does not
	// recompute it; rec < 0 keeps nothing. Eval must not retain y or dydt.
	Eval(t float64, y, dydt []float64, rec int)
}

// Differentiable is a System with parameters theta whose vector-Jacobian
// products are available. Systems that split a batch across goroutines do
// so inside Eval and VJP, reducing per-worker parameter gradients in a fixed
// order so that results are deterministic.
type Differentiable interface {
	System
	// NumParams is the length of theta.
	NumParams() int
	// Reserve asks the system to make room for records 0..n-1. The solver
	// calls it before the first Eval that uses a record and again, with a
	// larger n, whenever an adaptive solve needs more records; records
	// already kept must survive a call. A call with n no larger than the
	// room already made must be cheap and allocate nothing.
	Reserve(n int)
	// VJP evaluates, at the point kept as record rec, ay = a^T df/dy
	// (overwritten, length Dim) and adds a^T df/dtheta to gtheta (length
	// NumParams). It must not modify a.
	VJP(rec int, a, ay, gtheta []float64)
}

// Func returns the System of dimension dim whose derivative f writes into
// dydt. It keeps no records, so it serves Solve and SolveAt, not the
// gradients, which need a Differentiable.
func Func(dim int, f func(t float64, y, dydt []float64)) System {
	return &funcSystem{dim: dim, f: f}
}

// funcSystem is the System of Func.
type funcSystem struct {
	dim int
	f   func(t float64, y, dydt []float64)
}

// Dim is the length of the state.
func (s *funcSystem) Dim() int { return s.dim }

// Eval writes f(t, y) into dydt; there is nothing to record.
func (s *funcSystem) Eval(t float64, y, dydt []float64, _ int) { s.f(t, y, dydt) }
