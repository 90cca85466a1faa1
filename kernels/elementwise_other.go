//go:build purego || !amd64

package kernels

// Without assembly every elementwise kernel is its reference.

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
