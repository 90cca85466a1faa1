package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// TailMasks emits the table of lane masks through which the last one to
// three elements of a slice are loaded and stored (VMASKMOVPD touches no
// memory in masked-off lanes): row r (32 bytes, r = 0..3) has all ones in
// its first r lanes and zeros in the others. A file emits it once, before
// its functions, and passes it to TailMask.
func TailMasks() Mem {
	m := GLOBL("tailmask", RODATA|NOPTR)
	for r := 0; r < 4; r++ {
		for l := 0; l < 4; l++ {
			var v uint64
			if l < r {
				v = ^uint64(0)
			}
			DATA(32*r+8*l, U64(v))
		}
	}
	return m
}

// TailMask returns the mask of the first r lanes from table, for a register
// r holding 0..3, which it scales in place to the row's byte offset.
func TailMask(table Mem, r reg.Register) reg.VecVirtual {
	SHLQ(Imm(5), r)
	tbl := GP64()
	LEAQ(table, tbl)
	m := YMM()
	VMOVUPD(Mem{Base: tbl, Index: r, Scale: 1}, m)
	return m
}
