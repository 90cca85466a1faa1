// Package vmath emits code for vectorised elementary functions (exp, expm1,
// log of 1+x, sigmoid, softplus, tanh and its derivative): in AVX2/FMA on
// four float64 lanes of a YMM register, and in AVX-512 on groups of ZMM
// registers of eight lanes (the functions whose names end in 512, see
// zmm.go). Around them are the pieces the kernel generators in this module
// share: broadcast constants, zeroed registers, comparisons, horizontal
// reductions, labels, the tail masks of the last one to three elements
// (AVX2) and the opmask of the last one to seven (AVX-512), and the
// skeletons of loops over a count (loop.go) and over points in two
// dimensions (points.go). Every function takes and returns avo virtual
// registers and emits into avo's global context; constants live in
// read-only data of the file being generated.
package vmath

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

var consts = map[uint64]Mem{}

// ConstBits returns a 32-byte read-only constant holding the 64-bit pattern
// b in each of the four lanes.
func ConstBits(b uint64) Mem {
	if m, ok := consts[b]; ok {
		return m
	}
	m := GLOBL(fmt.Sprintf("c%016x", b), RODATA|NOPTR)
	for i := 0; i < 4; i++ {
		DATA(8*i, U64(b))
	}
	consts[b] = m
	return m
}

// Const returns a 32-byte read-only constant holding v in each lane.
func Const(v float64) Mem { return ConstBits(math.Float64bits(v)) }

// Splat returns a new register holding v in each lane.
func Splat(v float64) reg.VecVirtual {
	r := YMM()
	VMOVUPD(Const(v), r)
	return r
}

// Zero returns a new register holding zero in each lane.
func Zero() reg.VecVirtual {
	r := YMM()
	VXORPD(r, r, r)
	return r
}

// Reduce combines the lanes of v, a ymm or a zmm register, with op (VADDPD
// or VMAXPD) into the low lane of an xmm register, folding the upper half
// of the lanes onto the lower half until one lane is left.
func Reduce(op func(...Op), v reg.VecVirtual) reg.VecVirtual {
	if v.Size() == 64 {
		y := YMM()
		VEXTRACTF64X4(U8(1), v, y)
		op(v.AsY(), y, y)
		v = y
	}
	x := XMM()
	VEXTRACTF128(U8(1), v, x)
	op(v.AsX(), x, x)
	t := XMM()
	VPERMILPD(U8(1), x, t)
	op(t, x, x)
	return x
}

var labels int

// NewLabel returns a label name not used before in the file.
func NewLabel(prefix string) string {
	labels++
	return fmt.Sprintf("%s_%d", prefix, labels)
}

// Comparison predicates for VCMPPD (ordered, quiet: false on NaN).
const (
	CmpEQ = 0x00
	CmpLT = 0x11
	CmpLE = 0x12
	CmpGT = 0x1e
	CmpGE = 0x1d
	// CmpUnord is true where either operand is NaN.
	CmpUnord = 0x03
)

// Cmp returns a lane mask of a OP b (all ones where true).
func Cmp(pred uint8, a reg.VecVirtual, b Op) reg.VecVirtual {
	m := YMM()
	VCMPPD(U8(pred), b, a, m)
	return m
}

// Bit patterns used by several functions.
const (
	SignBit  = 0x8000000000000000
	AbsMask  = 0x7fffffffffffffff
	Mantissa = 0x000fffffffffffff
)

// Magic is 1.5*2^52: adding it to a float64 of magnitude below 2^51 rounds
// that value to an integer j and leaves j (two's complement) in the low bits
// of the result.
const Magic = 0x1.8p52

// Abs returns |x|.
func Abs(x reg.VecVirtual) reg.VecVirtual {
	r := YMM()
	VANDPD(ConstBits(AbsMask), x, r)
	return r
}

// Horner evaluates c[0] + r*(c[1] + r*(c[2] + ...)) with fused multiply-adds.
func Horner(r reg.VecVirtual, c []float64) reg.VecVirtual {
	p := Splat(c[len(c)-1])
	for i := len(c) - 2; i >= 0; i-- {
		VFMADD213PD(Const(c[i]), r, p)
	}
	return p
}

// Pow2 returns 2^k for integer-valued lanes k in [-1022, 1023], built in the
// exponent bits.
func Pow2(k reg.VecVirtual) reg.VecVirtual {
	t := YMM()
	VADDPD(Const(Magic+1023), k, t)
	VPSLLQ(U8(52), t, t)
	return t
}

// AnyLane reports (as a general-purpose register holding the lane bits) the
// sign bits of mask m: nonzero when some lane of the comparison was true.
func AnyLane(m reg.VecVirtual) reg.GPVirtual {
	g := GP32()
	VMOVMSKPD(m, g)
	return g
}
