//go:build !purego

package kernels

// The conv kernels, dispatched between assembly and reference. The assembly
// path of both tiers is an implicit GEMM over the padded layout (see
// conv_direct_amd64.go): the caller's padded images, or a copy of each
// compact image in the work buffer. ConvForward and ConvBackwardData run
// the same tile kernel (the data gradient is the convolution of dy with the
// transposed, flipped weights), ConvBackwardFilter a kernel that reduces
// over pixels. The fused kernels run the tile kernel of their tier and then
// the tier's activation kernel over each image's outputs while they are in
// cache; the activation kernels are generated from the same vector code as
// the elementwise family's JVP kernels and reverses of the same tier, so
// with the same rounding. The avx512 tier's convolution kernels are driven
// from conv_avx512_amd64.go.

// convWorkLen is the work of the assembly path, whatever the tier in use,
// so that a buffer sized under one tier serves under every other.
func convWorkLen(s ConvShape) int {
	if !convAsmShape(s) {
		return 0
	}
	return max(directWorkLen(s, s.Cin, s.Cout), directWorkLen(s, s.Cout, s.Cin), filterWorkLen(s), filter512WorkLen(s))
}

// convAsmShape reports whether the assembly path handles s; shapes with an
// empty dimension have nothing to convolve and go to the reference.
func convAsmShape(s ConvShape) bool {
	return s.N > 0 && s.Cin > 0 && s.Cout > 0 && s.H > 0 && s.W > 0
}

// The assembly of both tiers shares its drivers, which take the tier (for
// its tile kernels); the weight gradient has one driver per tier.

func convForward(s ConvShape, x, w, b, y, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convForwardAsm(s, x, Padded{}, w, b, y, work, active)
			return
		}
	}
	convForwardRef(s, compact(s, x, s.Cin), w, b, compact(s, y, s.Cout))
}

func convForwardPadded(s ConvShape, x Padded, w, b, y, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convForwardAsm(s, nil, x, w, b, y, work, active)
			return
		}
	}
	convForwardRef(s, padded(s, x), w, b, compact(s, y, s.Cout))
}

func convBackwardData(s ConvShape, dy, w, dx, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convBackwardDataAsm(s, dy, Padded{}, w, dx, work, active)
			return
		}
	}
	convBackwardDataRef(s, compact(s, dy, s.Cout), w, compact(s, dx, s.Cin), 0, s.Cin)
}

func convBackwardDataPadded(s ConvShape, dy Padded, w, dx, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convBackwardDataAsm(s, nil, dy, w, dx, work, active)
			return
		}
	}
	convBackwardDataRef(s, padded(s, dy), w, compact(s, dx, s.Cin), 0, s.Cin)
}

func convBackwardFilter(s ConvShape, x, dy, dw, db, work []float64) {
	switch active {
	case tierAVX512:
		if convAsmShape(s) {
			convBackwardFilterAVX512(s, x, Padded{}, compact(s, dy, s.Cout), dw, db, work)
			return
		}
	case tierAVX2:
		if convAsmShape(s) {
			convBackwardFilterAsm(s, x, Padded{}, compact(s, dy, s.Cout), dw, db, work)
			return
		}
	}
	convBackwardFilterRef(s, compact(s, x, s.Cin), compact(s, dy, s.Cout), dw, db)
}

func convBackwardFilterPadded(s ConvShape, x, dy Padded, dw, db, work []float64) {
	switch active {
	case tierAVX512:
		if convAsmShape(s) {
			convBackwardFilterAVX512(s, nil, x, padded(s, dy), dw, db, work)
			return
		}
	case tierAVX2:
		if convAsmShape(s) {
			convBackwardFilterAsm(s, nil, x, padded(s, dy), dw, db, work)
			return
		}
	}
	convBackwardFilterRef(s, padded(s, x), padded(s, dy), dw, db)
}

func convForwardAct(s ConvShape, act Activation, k int, x, dx Padded, w, b, a, da []float64, y, dy Padded, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convForwardActAsm(s, act, k, x, dx, w, b, a, da, y, dy, work, active)
			return
		}
	}
	convForwardActRef(s, act, k, padded(s, x), padded(s, dx), w, b, a, da, padded(s, y), padded(s, dy), work)
}

