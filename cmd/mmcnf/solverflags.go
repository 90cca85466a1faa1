package main

import (
	"strings"

	"github.com/mmcnf/mmcnf/ode"
)

// solverHelp is the help of --solver: the methods of package ode, adaptive
// and fixed-step.
func solverHelp() string {
	var adaptive, fixed []string
	for _, m := range ode.Methods() {
		if m.Adaptive() {
			adaptive = append(adaptive, m.Name)
		} else {
			fixed = append(fixed, m.Name)
		}
	}
	return "ODE solver: " + strings.Join(adaptive, ", ") + " (adaptive); " + strings.Join(fixed, ", ") +
		" (fixed step; torchdiffeq's \"rk4\" is rk38, Kutta's 3/8 rule)"
}

// gradHelp is the help of --grad: the gradient methods of package ode.
func gradHelp() string {
	var names []string
	for _, g := range ode.Gradients() {
		names = append(names, g.Name())
	}
	return "gradient method: " + strings.Join(names, ", ") +
		" (backprop through the solver keeps every stage; backprop-recompute only each step's start; adjoint constant memory)"
}

// interpolateHelp is the help of --interpolate.
const interpolateHelp = "adaptive solvers: step past t1 and evaluate the last step's dense output at t1, as torchdiffeq does, instead of shortening the last step to end on t1"
