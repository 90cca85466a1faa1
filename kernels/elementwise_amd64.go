//go:build !purego

package kernels

// The elementwise kernels, dispatched between assembly and reference.

var (
	exp                = expRef
	log1p              = log1pRef
	softplus           = softplusRef
	sigmoid            = sigmoidRef
	sigmoidPrime       = sigmoidPrimeRef
	tanh               = tanhRef
	tanhPrime          = tanhPrimeRef
	softplusJVP        = softplusJVPRef
	softplusJVPReverse = softplusJVPReverseRef
	tanhJVP            = tanhJVPRef
	tanhJVPReverse     = tanhJVPReverseRef
)
