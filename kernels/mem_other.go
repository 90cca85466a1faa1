//go:build !linux

package kernels

// adviseHugePages does nothing where madvise's huge-page advice does not
// exist.
func adviseHugePages(b []byte) {}
