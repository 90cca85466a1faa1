//go:build purego || !amd64

package kernels

// hasAVX2FMA is false where the assembly kernels are not built.
const hasAVX2FMA = false
