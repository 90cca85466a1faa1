//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// The CPU features of the assembly tiers, read once at start-up.
var (
	// hasAVX2 reports AVX2 and FMA3. cpuid reports AVX, on which its AVX2
	// depends, only when XGETBV shows the OS saving the xmm and ymm state
	// (XCR0 bits 1 and 2).
	hasAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)

	// hasAVX512 reports AVX-512 F, DQ, BW and VL, and the AVX2 tier's
	// features, whose kernels the avx512 tier runs in the families that
	// have no AVX-512 kernel. cpuid reports the AVX-512 features only when
	// XGETBV shows the OS saving the opmask registers and the full zmm
	// state (XCR0 bits 5, 6 and 7) as well as the xmm and ymm state (bits 1
	// and 2); on darwin, which enables the zmm state on first use, it asks
	// the kernel instead.
	hasAVX512 = hasAVX2 && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL)
)
