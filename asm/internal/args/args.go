// Package args loads the Go arguments of the function being generated: the
// base address and length of a slice, an integer, an integer stride turned
// into bytes, each into a new general-purpose register, and gives the
// memory operands of float64 arguments and results, so that they can be
// moved with VEX-encoded instructions (VMOVSD, VBROADCASTSD). avo's Load
// and Store emit legacy-SSE MOVSD for them, which, executed while the upper
// halves of the YMM registers are dirty, costs an AVX-SSE transition or a
// false dependency on every execution.
//
// A kernel's prologue loads its arguments in the order of its signature,
// a few to a line:
//
//	x, out, rows, cols := args.Base("x"), args.Base("out"), args.Len("out"), args.Int("cols")
package args

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Base loads the address of the first element of the slice argument name.
func Base(name string) reg.Register {
	return build.Load(build.Param(name).Base(), build.GP64())
}

// Len loads the length of the slice argument name.
func Len(name string) reg.Register {
	return build.Load(build.Param(name).Len(), build.GP64())
}

// Int loads the integer argument name.
func Int(name string) reg.Register {
	return build.Load(build.Param(name), build.GP64())
}

// Stride loads the integer argument name, a count of float64 elements (a
// leading dimension), as a count of bytes.
func Stride(name string) reg.Register {
	r := Int(name)
	build.SHLQ(operand.U8(3), r)
	return r
}

// Addr returns the memory operand of the argument or result component c.
func Addr(c gotypes.Component) operand.Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
