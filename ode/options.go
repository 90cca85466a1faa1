package ode

import (
	"fmt"
	"math"
)

// DefaultMaxSteps bounds the attempted steps of a solve when
// Options.MaxSteps is zero.
const DefaultMaxSteps = 100000

// Options configures a Solver. A solve is fixed-step when Steps or Step is
// set and adaptive otherwise.
type Options struct {
	// Method is the Runge-Kutta tableau; nil means Dopri5.
	Method *Tableau
	// Steps is the number of equal steps between consecutive output times
	// of a fixed-step solve.
	Steps int
	// Step is the step size of a fixed-step solve; the last step before each
	// output time is shortened to land on it.
	Step float64
	// RTol and ATol are the relative and absolute tolerances of an adaptive
	// solve; both must be positive.
	RTol, ATol float64
	// FirstStep is the size of the first adaptive step; zero selects it by
	// Hairer's rule.
	FirstStep float64
	// MinStep is the smallest step size an adaptive solve may propose
	// before it fails; zero fails only when t + h == t.
	MinStep float64
	// MaxSteps bounds the attempted (accepted and rejected) steps of one
	// solve; zero means DefaultMaxSteps.
	MaxSteps int
	// Groups are the lengths of consecutive groups of the state: the error
	// ratio is the RMS over each group, maximised across groups. Nil means
	// one group.
	Groups []int
	// ParamGroups split the parameters in the same way for the error ratio
	// of the continuous adjoint; nil means one group.
	ParamGroups []int
	// Interpolate says how an adaptive solve reaches an output time.
	// Without it, the step that would pass the output time is shortened to
	// end on it (the next proposal is not shrunk by that). With it, steps
	// take no notice of output times, as in torchdiffeq's adaptive solvers:
	// these step until a step ends at or past the output time and return
	// the step's dense output there, the quartic through y0, the midpoint
	// and y1 with slopes f0 and f1; so does this, giving torchdiffeq's
	// steps and values to rounding. f is then evaluated up to a step past
	// the last output time. The method must be FSAL with Mid (Dopri5,
	// Tsit5). The two ways differ by about the tolerance.
	Interpolate bool
	// Gradient is how SolveRecord and Backward differentiate a solve;
	// nil means Backprop.
	Gradient Gradient
}

// Stats counts the work of one solve or reverse pass.
type Stats struct {
	// NFE is the number of evaluations of f.
	NFE int
	// VJP is the number of vector-Jacobian products.
	VJP int
	// Accepted and Rejected count the steps.
	Accepted, Rejected int
}

// add accumulates o into st.
func (st *Stats) add(o Stats) {
	st.NFE += o.NFE
	st.VJP += o.VJP
	st.Accepted += o.Accepted
	st.Rejected += o.Rejected
}

// check validates opt for a state of length dim and fills in defaults.
func (opt *Options) check(dim int) error {
	if dim < 1 {
		return fmt.Errorf("ode: state dimension %d is not positive", dim)
	}
	if opt.Method == nil {
		opt.Method = Dopri5
	}
	if opt.Gradient == nil {
		opt.Gradient = Backprop
	}
	tb := opt.Method
	switch {
	case opt.Steps < 0:
		return fmt.Errorf("ode: Steps = %d is negative", opt.Steps)
	case opt.Step < 0 || math.IsNaN(opt.Step) || math.IsInf(opt.Step, 0):
		return fmt.Errorf("ode: Step = %g is not a positive finite step size", opt.Step)
	case opt.Steps > 0 && opt.Step > 0:
		return fmt.Errorf("ode: both Steps = %d and Step = %g are set", opt.Steps, opt.Step)
	case opt.MaxSteps < 0:
		return fmt.Errorf("ode: MaxSteps = %d is negative", opt.MaxSteps)
	case !(opt.MinStep >= 0) || math.IsInf(opt.MinStep, 0):
		return fmt.Errorf("ode: MinStep = %g is not a non-negative finite step size", opt.MinStep)
	}
	if opt.MaxSteps == 0 {
		opt.MaxSteps = DefaultMaxSteps
	}
	if opt.Steps > opt.MaxSteps {
		return fmt.Errorf("ode: Steps = %d exceeds MaxSteps = %d", opt.Steps, opt.MaxSteps)
	}
	if err := checkGroups("Groups", opt.Groups, dim); err != nil {
		return err
	}
	if !opt.adaptive() {
		if opt.Interpolate {
			return fmt.Errorf("ode: Interpolate needs an adaptive solve, but Steps or Step is set")
		}
		return nil
	}
	switch {
	case !tb.Adaptive():
		return fmt.Errorf("ode: method %s has no error estimate: set Steps or Step", tb.Name)
	case !(opt.RTol > 0) || math.IsInf(opt.RTol, 0):
		return fmt.Errorf("ode: RTol = %g is not a positive finite tolerance", opt.RTol)
	case !(opt.ATol > 0) || math.IsInf(opt.ATol, 0):
		return fmt.Errorf("ode: ATol = %g is not a positive finite tolerance", opt.ATol)
	case !(opt.FirstStep >= 0) || math.IsInf(opt.FirstStep, 0):
		return fmt.Errorf("ode: FirstStep = %g is not a non-negative finite step size", opt.FirstStep)
	case opt.Interpolate && (!tb.FSAL() || tb.Mid == nil):
		return fmt.Errorf("ode: Interpolate needs an FSAL method with dense output, not %s", tb.Name)
	}
	return nil
}

// adaptive reports whether the step size is controlled by the error estimate.
func (opt *Options) adaptive() bool { return opt.Steps == 0 && opt.Step == 0 }

// checkGroups validates group lengths that must partition n entries.
func checkGroups(what string, groups []int, n int) error {
	if groups == nil {
		return nil
	}
	total := 0
	for i, g := range groups {
		if g < 1 {
			return fmt.Errorf("ode: %s[%d] = %d is not positive", what, i, g)
		}
		total += g
	}
	if total != n {
		return fmt.Errorf("ode: %s sum to %d, want %d", what, total, n)
	}
	return nil
}
