//go:build purego || !amd64

package kernels

// Without assembly every lse kernel is its reference.

var (
	logSumExp     = logSumExpRef
	gmmLogDensity = gmmLogDensityRef
)
