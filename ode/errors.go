package ode

import (
	"errors"
	"fmt"
)

// Failures of a solve, wrapped in a *StepError.
var (
	// ErrStepUnderflow: the step size fell below MinStep or t + h == t.
	ErrStepUnderflow = errors.New("step size underflow")
	// ErrMaxSteps: the solve attempted MaxSteps steps without finishing.
	ErrMaxSteps = errors.New("maximum number of steps reached")
	// ErrNonFinite: a stage derivative, the new state or its error estimate
	// is NaN or infinite.
	ErrNonFinite = errors.New("non-finite state or derivative")
)

// StepError reports a failed solve at time T with step size H.
type StepError struct {
	Err  error
	T, H float64
	// Detail adds specifics, such as the limit that was reached.
	Detail string
}

// Error describes the failure, naming t and h.
func (e *StepError) Error() string {
	msg := fmt.Sprintf("ode: %v at t = %.10g with h = %.3g", e.Err, e.T, e.H)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns the kind of failure.
func (e *StepError) Unwrap() error { return e.Err }
