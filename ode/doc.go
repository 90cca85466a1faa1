// Package ode integrates dy/dt = f(t, y; theta) with explicit Runge-Kutta
// methods and differentiates the result with respect to y(t0) and theta. It
// knows nothing of what the system models.
//
// # Pieces
//
//   - A System supplies f (Func adapts a plain function); a Differentiable
//     also keeps records during Eval and evaluates vector-Jacobian
//     products on them (system.go).
//   - A method is a Tableau (tableau.go): Euler (order 1), RK4 (classic,
//     order 4), RK38 (Kutta's 3/8 rule, torchdiffeq's "rk4"), and the
//     adaptive FSAL pairs Dopri5 (Dormand-Prince 5(4) with Shampine's
//     error estimate) and Tsit5 (Tsitouras 5(4)), found by MethodByName
//     (methods.go).
//   - One generic stepper takes a step of any tableau and returns the new
//     state, the error estimate and the FSAL stage (stepper.go); dense.go
//     evaluates the dense output inside a step.
//   - A step-size controller proposes where each step ends and judges the
//     step taken (controller.go): constant steps (Options.Steps per output
//     interval, or Options.Step with the last step shortened), or error
//     control when neither is set. One loop drives either (integrate.go);
//     it fixes the direction of time once, so the controller sees only
//     forward time.
//   - A Gradient (gradient.go) decides what SolveRecord keeps and how
//     Backward computes dL/dy(t0) and dL/dtheta: Backprop and
//     BackpropRecompute (backprop.go) or ContinuousAdjoint (adjoint.go).
//   - Failures are *StepError values naming t and h (errors.go).
//
// # Step-size control
//
// The error control follows torchdiffeq's, so that a problem solved with
// the same tolerances takes the same steps. The error ratio of a step is
// the RMS, over each state group (Options.Groups), of err_i / (atol + rtol
// max(|y0_i|, |y1_i|)), maximised across groups; a step is accepted when
// the ratio is at most 1. The next step is h min(10, max(0.9
// ratio^(-1/5), 0.2)) for a fifth-order method, never smaller than h after
// an accepted step (ratio < 1) and 10 h when the ratio is 0. The first step
// comes from Hairer's rule, which costs one evaluation beyond f(t0, y0).
// Steps are shortened to land exactly on each output time; with
// Options.Interpolate they run past it and the quartic dense output is
// evaluated there instead, exactly as torchdiffeq does. A solve fails with a
// *StepError naming t and h when the step size underflows (below
// Options.MinStep, or t + h == t), when Options.MaxSteps steps were
// attempted, or when a derivative, the new state or the error estimate is
// not finite.
//
// # Gradients
//
// Given dL/dy at the output times (Backward for one final time, BackwardAt
// for the times of SolveRecordAt), each Gradient returns dL/dy(t0) and
// dL/dtheta. A system that splits a batch across goroutines keeps
// per-worker records and reduces parameter gradients in a fixed order.
//
//   - Backprop differentiates the solver's own arithmetic
//     (discretise-then-optimise). The step sizes and the accept decisions
//     are constants, so the gradient is exact for the computed result, to
//     rounding. The system keeps a record of each stage evaluation of an
//     accepted step (a rejected attempt's records are overwritten by the
//     retry), so memory grows with stages times steps. BackpropRecompute
//     keeps only each step's initial state and re-evaluates the step's
//     stages in the reverse pass: the same bits, one more forward
//     evaluation per stage, and as many records as the method has stages.
//   - ContinuousAdjoint solves the continuous adjoint equations of Chen et
//     al. (2018) backwards in time, as FFJORD does: the augmented state [y,
//     a, dL/dtheta] with a' = -a^T df/dy and (dL/dtheta)' = -a^T
//     df/dtheta, with the same method, tolerances and controller. Memory
//     is constant (one system record), but the gradient approximates that
//     of the exact flow to the solve's tolerance rather than matching the
//     computed forward result, and y(t) is re-integrated backwards, which
//     is inaccurate for dynamics that are unstable backwards in time.
package ode
