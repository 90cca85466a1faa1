package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Points2 moves eight consecutive points in two dimensions (two zmm of
// memory, x0 y0 x1 y1 ...) into two registers of their coordinates with
// the points in the lanes in their natural order, and back, by VPERMT2PD
// with index vectors held in registers.
type Points2 struct {
	even, odd, lo, hi reg.VecVirtual
}

// NewPoints2 loads the index vectors that separate the coordinates and, if
// store, those that interleave them back; kernels call it once, before
// their loops.
func NewPoints2(store bool) Points2 {
	load := func(name string, v []uint64) reg.VecVirtual {
		r := ZMM()
		VMOVUPD(IndexTable(name, v), r)
		return r
	}
	p := Points2{
		even: load("pevens", []uint64{0, 2, 4, 6, 8, 10, 12, 14}),
		odd:  load("podds", []uint64{1, 3, 5, 7, 9, 11, 13, 15}),
	}
	if store {
		p.lo = load("pinterlo", []uint64{0, 8, 1, 9, 2, 10, 3, 11})
		p.hi = load("pinterhi", []uint64{4, 12, 5, 13, 6, 14, 7, 15})
	}
	return p
}

// PointMasks are the opmasks of a block of r < 8 points: of the first and
// second zmm of their coordinates (2r float64) and of one value per point.
type PointMasks struct {
	Lo, Hi, One reg.OpmaskVirtual
}

// NewPointMasks returns the masks of the block of r points, for a register
// r holding 1..7.
func NewPointMasks(r reg.Register) PointMasks {
	c := GP64()
	LEAQ(Mem{Base: r, Index: r, Scale: 1}, c) // 2r
	m := PointMasks{One: TailK(r), Lo: TailK(c)}
	SUBQ(Imm(8), c)
	m.Hi = TailK(c)
	return m
}

// PointBlocks emits a kernel's loop over the n points (a register, counted
// down to zero) eight to a zmm register: if pairs, blocks of sixteen points
// (two zmm per quantity, interleaving their chains) while there are as many,
// then one block of eight; else blocks of eight while there are as many;
// then the last one to seven points under opmasks. block(g, masks) emits
// the work on g zmm of points at the kernel's pointers (masks nil but for
// the last points) and advance(p) moves the pointers past p points. The
// labels are new ones named after prefix.
func PointBlocks(prefix string, n reg.Register, pairs bool, block func(g int, masks *PointMasks), advance func(points int)) {
	pair, one, tail, done := NewLabel(prefix+"pair"), NewLabel(prefix+"one"), NewLabel(prefix+"tail"), NewLabel(prefix+"done")
	// whole emits blocks of g zmm while 8g points are left.
	whole := func(at, next string, g int, loop bool) {
		Stage(at, next, n, 8*g, loop, func() {
			block(g, nil)
			advance(8 * g)
			SUBQ(Imm(uint64(8*g)), n)
		})
	}
	if pairs {
		whole(pair, one, 2, true)
	}
	whole(one, tail, 1, !pairs)
	Label(tail)
	TESTQ(n, n)
	JZ(LabelRef(done))
	masks := NewPointMasks(n)
	block(1, &masks)
	Label(done)
}

// StoreValues stores v, holding one value for each of eight points, at m
// (the first r under masks).
func StoreValues(v reg.VecVirtual, m Mem, masks *PointMasks) {
	if masks != nil {
		VMOVUPD(v, masks.One, m)
		return
	}
	VMOVUPD(v, m)
}

// Load returns the coordinates of the eight points at m (or of the first r
// under masks, the others zero) as two registers.
func (p Points2) Load(m Mem, masks *PointMasks) (a, b reg.VecVirtual) {
	a, b = ZMM(), ZMM()
	if masks != nil {
		hi := ZMM()
		VMOVUPD_Z(m, masks.Lo, a)
		VMOVUPD_Z(m.Offset(64), masks.Hi, hi)
		VMOVAPD(a, b)
		VPERMT2PD(hi, p.even, a)
		VPERMT2PD(hi, p.odd, b)
		return a, b
	}
	VMOVUPD(m, a)
	VMOVUPD(m, b)
	VPERMT2PD(m.Offset(64), p.even, a)
	VPERMT2PD(m.Offset(64), p.odd, b)
	return a, b
}

// Store interleaves the coordinates a and b of eight points and stores
// them at m (the first r under masks).
func (p Points2) Store(a, b reg.VecVirtual, m Mem, masks *PointMasks) {
	lo, hi := ZMM(), ZMM()
	VMOVAPD(a, lo)
	VMOVAPD(a, hi)
	VPERMT2PD(b, p.lo, lo)
	VPERMT2PD(b, p.hi, hi)
	if masks != nil {
		VMOVUPD(lo, masks.Lo, m)
		VMOVUPD(hi, masks.Hi, m.Offset(64))
		return
	}
	VMOVUPD(lo, m)
	VMOVUPD(hi, m.Offset(64))
}
