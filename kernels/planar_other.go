//go:build purego || !amd64

package kernels

// Without assembly every planar kernel is its reference.

var (
	planarForward = planarForwardRef
	planarReverse = planarReverseRef
)
