package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The AVX-512 kernels read the image through a table of vectors rather
// than a fixed run of pixels: each zmm vector is 8 output pixels of one
// image row, and a tile is tableVecs vectors anywhere in the image (for a
// 16-wide image, two rows of two vectors). The table holds, per tile, the
// byte offsets of its vectors in the padded input, then their byte offsets
// in the output, then their lane masks (lanes past the row's end are off; a
// vector with mask 0 pads the last tile and is never stored).
const (
	tableVecs  = 4              // vectors per tile
	tableEntry = 3 * tableVecs  // ints per tile in the table
	tableIn    = 0              // byte displacement of the input offsets in an entry
	tableOut   = 8 * tableVecs  // of the output offsets
	tableMask  = 16 * tableVecs // of the masks
)

// The AVX-512 tile kernel's register blocking: up to tile512Rows output
// channels by tableVecs vectors, 24 accumulators in Z0-Z23, the tile's
// input vectors in Z24-Z27 and the broadcast weights in Z28-Z29.
const tile512Rows = 6

// zmm returns the zmm register Z<i>.
func zmm(i int) VecPhysical {
	return []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}[i]
}

// ymm returns Y<i>, the lower half of zmm(i).
func ymm(i int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15,
		Y16, Y17, Y18, Y19, Y20, Y21, Y22, Y23, Y24, Y25, Y26, Y27, Y28, Y29, Y30, Y31}[i]
}

// mask returns the opmask register of vector v of a tile (K1-K4).
func mask(v int) OpmaskPhysical { return []OpmaskPhysical{K1, K2, K3, K4}[v] }

