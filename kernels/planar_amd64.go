//go:build !purego

package kernels

// The planar kernels, dispatched between assembly and reference.

var (
	planarForward = planarForwardRef
	planarReverse = planarReverseRef
)
