// Package ode integrates dy/dt = f(t, y; theta) with explicit Runge-Kutta
// methods and differentiates the result with respect to y(t0) and theta. It
// knows nothing of what the system models.
//
// # Methods
//
// A method is a Tableau: Euler (order 1), RK4 (classic, order 4), RK38
// (Kutta's 3/8 rule, order 4), and the adaptive FSAL pairs Dopri5
// (Dormand-Prince 5(4) with Shampine's error estimate) and Tsit5
// (Tsitouras 5(4)). One generic stepper runs them all. Any tableau can take
// fixed steps (Options.Steps per output interval, or Options.Step with the
// last step shortened); one with an error estimate runs adaptively when
// neither is set.
//
// # Step-size control
//
// The controller follows torchdiffeq's, so that a problem solved with the
// same tolerances takes the same steps. The error ratio of a step is the RMS,
// over each state group (Options.Groups), of err_i / (atol + rtol
// max(|y0_i|, |y1_i|)), maximised across groups; a step is accepted when the
// ratio is at most 1. The next step is h min(10, max(0.9 ratio^(-1/5),
// 0.2)) for a fifth-order method, never smaller than h after an accepted
// step (ratio < 1) and 10 h when the ratio is 0. The first step comes from
// Hairer's rule, which costs one evaluation beyond f(t0, y0). Steps are
// shortened to land exactly on each output time; with
// Options.Interpolate they run past it and the quartic dense output is
// evaluated there instead, exactly as torchdiffeq does. Time may run
// backwards: the direction is fixed once per solve and the controller works
// on step magnitudes. A solve fails with a *StepError naming t and h when
// the step size underflows (below Options.MinStep, or t + h == t), when
// Options.MaxSteps steps were attempted, or when a derivative, the new
// state or the error estimate is not finite.
//
// # Gradients
//
// Given dL/dy at the output times (Backward and Adjoint for one final time,
// BackwardAt and AdjointAt for the times of SolveRecordAt), two methods
// return dL/dy(t0) and dL/dtheta. The system supplies f and, through
// Differentiable, its vector-Jacobian products evaluated on records it kept
// during Eval; a system that splits a batch across goroutines keeps
// per-worker records and reduces parameter gradients in a fixed order.
//
//   - Backward differentiates the solver's own arithmetic through the last
//     SolveRecord (discretise-then-optimise). The step sizes and the accept
//     decisions are constants, so the gradient is exact for the computed
//     result, to rounding. Each stage evaluation of an accepted step is kept
//     by the system as a record (a rejected attempt's records are
//     overwritten by the retry), so memory grows with stages times steps;
//     with Options.Recompute the solver keeps only each step's initial state
//     and the reverse pass re-evaluates that step's stages, costing one more
//     forward evaluation per stage and holding as many records as the method
//     has stages.
//   - Adjoint solves the continuous adjoint equations of Chen et al. (2018)
//     backwards in time, as FFJORD does: the augmented state [y, a,
//     dL/dtheta] with a' = -a^T df/dy and (dL/dtheta)' = -a^T df/dtheta, with
//     the same method, tolerances and controller. Memory is constant (one
//     system record), but the gradient approximates that of the exact flow
//     to the solve's tolerance rather than matching the computed forward
//     result, and y(t) is re-integrated backwards, which is inaccurate for
//     dynamics that are unstable backwards in time.
package ode