func convBackwardDataAct(s ConvShape, act Activation, k int, gy, gdy Padded, w, p, dp []float64, gp, gdp, x, dx Padded, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if convAsmShape(s) {
			convBackwardDataActAsm(s, act, k, gy, gdy, w, p, dp, gp, gdp, x, dx, work, active)
			return
		}
	}
	convBackwardDataActRef(s, act, k, padded(s, gy), padded(s, gdy), w, p, dp, padded(s, gp), padded(s, gdp), padded(s, x), padded(s, dx), work)
}

// actKernel returns the activation's forward kernel without tangents on
// tier t.
func actKernel(act Activation, t tier) func(a, y *float64, nc, h, w, wp, plane int) {
	switch {
	case act == ActTanh && t == tierAVX512:
		return convTanhAVX512
	case act == ActTanh:
		return convTanhAVX2
	case t == tierAVX512:
		return convSoftplusAVX512
	}
	return convSoftplusAVX2
}

// actJVPKernel returns the activation's forward kernel on tier t.
func actJVPKernel(act Activation, t tier) func(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int) {
	switch {
	case act == ActTanh && t == tierAVX512:
		return convTanhJVPAVX512
	case act == ActTanh:
		return convTanhJVPAVX2
	case t == tierAVX512:
		return convSoftplusJVPAVX512
	}
	return convSoftplusJVPAVX2
}

// actReverseKernel returns the activation's reverse kernel on tier t.
func actReverseKernel(act Activation, t tier) func(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int) {
	switch {
	case act == ActTanh && t == tierAVX512:
		return convTanhReverseAVX512
	case act == ActTanh:
		return convTanhReverseAVX2
	case t == tierAVX512:
		return convSoftplusReverseAVX512
	}
	return convSoftplusReverseAVX2
}

// convSoftplusAVX2 applies softplus to nc channels of one compact image of
// pre-activations a (h x w pixels each), into padded outputs: with plane
// and wp the padded layout's plane and row lengths and y pointing at pixel
// (0, 0) of the first plane,
//
//	y[c*plane + i*wp + j] = softplus(a[c*h*w + i*w + j])
//
// with the arithmetic of softplusAVX2.
//
//go:noescape
func convSoftplusAVX2(a, y *float64, nc, h, w, wp, plane int)

// convTanhAVX2 is convSoftplusAVX2 for tanh, with the arithmetic of
// tanhAVX2.
//
//go:noescape
func convTanhAVX2(a, y *float64, nc, h, w, wp, plane int)

// convSoftplusAVX512 is convSoftplusAVX2 with the arithmetic of
// softplusAVX512.
//
//go:noescape
func convSoftplusAVX512(a, y *float64, nc, h, w, wp, plane int)

// convTanhAVX512 is convSoftplusAVX2 for tanh, with the arithmetic of
// tanhAVX512.
//
//go:noescape
func convTanhAVX512(a, y *float64, nc, h, w, wp, plane int)

// convSoftplusJVPAVX2 applies softplus to nc channels of one compact image
// of pre-activations a (h x w pixels each) and its k tangents da_j (at
// da + j*ldk), into padded outputs: with plane and wp the padded layout's
// plane and row lengths and y and dy pointing at pixel (0, 0) of the first
// plane,
//
//	v := a[c*h*w + i*w + j]
//	y[c*plane + i*wp + j] = softplus(v)
//	dy[m*ldy + c*plane + i*wp + j] = sigmoid(v) * da[m*ldk + c*h*w + i*w + j]  for m < k
//
// with the arithmetic of softplusJVPAVX2.
//
//go:noescape
func convSoftplusJVPAVX2(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)

// convTanhJVPAVX2 is convSoftplusJVPAVX2 for tanh: y = tanh(v) and
// dy = (1 - tanh(v)^2) da, with the arithmetic of tanhJVPAVX2.
//
//go:noescape
func convTanhJVPAVX2(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)

// convSoftplusReverseAVX2 is the reverse of softplus's JVP over nc channels
// of one image, with its primal and tangents recomputed: with compact
// offsets e = c*h*w + i*w + j, padded ones f = c*plane + i*wp + j,
// v := p[e], s := sigmoid(v), s2 := sigmoid'(v), and for m < k the
// tangents dp_m = dp[m*ldk + e] and gradients gd_m = gdx[m*ldk + e],
//
//	x[f] = softplus(v)
//	dx[m*ldx + f] = s * dp_m
//	gdp[m*ldgp + f] = s * gd_m
//	gp[f] = s*gx[e] + s2*dp_0*gd_0 + s2*dp_1*gd_1 + ...  (s*gx[e] for k = 0)
//
// with the arithmetic of softplusJVPAVX2 and softplusJVPReverseAVX2, the
// terms after the first added one at a time.
//
//go:noescape
func convSoftplusReverseAVX2(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)

