package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Stage emits one stage of a kernel's loop over a count n (a register):
// at label at, body while n holds at least k, or once at the most unless
// loop, then on to label next. body subtracts k from n.
func Stage(at, next string, n reg.Register, k int, loop bool, body func()) {
	Label(at)
	if k == 1 {
		TESTQ(n, n)
		JZ(LabelRef(next))
	} else {
		CMPQ(n, Imm(uint64(k)))
		JB(LabelRef(next))
	}
	body()
	if loop {
		JMP(LabelRef(at))
	}
}

// Bytes returns n, a number of bytes to add to a pointer, as an immediate:
// of 8 bits where it fits a sign-extended byte, else of 32.
func Bytes(n int) Constant {
	if n < 128 {
		return Imm(uint64(n))
	}
	return U32(n)
}
