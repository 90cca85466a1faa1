//go:build !purego

package kernels

import "unsafe"

// convLayout is the zero-padded image layout the assembly kernels read: each
// channel of an H x W image becomes a plane of hp rows of wp elements, the
// image at rows pad..pad+H-1 and columns pad..pad+W-1, zeros elsewhere. The
// row length wp = wv + 2*pad, with wv the width rounded up to a multiple of
// the vector length 4, so that vector steps over a row never leave it.
// In this layout the input pixel under kernel tap (p, q) of output pixel
// (i, j) sits at offset (i+p)*wp + j + q of its plane: a convolution is a
// sum over fixed offsets, an implicit GEMM.
type convLayout struct {
	pad, wv, wp, hp, plane int
}

func layoutOf(s ConvShape) convLayout {
	pad := s.K / 2
	wv := (s.W + 3) &^ 3
	wp := wv + 2*pad
	hp := s.H + 2*pad
	return convLayout{pad: pad, wv: wv, wp: wp, hp: hp, plane: hp * wp}
}

// padImage copies the c channels of one H x W image from src into the
// interiors of c consecutive planes of dst, leaving the borders as they are
// (the callers zero them once per call).
func (l convLayout) padImage(dst, src []float64, c, h, w int) {
	for ch := 0; ch < c; ch++ {
		in := src[ch*h*w:][:h*w]
		out := dst[ch*l.plane:][:l.plane]
		for i := 0; i < h; i++ {
			copy(out[(i+l.pad)*l.wp+l.pad:][:w], in[i*w:][:w])
		}
	}
}

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