// convTanhReverseAVX2 is convSoftplusReverseAVX2 for tanh: with
// t := tanh(v) and s := 1 - t^2, x[f] = t, dx and gdp as there, and
// gp[f] = s*gx[e] - 2*t*s*dp_0*gd_0 - 2*t*s*dp_1*gd_1 - ..., with the
// arithmetic of tanhJVPAVX2 and tanhJVPReverseAVX2.
//
//go:noescape
func convTanhReverseAVX2(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)

// convSoftplusJVPAVX512 is convSoftplusJVPAVX2 with the arithmetic of
// softplusJVPAVX512.
//
//go:noescape
func convSoftplusJVPAVX512(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)

// convTanhJVPAVX512 is convTanhJVPAVX2 with the arithmetic of
// tanhJVPAVX512.
//
//go:noescape
func convTanhJVPAVX512(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)

// convSoftplusReverseAVX512 is convSoftplusReverseAVX2 with the arithmetic
// of softplusJVPAVX512 and softplusJVPReverseAVX512.
//
//go:noescape
func convSoftplusReverseAVX512(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)

// convTanhReverseAVX512 is convTanhReverseAVX2 with the arithmetic of
// tanhJVPAVX512 and tanhJVPReverseAVX512.
//
//go:noescape
func convTanhReverseAVX512(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)

