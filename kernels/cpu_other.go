//go:build purego || !amd64

package kernels

// Without the assembly no assembly tier can run.
const (
	hasAVX2   = false
	hasAVX512 = false
)