// convTileAVX512 emits convTile<mr>AVX512, the implicit-GEMM kernel of the
// forward and data-gradient convolutions on AVX-512. For each of the nf+nm
// tiles of the vector table vec, for the mr output channels r of one block
// and the lanes l of the tile's vectors v,
//
//	out[outOff(v)/8 + r*ldo + l] = bias[r] + sum over k < kk of
//	    a[k*mr + r] * b[inOff(v)/8 + tab[k]/8 + l]
//
// stored for the lanes in mask(v) only, where a is the block's packed
// weight panel (kk x mr) and tab holds the byte offset of each reduction
// index (channel, kernel row, kernel column) in the zero-padded input. The
// first nf tiles must have all lanes of their vectors on: the kernel
// stores them without masks, which Zen 4 does faster.
//
// With row3 set it emits convTile<mr>r3AVX512, the same computation for
// kernels three taps wide: the kernel reads one offset per kernel row
// (tab[3g] for the ng = kk/3 groups g) and steps through its three taps
// with constant displacements.
func convTileAVX512(mr int, row3 bool) {
	name := fmt.Sprintf("convTile%d", mr)
	group, count := 1, "kk"
	if row3 {
		name += "r3"
		group, count = 3, "ng"
	}
	name += "AVX512"
	TEXT(name, NOSPLIT, "func(a *float64, tab *int, "+count+" int, b *float64, vec *int, nf int, nm int, out *float64, ldo int, bias *float64)")
	Doc(name + " computes " + fmt.Sprint(mr) + " output channels of nf+nm tiles of an implicit-GEMM convolution.")

	acc := func(r, v int) VecPhysical { return zmm(r*tableVecs + v) }
	in := func(v int) VecPhysical { return zmm(24 + v) }
	bc := func(r int) VecPhysical { return zmm(28 + r%2) }

	pb := Load(Param("b"), GP64())
	pvec := Load(Param("vec"), GP64())
	nf := Load(Param("nf"), GP64())
	nt := Load(Param("nm"), GP64())
	ADDQ(nf, nt)
	var pv [tableVecs]Register
	for v := range pv {
		pv[v] = GP64()
	}
	pa, pt, n, off := GP64(), GP64(), GP64(), GP64()

	Label(name + "_tile")
	for v := range pv {
		MOVQ(Mem{Base: pvec, Disp: tableIn + 8*v}, pv[v])
		ADDQ(pb, pv[v])
	}
	// Ask for the tile's output lines now, so that the stores at its end
	// find them in the cache.
	Load(Param("ldo"), n)
	SHLQ(U8(3), n)
	for v := range pv {
		Load(Param("out"), off)
		ADDQ(Mem{Base: pvec, Disp: tableOut + 8*v}, off)
		for r := 0; r < mr; r++ {
			if r > 0 {
				ADDQ(n, off)
			}
			PREFETCHT0(Mem{Base: off})
		}
	}
	Load(Param("bias"), pa)
	for r := 0; r < mr; r++ {
		VBROADCASTSD(Mem{Base: pa, Disp: 8 * r}, acc(r, 0))
		for v := 1; v < tableVecs; v++ {
			VMOVAPD(acc(r, 0), acc(r, v))
		}
	}
	Load(Param("a"), pa)
	Load(Param("tab"), pt)
	Load(Param(count), n)
	TESTQ(n, n)
	JZ(LabelRef(name + "_store"))

	Label(name + "_k")
	MOVQ(Mem{Base: pt}, off)
	for q := 0; q < group; q++ {
		for v := range pv {
			VMOVUPD(Mem{Base: pv[v], Index: off, Scale: 1, Disp: 8 * q}, in(v))
		}
		for r := 0; r < mr; r++ {
			VBROADCASTSD(Mem{Base: pa, Disp: 8 * (q*mr + r)}, bc(r))
			for v := range pv {
				VFMADD231PD(in(v), bc(r), acc(r, v))
			}
		}
	}
	ADDQ(U32(8*mr*group), pa)
	ADDQ(U8(8*group), pt)
	DECQ(n)
	JNZ(LabelRef(name + "_k"))

	// Store the tile: vector v's channel rows at out + outOff(v) + r*ldo,
	// without masks while nf counts full tiles down, then the lanes of
	// mask(v) only. n and off are free now.
	Label(name + "_store")
	Load(Param("ldo"), n)
	SHLQ(U8(3), n)
	store := func(masked bool) {
		for v := range pv {
			if masked {
				KMOVB(Mem{Base: pvec, Disp: tableMask + 8*v}, mask(v))
			}
			Load(Param("out"), off)
			ADDQ(Mem{Base: pvec, Disp: tableOut + 8*v}, off)
			for r := 0; r < mr; r++ {
				if r > 0 {
					ADDQ(n, off)
				}
				if masked {
					VMOVUPD(acc(r, v), mask(v), Mem{Base: off})
				} else {
					VMOVUPD(acc(r, v), Mem{Base: off})
				}
			}
		}
	}
	TESTQ(nf, nf)
	JZ(LabelRef(name + "_masked"))
	DECQ(nf)
	store(false)
	JMP(LabelRef(name + "_next"))
	Label(name + "_masked")
	store(true)
	Label(name + "_next")
	ADDQ(U8(8*tableEntry), pvec)
	DECQ(nt)
	JNZ(LabelRef(name + "_tile"))
	VZEROUPPER()
	RET()
}

// The AVX-512 weight-gradient kernel's register blocking: up to
// filter512Rows output channels by the three reduction indices of a block,
// each accumulator a zmm vector of eight partial sums over pixels (Z0-Z23),
// the input vectors in Z24-Z26 and the output-gradient vector in Z27.
const filter512Rows = 8