// convTile3x16 computes, for nb blocks j of 3 output channels r and the 16
// output pixels p of one tile,
//
//	out[(3j+r)*ldo + p] = bias[3j+r] + sum over k < kk of
//	    a[3j*kk + 3k + r] * b[tab[k]/8 + p]
//
// where tab holds byte offsets into the padded input that b points into.
//
//go:noescape
func convTile3x16(a *float64, tab *int, kk int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convTile2x16 is convTile3x16 for blocks of 2 output channels.
//
//go:noescape
func convTile2x16(a *float64, tab *int, kk int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convTile1x16 is convTile3x16 for blocks of 1 output channel.
//
//go:noescape
func convTile1x16(a *float64, tab *int, kk int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convFilter4x3 adds, for nkb blocks j of 3 reduction indices kk, 4 output
// channels r and lanes l,
//
//	acc[r*lda + 12j + 4kk + l] += sum over i < rows, v < nv of
//	    dy[r*ldd + (i*nv+v)*4 + l] * x[tab[3j+kk]/8 + i*(4*nv + xskip/8) + 4v + l]
//
// with the x values of the last v of every row ANDed with the bit mask
// mask[l] (tab and xskip in bytes).
//
//go:noescape
func convFilter4x3(x *float64, tab *int, nkb int, dy *float64, ldd int, rows int, nv int, xskip int, mask *float64, acc *float64, lda int)

// convTile3x16r3 is convTile3x16 for kernels three taps wide, with the
// reduction in ng = kk/3 groups of the three taps of one kernel row: group g
// reads the offset tab[3g] and its taps q = 0, 1, 2 at tab[3g]/8 + q.
//
//go:noescape
func convTile3x16r3(a *float64, tab *int, ng int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convTile2x16r3 is convTile3x16r3 for blocks of 2 output channels.
//
//go:noescape
func convTile2x16r3(a *float64, tab *int, ng int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convTile1x16r3 is convTile3x16r3 for blocks of 1 output channel.
//
//go:noescape
func convTile1x16r3(a *float64, tab *int, ng int, b *float64, out *float64, ldo int, bias *float64, nb int)

// convFilter4x3w16 is convFilter4x3 for images 16 pixels wide (nv = 4 and
// no mask), with xrow = 8*(4*nv) + xskip the byte distance between rows of x:
//
//	acc[r*lda + 12j + 4kk + l] += sum over i < rows, v < 4 of
//	    dy[r*ldd + (i*4+v)*4 + l] * x[tab[3j+kk]/8 + i*xrow/8 + 4v + l]
//
//go:noescape
func convFilter4x3w16(x *float64, tab *int, nkb int, dy *float64, ldd int, rows int, xrow int, acc *float64, lda int)

// convTile6AVX512 computes, for the nf+nm tiles of the vector table vec
// (per tile: the byte offsets in(v) of its 4 vectors in the padded input b,
// their byte offsets out(v) in out, and their lane masks mask(v)), the 6
// output channels r and the lanes l in mask(v),
//
//	out[out(v)/8 + r*ldo + l] = bias[r] + sum over k < kk of
//	    a[6k + r] * b[in(v)/8 + tab[k]/8 + l]
//
// (tab in bytes); lanes outside mask(v) are left as they are. The first nf
// tiles must have all lanes of their vectors on; they are stored without
// masks.
//
//go:noescape
func convTile6AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile5AVX512 is convTile6AVX512 for 5 output channels.
//
//go:noescape
func convTile5AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile4AVX512 is convTile6AVX512 for 4 output channels.
//
//go:noescape
func convTile4AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile3AVX512 is convTile6AVX512 for 3 output channels.
//
//go:noescape
func convTile3AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile2AVX512 is convTile6AVX512 for 2 output channels.
//
//go:noescape
func convTile2AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile1AVX512 is convTile6AVX512 for 1 output channel.
//
//go:noescape
func convTile1AVX512(a *float64, tab *int, kk int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile6r3AVX512 is convTile6AVX512 for kernels three taps wide, with the
// reduction in ng = kk/3 groups of the three taps of one kernel row: group g
// reads the offset tab[3g] and its taps q = 0, 1, 2 at tab[3g]/8 + q.
//
//go:noescape
func convTile6r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile5r3AVX512 is convTile6r3AVX512 for 5 output channels.
//
//go:noescape
func convTile5r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile4r3AVX512 is convTile6r3AVX512 for 4 output channels.
//
//go:noescape
func convTile4r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile3r3AVX512 is convTile6r3AVX512 for 3 output channels.
//
//go:noescape
func convTile3r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile2r3AVX512 is convTile6r3AVX512 for 2 output channels.
//
//go:noescape
func convTile2r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convTile1r3AVX512 is convTile6r3AVX512 for 1 output channel.
//
//go:noescape
func convTile1r3AVX512(a *float64, tab *int, ng int, b *float64, vec *int, nf, nm int, out *float64, ldo int, bias *float64)

// convFilter8AVX512 adds, for nkb blocks j of 3 reduction indices kk, 8
// output channels r and lanes l < 4,
//
//	acc[r*lda + 12j + 4kk + l] += sum over the vectors v of the nf+nm tiles of vec and h = 0, 4 of
//	    dy[out(v)/8 + r*ldd + h + l] * x[in(v)/8 + tab[3j+kk]/8 + h + l]
//
// with both factors taken as 0 in the lanes outside mask(v) (the vector
// table as for convTile6AVX512; tab in bytes). The first nf tiles must have
// all lanes of their vectors on; they are loaded without masks.
//
//go:noescape
func convFilter8AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter7AVX512 is convFilter8AVX512 for 7 output channels.
//
//go:noescape
func convFilter7AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter6AVX512 is convFilter8AVX512 for 6 output channels.
//
//go:noescape
func convFilter6AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter5AVX512 is convFilter8AVX512 for 5 output channels.
//
//go:noescape
func convFilter5AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter4AVX512 is convFilter8AVX512 for 4 output channels.
//
//go:noescape
func convFilter4AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter3AVX512 is convFilter8AVX512 for 3 output channels.
//
//go:noescape
func convFilter3AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter2AVX512 is convFilter8AVX512 for 2 output channels.
//
//go:noescape
func convFilter2AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convFilter1AVX512 is convFilter8AVX512 for 1 output channel.
//
//go:noescape
func convFilter1AVX512(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf, nm int, acc *float64, lda int)

// convPadAVX512 copies, for the c channels ch and h rows i of src (rows of
// 8*nv + popcount(mask) elements, one after another), row (ch, i) to
// dst[ch*plane + i*wp:], nv vectors of 8 elements and then the lanes in
// mask of one more (mask 0: none).
//
//go:noescape
func convPadAVX512(dst *float64, src *float64, c int, h int, nv int, mask int, wp int, plane int)
