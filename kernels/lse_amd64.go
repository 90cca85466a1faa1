//go:build !purego

package kernels

// The lse kernels, dispatched between assembly and reference.

var (
	logSumExp     = logSumExpRef
	gmmLogDensity = gmmLogDensityRef
)
