package kernels

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

// padSlack is the number of elements after the last plane of a padded
// batch that the assembly may read (their values only reach results that
// are discarded): a tile reaching past the right edge of the last row reads
// up to 16 on the avx2 tier, up to 4 on the avx512 tier (a vector of 8
// starting at a multiple of 8 below the width W, rounded up to 4 in the
// layout).
const padSlack = 16

// origin is the offset in its plane of a padded image's pixel (0, 0).
func (l convLayout) origin() int { return l.pad*l.wp + l.pad }

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

// Padded is a batch of images in the padded layout of a ConvShape s, in
// which the convolution kernels read their inputs: each image is C planes
// of s.PadPlane() elements, one after another, and image n's plane c starts
// at Data[(n*C+c)*s.PadPlane()]. A plane holds one channel, its pixel (i, j)
// at s.PadOffset(i, j) and zeros everywhere else (its border). The kernels
// read borders and never write them; a buffer from MakeFloats or make
// starts out zero and stays valid for any number of layers written into
// it. A kernel uses the first planes of each image (as many as its shape
// says) and leaves the others alone, so that an image can carry more, such
// as the time channel of a concatenated input before its data channels
// (the caller slices Data from the second plane on to skip it). Data must
// reach s.PadLen(n, C) elements from the start of the batch: the kernels
// may read a little past the last plane.
type Padded struct {
	Data []float64
	C    int // planes per image
}

// PadPlane is the number of elements of one plane of the padded layout.
func (s ConvShape) PadPlane() int { return layoutOf(s).plane }

// PadOffset is the offset of pixel (i, j) in its plane of the padded
// layout.
func (s ConvShape) PadOffset(i, j int) int {
	l := layoutOf(s)
	return (i+l.pad)*l.wp + l.pad + j
}

// PadLen is the length of a Padded buffer of n images of c planes each.
func (s ConvShape) PadLen(n, c int) int { return n*c*s.PadPlane() + padSlack }

// convImages is where a batch of images lies in a slice, compact (NCHW) or
// padded: channel c of image n has its pixel (i, j) at
// data[n*img + c*plane + base + i*row + j].
type convImages struct {
	data                  []float64
	img, plane, base, row int
}

// compact describes s.N-style compact images of c channels in data.
func compact(s ConvShape, data []float64, c int) convImages {
	hw := s.H * s.W
	return convImages{data: data, img: c * hw, plane: hw, row: s.W}
}

// padded describes the images of p.
func padded(s ConvShape, p Padded) convImages {
	l := layoutOf(s)
	return convImages{data: p.Data, img: p.C * l.plane, plane: l.plane, base: l.origin(), row: l.wp}
}

// channel returns the elements from image n's channel c's pixel (0, 0) on.
func (m convImages) channel(n, c int) []float64 {
	return m.data[n*m.img+c*m.plane+m.base:]
}

// image returns the images from image n on.
func (m convImages) image(n int) convImages {
	m.data = m.data[n*m.img:]
	return m
}
