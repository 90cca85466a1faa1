package ode

import "math"

// decay is y' = -y.
var decay = Func(1, func(t float64, y, dydt []float64) { dydt[0] = -y[0] })

// oscillator is the harmonic oscillator y” = -y as a first-order system;
// from (1, 0) its solution is (cos t, -sin t).
var oscillator = Func(2, func(t float64, y, dydt []float64) {
	dydt[0] = y[1]
	dydt[1] = -y[0]
})

// timeDependent is y' = y cos t, with solution y0 exp(sin t - sin t0): it
// exercises the stage times.
var timeDependent = Func(1, func(t float64, y, dydt []float64) { dydt[0] = y[0] * math.Cos(t) })

// lotkaVolterra is x' = x - xy, y' = xy - y, which conserves
// V = x - log x + y - log y.
var lotkaVolterra = Func(2, func(t float64, y, dydt []float64) {
	dydt[0] = y[0] - y[0]*y[1]
	dydt[1] = y[0]*y[1] - y[1]
})

func lotkaVolterraInvariant(y []float64) float64 {
	return y[0] - math.Log(y[0]) + y[1] - math.Log(y[1])
}

// vanDerPol is the Van der Pol oscillator with mu = 1.
var vanDerPol = Func(2, func(t float64, y, dydt []float64) {
	dydt[0] = y[1]
	dydt[1] = (1-y[0]*y[0])*y[1] - y[0]
})

// logistic is y' = y (1 - y), with solution 1 / (1 + 9 exp(-t)) from 1/10.
var logistic = Func(1, func(t float64, y, dydt []float64) { dydt[0] = y[0] * (1 - y[0]) })
