package ode

import "fmt"

// Solver integrates systems of one dimension with one set of Options. It
// owns every buffer it uses, so repeated solves allocate nothing once the
// tape has grown to its working size. A Solver is not safe for concurrent
// use.
type Solver struct {
	opt    Options
	tb     *Tableau
	dim    int
	groups []int

	k                     [][]float64 // stage derivatives
	y, ynew, ystage, errv []float64
	theta                 []float64 // dense-output weights

	stats    Stats
	mode     recordMode
	rsys     Differentiable
	reserved int
	tape     tape

	ts1 [1]float64
	ys1 [1][]float64

	kbar                 [][]float64 // reverse-pass stage adjoints
	ybar, ystageBar, cry []float64
	nz                   []bool
	gys1                 [1][]float64

	adj *adjoint
}

// recordMode says what the forward pass keeps for the reverse pass.
type recordMode int

const (
	recordNone   recordMode = iota // nothing
	recordTape                     // a system record for every stage evaluation
	recordStates                   // the state at the start of every step
	recordReplay                   // the reverse pass's recomputation: records 0..stages-1
)

// NewSolver returns a solver for states of length dim; it rejects invalid
// options.
func NewSolver(dim int, opt Options) (*Solver, error) {
	if err := opt.check(dim); err != nil {
		return nil, err
	}
	s := &Solver{opt: opt, tb: opt.Method, dim: dim, groups: opt.Groups}
	if s.groups == nil {
		s.groups = []int{dim}
	}
	st := s.tb.Stages()
	s.k = matrix(st, dim)
	s.kbar = matrix(st, dim)
	s.y = make([]float64, dim)
	s.ynew = make([]float64, dim)
	s.ystage = make([]float64, dim)
	s.errv = make([]float64, dim)
	s.ybar = make([]float64, dim)
	s.ystageBar = make([]float64, dim)
	s.cry = make([]float64, dim)
	s.theta = make([]float64, st)
	s.nz = make([]bool, st)
	return s, nil
}

// Options returns the options in effect, defaults filled in.
func (s *Solver) Options() Options { return s.opt }

func matrix(rows, cols int) [][]float64 {
	backing := make([]float64, rows*cols)
	m := make([][]float64, rows)
	for i := range m {
		m[i] = backing[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return m
}

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

// recOf is the record of stage i of accepted step n in the current mode.
// On a tape, a step's first stage of an FSAL method is the previous step's
// last one, and record 0 is f(t0, y0).
func (s *Solver) recOf(n, i int) int {
	switch s.mode {
	case recordNone, recordStates:
		return -1
	case recordReplay:
		return i
	}
	st := s.tb.Stages()
	if !s.tb.fsal {
		return n*st + i
	}
	if i == 0 {
		if n == 0 {
			return 0
		}
		n, i = n-1, st-1
	}
	return 1 + n*(st-1) + i - 1
}

// checkState validates a state vector argument.
func (s *Solver) checkState(what string, v []float64) error {
	if len(v) != s.dim {
		return fmt.Errorf("ode: %s has length %d, want %d", what, len(v), s.dim)
	}
	return nil
}

// axpy adds alpha*x to y.
func axpy(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// finite is zero when every entry of v is finite and NaN otherwise.
func finite(v []float64) float64 {
	var c float64
	for _, x := range v {
		c += x - x
	}
	return c
}
