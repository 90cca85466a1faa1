package vmath

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The AVX-512 functions of this package work on groups of zmm registers,
// eight float64 lanes each. They take their constants as embedded broadcasts
// of the 8-byte patterns of Const (the _BCST instruction forms), or load
// them into a register where an instruction has no memory form, and look up
// 16-entry tables held in read-only data with VPERMT2PD, so that the
// elementary functions need no registers set up before a kernel's loop.

// Group is a set of zmm registers that an AVX-512 function processes
// together: it emits each step for every member before the next step, so
// that the members' chains of dependent instructions interleave and hide
// one another's latency.
type Group []reg.VecVirtual

// NewGroup returns a group of n new zmm registers.
func NewGroup(n int) Group {
	g := make(Group, n)
	for i := range g {
		g[i] = ZMM()
	}
	return g
}

// Each emits f(i) for every member i of g, in order.
func (g Group) Each(f func(i int)) {
	for i := range g {
		f(i)
	}
}

// SplatZ returns a group of n registers holding v in every lane.
func SplatZ(n int, v float64) Group {
	g := NewGroup(n)
	g.Each(func(i int) { VBROADCASTSD(Const(v), g[i]) })
	return g
}

// ZeroZ returns a group of n registers holding zero in every lane.
func ZeroZ(n int) Group {
	g := NewGroup(n)
	g.Each(func(i int) { VXORPD(g[i], g[i], g[i]) })
	return g
}

// table16 returns a 128-byte read-only table of the 16 values v, for
// lookup16.
func table16(name string, v []float64) Mem {
	if len(v) != 16 {
		panic(fmt.Sprintf("vmath.table16 %s: %d values, want 16", name, len(v)))
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i, x := range v {
		DATA(8*i, U64(math.Float64bits(x)))
	}
	return m
}

// lookup16 returns the entries of the 16-entry table tbl selected by the
// low four bits of each lane of idx (read as an integer): the table's first
// half is loaded and VPERMT2PD picks from it and from the second half in
// memory. idx is unchanged.
func lookup16(tbl Mem, idx Group) Group {
	out := NewGroup(len(idx))
	out.Each(func(i int) { VMOVUPD(tbl, out[i]) })
	out.Each(func(i int) { VPERMT2PD(tbl.Offset(64), idx[i], out[i]) })
	return out
}

// TailK returns an opmask of the first rem lanes, for a register rem
// holding an integer: the lanes whose index (0..7) is below rem, none when
// rem <= 0 and all when rem >= 8.
func TailK(rem reg.Register) reg.OpmaskVirtual {
	iota8 := IndexTable("iota8", []uint64{0, 1, 2, 3, 4, 5, 6, 7})
	b := ZMM()
	VPBROADCASTQ(rem, b)
	k := K()
	VPCMPQ(U8(6), iota8, b, k) // rem > lane index (signed)
	return k
}

var indexTables = map[string]Mem{}

// IndexTable returns a 64-byte read-only vector of the eight integers v,
// for the index operands of VPERMPD and VPERMT2PD, emitting it under name
// on first use in the file.
func IndexTable(name string, v []uint64) Mem {
	if len(v) != 8 {
		panic(fmt.Sprintf("vmath.IndexTable %s: %d values, want 8", name, len(v)))
	}
	if m, ok := indexTables[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i, x := range v {
		DATA(8*i, U64(x))
	}
	indexTables[name] = m
	return m
}

// Fixup table responses of VFIXUPIMMPD, one nibble for each class of the
// value classified (fixQNaN ... fixPos).
const (
	fixSrc    = 0x1 // the classified value itself
	fixQNaNOf = 0x2 // the classified value, quieted if a NaN
	fixNaN    = 0x3 // the default NaN
	fixNegInf = 0x4
	fixPosInf = 0x5
)

// Classes of VFIXUPIMMPD: the nibble of the table that applies to a value.
const (
	fixQNaN = iota
	fixSNaN
	fixZero
	fixPosOne
	fixNegInfClass
	fixPosInfClass
	fixNeg
	fixPos
)

// fixTable builds a VFIXUPIMMPD table from the responses to each class;
// the lanes of a class not in the map keep the destination (response 0).
func fixTable(resp map[int]uint32) uint64 {
	var t uint64
	for c, r := range resp {
		t |= uint64(r&0xf) << (4 * c)
	}
	return t
}

// fixup replaces, in each member of dst, the lanes where the corresponding
// lane of src falls in a class with a response in table (fixTable).
func fixup(dst, src Group, table uint64) {
	dst.Each(func(i int) { VFIXUPIMMPD_BCST(U8(0), ConstBits(table), src[i], dst[i]) })
}
