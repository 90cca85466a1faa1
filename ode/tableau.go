package ode

import (
	"fmt"
	"math"
)

// Tableau is the Butcher tableau of an explicit Runge-Kutta method, with an
// optional embedded error estimate and midpoint dense output.
type Tableau struct {
	// Name identifies the method, as accepted by MethodByName.
	Name string
	// Order is the order of the solution weights B.
	Order int
	// C holds the stage times as fractions of the step.
	C []float64
	// A is strictly lower triangular: row i has i entries.
	A [][]float64
	// B holds the solution weights.
	B []float64
	// BErr holds B minus the embedded lower-order weights; nil for a
	// fixed-step method.
	BErr []float64
	// Mid holds weights giving the state at the middle of a step, used by
	// the dense output; nil if the method has none.
	Mid []float64

	fsal bool
}

// Stages is the number of stages.
func (tb *Tableau) Stages() int { return len(tb.C) }

// FSAL reports whether the last stage is evaluated at the new state, so that
// it serves as the first stage of the next step.
func (tb *Tableau) FSAL() bool { return tb.fsal }

// Adaptive reports whether the tableau carries an error estimate.
func (tb *Tableau) Adaptive() bool { return tb.BErr != nil }

// NewTableau checks a tableau and derives its FSAL property: the row sums of
// A equal C, B sums to 1, BErr sums to 0 and Mid sums to 1/2.
func NewTableau(name string, order int, c []float64, a [][]float64, b, bErr, mid []float64) (*Tableau, error) {
	s := len(c)
	switch {
	case s == 0:
		return nil, fmt.Errorf("ode: tableau %s: no stages", name)
	case order < 1:
		return nil, fmt.Errorf("ode: tableau %s: order %d is not positive", name, order)
	case c[0] != 0:
		return nil, fmt.Errorf("ode: tableau %s: c[0] = %g, want 0", name, c[0])
	case len(a) != s:
		return nil, fmt.Errorf("ode: tableau %s: a has %d rows, want %d", name, len(a), s)
	case len(b) != s:
		return nil, fmt.Errorf("ode: tableau %s: b has %d entries, want %d", name, len(b), s)
	case bErr != nil && len(bErr) != s:
		return nil, fmt.Errorf("ode: tableau %s: bErr has %d entries, want %d", name, len(bErr), s)
	case mid != nil && len(mid) != s:
		return nil, fmt.Errorf("ode: tableau %s: mid has %d entries, want %d", name, len(mid), s)
	}
	for i, row := range a {
		if len(row) != i {
			return nil, fmt.Errorf("ode: tableau %s: a row %d has %d entries, want %d", name, i, len(row), i)
		}
		if !sumsTo(row, c[i]) {
			return nil, fmt.Errorf("ode: tableau %s: a row %d sums to %.17g, want c[%d] = %.17g", name, i, sum(row), i, c[i])
		}
	}
	if !sumsTo(b, 1) {
		return nil, fmt.Errorf("ode: tableau %s: b sums to %.17g, want 1", name, sum(b))
	}
	if bErr != nil && !sumsTo(bErr, 0) {
		return nil, fmt.Errorf("ode: tableau %s: bErr sums to %.17g, want 0", name, sum(bErr))
	}
	if mid != nil && !sumsTo(mid, 0.5) {
		return nil, fmt.Errorf("ode: tableau %s: mid sums to %.17g, want 1/2", name, sum(mid))
	}
	tb := &Tableau{Name: name, Order: order, C: c, A: a, B: b, BErr: bErr, Mid: mid}
	last := s - 1
	tb.fsal = s > 1 && c[last] == 1 && b[last] == 0
	for j := 0; tb.fsal && j < last; j++ {
		tb.fsal = a[last][j] == b[j]
	}
	return tb, nil
}

// sumsTo reports whether the entries of v sum to want up to rounding: each of
// the n terms and partial sums carries a relative error of at most 2^-53, so
// the sum is within n * 2^-52 * sum|v| of the exact one; 1e-14 leaves margin
// for the tableaus' at most 7 terms and decimal coefficients.
func sumsTo(v []float64, want float64) bool {
	var abs float64
	for _, x := range v {
		abs += math.Abs(x)
	}
	return math.Abs(sum(v)-want) <= 1e-14*(1+abs)
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
