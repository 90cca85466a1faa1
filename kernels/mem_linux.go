package kernels

import "syscall"

// adviseHugePages asks the kernel to back b, which starts and ends on huge
// page boundaries, with transparent huge pages. It is advice: an error (no
// transparent huge pages in this kernel) leaves b as it was.
func adviseHugePages(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
