//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// hasAVX2FMA reports whether the CPU supports the instructions the assembly
// kernels use (AVX2 and FMA3).
var hasAVX2FMA = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
