package main

import (
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
)

// solverHelp is the help of --solver: the methods of package ode, adaptive
// and fixed-step.
func solverHelp() string {
	fixed, adaptive := cnf.MethodNames()
	return "ODE solver: " + strings.Join(adaptive, ", ") + " (adaptive); " + strings.Join(fixed, ", ") +
		" (fixed step; torchdiffeq's \"rk4\" is rk38, Kutta's 3/8 rule)"
}

// gradHelp is the help of --grad: the gradient methods of package ode.
func gradHelp() string {
	return "gradient method: " + strings.Join(cnf.GradientNames(), ", ") +
		" (backprop through the solver keeps every stage; backprop-recompute only each step's start; adjoint constant memory)"
}

// interpolateHelp is the help of --interpolate.
const interpolateHelp = "adaptive solvers: step past t1 and evaluate the last step's dense output at t1, as torchdiffeq does, instead of shortening the last step to end on t1"
