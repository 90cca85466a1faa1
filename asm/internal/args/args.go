// Package args gives the generators the memory operands of their Go
// arguments and results, so that float64 arguments can be moved with
// VEX-encoded instructions (VMOVSD, VBROADCASTSD). avo's Load and Store
// emit legacy-SSE MOVSD for them, which, executed while the upper halves
// of the YMM registers are dirty, costs an AVX-SSE transition or a false
// dependency on every execution.
package args

import (
	"github.com/mmcloughlin/avo/gotypes"
	"github.com/mmcloughlin/avo/operand"
)

// Addr returns the memory operand of the argument or result component c.
func Addr(c gotypes.Component) operand.Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
