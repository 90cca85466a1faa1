//go:build !purego

package kernels

// The avx512 tier's convolution kernels. Both read the image through a
// vector table (tableLen, fillTable): each zmm vector is 8 output pixels of
// one image row, and a tile is tableVecs vectors, in the order of the rows
// (two rows of two vectors for a 16-wide image). The table holds per tile
// the byte offsets of its vectors in the padded input, their byte offsets
// in the output (or output gradient), and their lane masks, so that a row
// whose width is no multiple of 8 ends in a masked vector and the kernels
// need no tail code; vectors with mask 0 pad the last tile.
//
// Forward and data gradient: convTile<mr>AVX512 computes blocks of up to
// tile512Rows output channels by one tile at a time, 24 accumulators for
// the whole reduction over input channels and taps. The loop runs the
// blocks of output channels over all the tiles of an image, so that a
// block's weight panel stays near the core while the input streams past.
//
// Weight gradient: convFilter<mr>AVX512 accumulates blocks of up to
// filter512Rows output channels by three reduction indices over every
// vector of a group of images, eight lane-wise partial sums each, folded
// onto four as the block ends and added into the work buffer; the four are
// summed at the end.

// The vector table's shape (asm/conv/avx512.go has the same constants).
const (
	tableVecs  = 4             // vectors per tile
	tableEntry = 3 * tableVecs // ints per tile: input offsets, output offsets, masks
)

// The register blocks of the kernels (asm/conv/avx512.go).
const (
	tile512Rows   = 6 // output channels of convTile<mr>AVX512, mr <= tile512Rows
	filter512Rows = 8 // output channels of convFilter<mr>AVX512
)

// filter512Bytes is the size the weight gradient aims the padded inputs of
// one group of images at: its kernels reduce over the vectors of every
// image of a group before adding their sums to the work buffer, so larger
// groups add less often (small images go many to a group), while the
// group's padded inputs and output gradients stay within a core's L2 cache
// (1 MiB on Zen 4). The 65-channel 16x16 images of conv16 go one at a
// time: two at a time measured no faster.
const filter512Bytes = 320 << 10

// tableLen is the length in ints of the vector table of g images of h x w
// pixels.
func tableLen(g, h, w int) int {
	nv := g * h * ((w + 7) / 8)
	return (nv + tableVecs - 1) / tableVecs * tableEntry
}

// fillTable writes to t the vector table of g images of h x w pixels, image
// m's padded input at m*inStride elements from the first's and its pixel
// (i, j) of the output at the offset of out.channel(m, 0)[i*out.row + j]
// from out's data, and returns the number nf of tiles whose vectors have
// all their lanes in the image and the number nt of tiles in all. The
// vectors of 8 pixels come first, in the order of the images and their
// rows, then the shorter ones that end the rows.
func (l convLayout) fillTable(t []int, g, h, w, inStride int, out convImages) (nf, nt int) {
	nv := 0
	put := func(in, out, mask int) {
		e := t[nv/tableVecs*tableEntry:][:tableEntry]
		v := nv % tableVecs
		e[v], e[tableVecs+v], e[2*tableVecs+v] = 8*in, 8*out, mask
		nv++
	}
	for _, full := range []bool{true, false} {
		for m := 0; m < g; m++ {
			for i := 0; i < h; i++ {
				for j := 0; j < w; j += 8 {
					if (j+8 <= w) == full {
						put(m*inStride+i*l.wp+j, m*out.img+out.base+i*out.row+j, 1<<min(8, w-j)-1)
					}
				}
			}
		}
		if full {
			nf = nv / tableVecs
		}
	}
	for nv%tableVecs != 0 {
		put(0, 0, 0)
	}
	return nf, nv / tableVecs
}

