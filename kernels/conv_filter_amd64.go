//go:build !purego

package kernels

import "math"

// The weight gradient on the assembly path: dw[o][k] = sum over pixels of
// dy[o][pixel] * in[k-th tap of pixel], with the bias gradient (when
// wanted) as one more reduction index whose "tap" reads a plane of ones.
// The reduction indices are taken in blocks of 3 and the output channels in
// blocks of 4; each (channel, index) pair keeps 4 lane-wise partial sums in
// the work buffer across the batch, added into dw and db at the end. Images
// 16 pixels wide (the hot case) go through convFilter4x3w16, whose rows are
// unrolled and need no mask; its sums are formed in the same order as
// convFilter4x3's.

// filterWorkLen is the work ConvBackwardFilter needs: the tap table, the
// padded input of one image plus a plane of ones, the output gradient of
// one image with rows padded to wv and channels to a multiple of 4, the
// lane mask and the partial sums.
func filterWorkLen(s ConvShape) int {
	l := layoutOf(s)
	kt, co := filterDims(s, true)
	return kt + (s.Cin+1)*l.plane + co*s.H*l.wv + 4 + co*kt*4
}

// filterDims returns the number of reduction indices (taps, and the bias
// when bias is set) rounded up to a multiple of 3 and the output channels
// rounded up to a multiple of 4.
func filterDims(s ConvShape, bias bool) (kt, co int) {
	kt = s.Cin * s.K * s.K
	if bias {
		kt++
	}
	kt = (kt + 2) / 3 * 3
	co = (s.Cout + 3) &^ 3
	return kt, co
}

// convBackwardFilterAsm is ConvBackwardFilter on the avx2 tier, with x
// compact (padded image by image into the work buffer, with a plane of
// ones after its channels) or, when x is nil, padded in xp, and dy in
// either layout (copied image by image into the rows the kernels read).
func convBackwardFilterAsm(s ConvShape, x []float64, xp Padded, dy convImages, dw, db, work []float64) {
	l := layoutOf(s)
	kt, co := filterDims(s, db != nil)
	hw := s.H * s.W
	tab := intsIn(work, kt)
	work = work[kt:]
	in, work := work[:(s.Cin+1)*l.plane], work[(s.Cin+1)*l.plane:]
	g, work := work[:co*s.H*l.wv], work[co*s.H*l.wv:]
	mask, work := work[:4], work[4:]
	acc := work[:co*kt*4]

	l.filterOffsets(tab, s, db != nil)
	if x != nil {
		clear(in)
		l.fillOnes(in[s.Cin*l.plane:], s)
	}
	clear(g)
	clear(acc)
	tail := s.W - (l.wv - 4)
	for lane := range mask {
		mask[lane] = 0
		if lane < tail {
			mask[lane] = math.Float64frombits(^uint64(0))
		}
	}

	for n := 0; n < s.N; n++ {
		xin := in
		if x != nil {
			l.padImage(in, x[n*s.Cin*hw:], s.Cin, s.H, s.W)
		} else {
			xin = xp.Data[n*xp.C*l.plane:]
		}
		for o := 0; o < s.Cout; o++ {
			src := dy.channel(n, o)
			for i := 0; i < s.H; i++ {
				copy(g[(o*s.H+i)*l.wv:][:s.W], src[i*dy.row:][:s.W])
			}
		}
		for o0 := 0; o0 < co; o0 += 4 {
			if s.W == 16 {
				convFilter4x3w16(&xin[0], &tab[0], kt/3, &g[o0*s.H*l.wv], s.H*l.wv, s.H,
					8*l.wp, &acc[o0*kt*4], kt*4)
				continue
			}
			convFilter4x3(&xin[0], &tab[0], kt/3, &g[o0*s.H*l.wv], s.H*l.wv, s.H, l.wv/4,
				8*(l.wp-l.wv), &mask[0], &acc[o0*kt*4], kt*4)
		}
	}

	addFilterSums(s, acc, dw, db)
}

// filterOffsets fills tab[:kt] (filterDims) with the byte offsets of the
// weight gradient's reduction indices in the padded input of one image:
// the taps, then (with bias set) the bias, whose "tap" reads the interior
// of the plane of ones after the input's channels, then indices reading
// offset 0 that pad the count to a multiple of 3 (their sums are never
// used).
func (l convLayout) filterOffsets(tab []int, s ConvShape, bias bool) {
	kt, _ := filterDims(s, bias)
	kk := s.Cin * s.K * s.K
	l.tapOffsets(tab[:kk], s.K)
	if bias {
		tab[kk] = 8 * (s.Cin*l.plane + l.origin())
		kk++
	}
	clear(tab[kk:kt])
}

// fillOnes sets the interior of the padded plane ones to 1.
func (l convLayout) fillOnes(ones []float64, s ConvShape) {
	for i := 0; i < s.H; i++ {
		row := ones[(i+l.pad)*l.wp+l.pad:][:s.W]
		for j := range row {
			row[j] = 1
		}
	}
}

// addFilterSums adds to dw and (when not nil) db the partial sums of the
// weight gradient kept in acc, four lanes for each output channel o and
// reduction index k at acc[(o*kt + k)*4:] (kt from filterDims).
func addFilterSums(s ConvShape, acc, dw, db []float64) {
	kt, _ := filterDims(s, db != nil)
	kk := s.Cin * s.K * s.K
	for o := 0; o < s.Cout; o++ {
		for k := 0; k < kk; k++ {
			a := acc[(o*kt+k)*4:][:4]
			dw[o*kk+k] += (a[0] + a[1]) + (a[2] + a[3])
		}
		if db != nil {
			a := acc[(o*kt+kk)*4:][:4]
			db[o] += (a[0] + a[1]) + (a[2] + a[3])
		}
	}
}
