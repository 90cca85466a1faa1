package kernels

import "unsafe"

// hugePage is the size of a transparent huge page on amd64 Linux, and the
// least size at which MakeFloats asks for huge pages.
const hugePage = 2 << 20

// MakeFloats returns a zeroed slice of n float64 with len and cap n, like
// make([]float64, n). A slice of 2 MiB or more starts on a 2 MiB boundary
// and, on Linux, its huge pages' worth of address space is advised for
// transparent huge pages (madvise MADV_HUGEPAGE), so that the pages it
// faults in are mapped 2 MiB at a time instead of 4 KiB at a time (memory
// the Go heap reuses may already be mapped in small pages, which the
// kernel's khugepaged may merge later). That matters to the
// kernels that sweep large operands: fewer TLB misses, and on virtual
// machines whose host manages guest memory page by page, far fewer slow
// page walks (see the README's benchmark notes). The slice is ordinary Go
// memory, freed by the garbage collector like any other; up to 4 MiB of
// address space around it is reserved but never touched. Where the kernel
// has no transparent huge pages, the advice is ignored and the slice is
// plain memory.
func MakeFloats(n int) []float64 {
	if n < 0 {
		panic("kernels.MakeFloats: negative length")
	}
	if n*8 < hugePage {
		return make([]float64, n)
	}
	const per = hugePage / 8
	span := roundUp(n, per)        // whole huge pages
	s := make([]float64, span+per) // room to align the start
	off := int(uintptr(hugePage)-uintptr(unsafe.Pointer(unsafe.SliceData(s)))%hugePage) % hugePage / 8
	adviseHugePages(unsafe.Slice((*byte)(unsafe.Pointer(&s[off])), span*8))
	return s[off : off+n : off+n]
}

// roundUp returns n rounded up to a multiple of m.
func roundUp(n, m int) int {
	return (n + m - 1) / m * m
}