// convFilterAVX512 emits convFilter<mr>AVX512, the weight-gradient kernel
// on AVX-512. For each of nkb blocks of three reduction indices (byte
// offsets tab[3j], tab[3j+1], tab[3j+2] into the zero-padded input x) it
// adds, for the mr output channels r and lanes l < 4,
//
//	acc[r*lda + 12j + 4kk + l] += sum over the vectors v of the nf+nm tiles of vec and h = 0, 4 of
//	    dy[outOff(v)/8 + r*ldd + h + l] * x[inOff(v)/8 + tab[3j+kk]/8 + h + l]
//
// (the eight lanes of the zmm sums folded onto four as the block ends, so
// that the partial sums kept between calls take half the memory).
// The first nf tiles must have every lane of every vector on: the kernel
// loads them without masks, which Zen 4 does faster. In the nm tiles after
// them it takes both factors as 0 in the lanes outside mask(v), so that
// lanes past a row's end contribute exact zeros whatever x and dy hold
// there.
func convFilterAVX512(mr int) {
	name := fmt.Sprintf("convFilter%dAVX512", mr)
	TEXT(name, NOSPLIT, "func(x *float64, tab *int, nkb int, dy *float64, ldd int, vec *int, nf int, nm int, acc *float64, lda int)")
	Doc(name + " accumulates the weight gradient of " + fmt.Sprint(mr) + " output channels for nkb blocks of 3 reduction indices.")

	const cols = 3
	acc := func(r, k int) VecPhysical { return zmm(r*cols + k) }
	xv := func(k int) VecPhysical { return zmm(24 + k) }
	g := Z27

	pt := Load(Param("tab"), GP64())
	nb := Load(Param("nkb"), GP64())
	pacc := Load(Param("acc"), GP64())
	ldd := Load(Param("ldd"), GP64())
	SHLQ(U8(3), ldd)
	ldd3 := GP64()
	LEAQ(Mem{Base: ldd, Index: ldd, Scale: 2}, ldd3)
	xp := []Register{GP64(), GP64(), GP64()}
	pvec, n, vin, p, p4 := GP64(), GP64(), GP64(), GP64(), GP64()

	// dyRow addresses channel r of the output-gradient vector at p (and
	// p4 = p + 4*ldd).
	dyRow := func(r int) Mem {
		base, r4 := p, r
		if r >= 4 {
			base, r4 = p4, r-4
		}
		switch r4 {
		case 0:
			return Mem{Base: base}
		case 3:
			return Mem{Base: base, Index: ldd3, Scale: 1}
		}
		return Mem{Base: base, Index: ldd, Scale: uint8(r4)}
	}
	// tiles emits the loop over n tiles from pvec, loading with masks or
	// without.
	tiles := func(label string, masked bool) {
		load := func(m Mem, v int, dst VecPhysical) {
			if masked {
				VMOVUPD_Z(m, mask(v), dst)
			} else {
				VMOVUPD(m, dst)
			}
		}
		TESTQ(n, n)
		JZ(LabelRef(label + "_done"))
		Label(label)
		for v := 0; v < tableVecs; v++ {
			if masked {
				KMOVB(Mem{Base: pvec, Disp: tableMask + 8*v}, mask(v))
			}
			MOVQ(Mem{Base: pvec, Disp: tableIn + 8*v}, vin)
			for k := 0; k < cols; k++ {
				load(Mem{Base: xp[k], Index: vin, Scale: 1}, v, xv(k))
			}
			Load(Param("dy"), p)
			ADDQ(Mem{Base: pvec, Disp: tableOut + 8*v}, p)
			if mr > 4 {
				LEAQ(Mem{Base: p, Index: ldd, Scale: 4}, p4)
			}
			for r := 0; r < mr; r++ {
				load(dyRow(r), v, g)
				for k := 0; k < cols; k++ {
					VFMADD231PD(xv(k), g, acc(r, k))
				}
			}
		}
		ADDQ(U8(8*tableEntry), pvec)
		DECQ(n)
		JNZ(LabelRef(label))
		Label(label + "_done")
	}

	Label(name + "_block")
	for k := 0; k < cols; k++ {
		Load(Param("x"), xp[k])
		ADDQ(Mem{Base: pt, Disp: 8 * k}, xp[k])
	}
	for r := 0; r < mr; r++ {
		for k := 0; k < cols; k++ {
			VXORPD(acc(r, k), acc(r, k), acc(r, k))
		}
	}
	Load(Param("vec"), pvec)
	Load(Param("nf"), n)
	tiles(name+"_full", false)
	Load(Param("nm"), n)
	tiles(name+"_masked", true)

	// Fold each accumulator's upper four lanes onto its lower four and add
	// them to acc: row r at pacc + r*lda. vin and p are free now, and so
	// are Z24-Z27.
	Load(Param("lda"), vin)
	SHLQ(U8(3), vin)
	MOVQ(pacc, p)
	for r := 0; r < mr; r++ {
		if r > 0 {
			ADDQ(vin, p)
		}
		for k := 0; k < cols; k++ {
			i, t := r*cols+k, ymm(24+(r*cols+k)%4)
			m := Mem{Base: p, Disp: 32 * k}
			VEXTRACTF64X4(U8(1), zmm(i), t)
			VADDPD(t, ymm(i), ymm(i))
			VADDPD(m, ymm(i), ymm(i))
			VMOVUPD(ymm(i), m)
		}
	}
	ADDQ(U8(32*cols), pacc)
	ADDQ(U8(8*cols), pt)
	DECQ(nb)
	JNZ(LabelRef(name + "_block"))
	VZEROUPPER()
	RET()
}