// tileFunc is the signature of the avx512 tile kernels.
type tileFunc func(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// tile512 and tile512r3 hold the tile kernels by block size mr (entry 0
// unused).
var (
	tile512   = [tile512Rows + 1]tileFunc{nil, convTile1AVX512, convTile2AVX512, convTile3AVX512, convTile4AVX512, convTile5AVX512, convTile6AVX512}
	tile512r3 = [tile512Rows + 1]tileFunc{nil, convTile1r3AVX512, convTile2r3AVX512, convTile3r3AVX512, convTile4r3AVX512, convTile5r3AVX512, convTile6r3AVX512}
)

// padImage512 is padImage on the avx512 tier, in one call for the image.
func (l convLayout) padImage512(dst, src []float64, c, h, w int) {
	if c == 0 || h == 0 || w == 0 {
		return
	}
	_ = dst[(c-1)*l.plane+(h-1+l.pad)*l.wp+l.pad+w-1]
	_ = src[c*h*w-1]
	convPadAVX512(&dst[l.pad*l.wp+l.pad], &src[0], c, h, w/8, 1<<(w%8)-1, l.wp, l.plane)
}

// filterFunc is the signature of the avx512 weight-gradient kernels.
type filterFunc func(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// filter512 holds the weight-gradient kernels by block size mr (entry 0
// unused).
var filter512 = [filter512Rows + 1]filterFunc{nil, convFilter1AVX512, convFilter2AVX512, convFilter3AVX512,
	convFilter4AVX512, convFilter5AVX512, convFilter6AVX512, convFilter7AVX512, convFilter8AVX512}

// filter512Group returns the number of images the weight gradient reduces
// over at once, whose padded inputs are imgLen elements each.
func filter512Group(s ConvShape, imgLen int) int {
	return max(1, min(s.N, filter512Bytes/(8*imgLen)))
}

// filter512WorkLen is the work convBackwardFilterAVX512 needs: the tap
// table, the padded inputs of a group of images (each its channels and a
// plane of ones for the bias), their vector table and the partial sums.
func filter512WorkLen(s ConvShape) int {
	kt, _ := filterDims(s, true)
	imgLen := (s.Cin + 1) * layoutOf(s).plane
	g := filter512Group(s, imgLen)
	return kt + g*imgLen + tableLen(g, s.H, s.W) + s.Cout*kt*4
}

// convBackwardFilterAVX512 is ConvBackwardFilter on the avx512 tier, with x
// compact (padded a group of images at a time into the work buffer, a plane
// of ones after each image's channels) or, when x is nil, padded in xp,
// and dy in either layout. As on the avx2 tier, the bias gradient (when db
// is not nil) is one more reduction index whose "tap" reads the plane of
// ones, and the reduction indices go in blocks of three (padded with
// indices reading offset 0, whose sums are never used).
func convBackwardFilterAVX512(s ConvShape, x []float64, xp Padded, dy convImages, dw, db, work []float64) {
	l := layoutOf(s)
	kt, _ := filterDims(s, db != nil)
	hw := s.H * s.W
	imgLen := (s.Cin + 1) * l.plane
	if x == nil {
		imgLen = xp.C * l.plane
	}
	g := filter512Group(s, imgLen)
	tab := intsIn(work, kt)
	work = work[kt:]
	var in []float64
	if x != nil {
		in, work = work[:g*imgLen], work[g*imgLen:]
	}
	tl := tableLen(g, s.H, s.W)
	table := intsIn(work, tl)
	acc := work[tl:][:s.Cout*kt*4]

	l.filterOffsets(tab, s, db != nil)
	if x != nil {
		clear(in)
		for m := 0; m < g; m++ {
			l.fillOnes(in[m*imgLen+s.Cin*l.plane:], s)
		}
	}
	clear(acc)

	nf, nt, tg := 0, 0, 0 // the table's tiles, for groups of tg images
	for n0 := 0; n0 < s.N; n0 += g {
		gn := min(g, s.N-n0)
		if gn != tg {
			nf, nt = l.fillTable(table, gn, s.H, s.W, imgLen, dy)
			tg = gn
		}
		xin := in
		if x != nil {
			for m := 0; m < gn; m++ {
				l.padImage512(in[m*imgLen:], x[(n0+m)*s.Cin*hw:], s.Cin, s.H, s.W)
			}
		} else {
			xin = xp.Data[n0*imgLen:]
		}
		grad := dy.data[n0*dy.img:]
		for o0 := 0; o0 < s.Cout; o0 += filter512Rows {
			mr := min(filter512Rows, s.Cout-o0)
			filter512[mr](&xin[0], &tab[0], kt/3, &grad[o0*dy.plane], dy.plane, &table[0], nf, nt-nf, &acc[o0*kt*4], kt*4)
		}
	}
	addFilterSums(s, acc, dw, db)
}
