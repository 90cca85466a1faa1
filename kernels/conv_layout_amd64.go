//go:build !purego

package kernels

import "unsafe"

// tapOffsets fills tab[(c*K+p)*K+q] with the byte offset of tap (p, q) of
// channel c, for c < len(tab)/(K*K).
func (l convLayout) tapOffsets(tab []int, k int) {
	for i := range tab {
		c, p, q := i/(k*k), i/k%k, i%k
		tab[i] = 8 * (c*l.plane + p*l.wp + q)
	}
}

// intsIn views the first n elements of buf as ints (the same size as
// float64 on amd64): the kernels keep their offset tables in the work buffer
// so that no call allocates.
func intsIn(buf []float64, n int) []int {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*int)(unsafe.Pointer(&buf[:n][0])), n)
}