// convPadAVX512 emits convPadAVX512, the copy of an image into the
// interiors of the planes of the padded layout: for the c channels ch and
// h rows i of src (rows of w elements, one after another), it copies the
// row to dst + (ch*plane + i*wp)*8 bytes, nv vectors of 8 elements and a
// last vector of the lanes in mask (0 for none).
func convPadAVX512() {
	const name = "convPadAVX512"
	TEXT(name, NOSPLIT, "func(dst *float64, src *float64, c int, h int, nv int, mask int, wp int, plane int)")
	Doc(name + " copies c channels of h rows of an image into the interiors of the padded layout's planes.")

	pd := Load(Param("dst"), GP64())
	ps := Load(Param("src"), GP64())
	nc := Load(Param("c"), GP64())
	wp := Load(Param("wp"), GP64())
	SHLQ(U8(3), wp)
	plane := Load(Param("plane"), GP64())
	SHLQ(U8(3), plane)
	m := GP64()
	Load(Param("mask"), m)
	KMOVB(m.As32(), K1)
	ni, nv, pr, pc := GP64(), GP64(), GP64(), GP64()

	TESTQ(nc, nc)
	JZ(LabelRef(name + "_done"))
	Label(name + "_channel")
	MOVQ(pd, pc)
	Load(Param("h"), ni)
	TESTQ(ni, ni)
	JZ(LabelRef(name + "_next"))
	Label(name + "_row")
	MOVQ(pc, pr)
	Load(Param("nv"), nv)
	TESTQ(nv, nv)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_vec")
	VMOVUPD(Mem{Base: ps}, Z0)
	VMOVUPD(Z0, Mem{Base: pr})
	ADDQ(U8(64), ps)
	ADDQ(U8(64), pr)
	DECQ(nv)
	JNZ(LabelRef(name + "_vec"))
	Label(name + "_tail")
	TESTQ(m, m)
	JZ(LabelRef(name + "_rowend"))
	VMOVUPD_Z(Mem{Base: ps}, K1, Z0)
	VMOVUPD(Z0, K1, Mem{Base: pr})
	POPCNTQ(m, nv)
	LEAQ(Mem{Base: ps, Index: nv, Scale: 8}, ps)
	Label(name + "_rowend")
	ADDQ(wp, pc)
	DECQ(ni)
	JNZ(LabelRef(name + "_row"))
	Label(name + "_next")
	ADDQ(plane, pd)
	DECQ(nc)
	JNZ(LabelRef(name + "_channel"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
