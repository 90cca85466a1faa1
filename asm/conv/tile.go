package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The tile kernel's register blocking: up to tileRows output channels by
// tileVecs ymm vectors (4*tileVecs consecutive output pixels), 12
// accumulators in Y0-Y11, the broadcast weights in Y12-Y14 and the input
// vector in Y15.
const (
	tileRows = 3
	tileVecs = 4
)

// convTile emits convTile<mr>x16, the implicit-GEMM kernel of the forward
// and data-gradient convolutions. For each of nb blocks of mr output
// channels it computes, for the 16 output pixels p = 0..15 of one tile,
//
//	out[r*ldo + p] = bias[r] + sum over k < kk of a[k*mr + r] * b[tab[k]/8 + p]
//
// where a is the block's packed weight panel (kk x mr), tab holds the byte
// offset of each reduction index (channel, kernel row, kernel column) in
// the zero-padded input, and b points at the tile's first input pixel. The
// blocks' panels, biases and output rows follow one another: block j uses
// a + j*kk*mr, bias + j*mr and out + j*mr*ldo.
//
// With row3 set it emits convTile<mr>x16r3, the same computation for kernels
// three taps wide: the reduction indices come in groups of three taps of one
// kernel row, whose input offsets are tab[k] + 8q for q = 0, 1, 2, so the
// kernel reads one offset per group (tab[3g] for the ng = kk/3 groups g) and
// steps through the group with constant displacements.
func convTile(c *build.Context, mr int, row3 bool) {
	name := fmt.Sprintf("convTile%dx16", mr)
	group := 1
	if row3 {
		name += "r3"
		group = 3
	}
	c.Function(name)
	c.Attributes(build.NOSPLIT)
	count := "kk"
	if row3 {
		count = "ng"
	}
	c.SignatureExpr("func(a *float64, tab *int, " + count + " int, b *float64, out *float64, ldo int, bias *float64, nb int)")
	c.Doc(name + " computes nb blocks of " + fmt.Sprint(mr) + " output channels of one 16-pixel tile of an implicit-GEMM convolution.")

	pa := c.Load(c.Param("a"), c.GP64())
	pb := c.Load(c.Param("b"), c.GP64())
	po := c.Load(c.Param("out"), c.GP64())
	ldo := c.Load(c.Param("ldo"), c.GP64())
	c.SHLQ(U8(3), ldo)
	pbias := c.Load(c.Param("bias"), c.GP64())
	nb := c.Load(c.Param("nb"), c.GP64())

	acc := func(r, v int) VecPhysical {
		return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[r*tileVecs+v]
	}
	bc := []VecPhysical{Y12, Y13, Y14}
	in := Y15
	row := func(r, disp int) Mem {
		if r == 0 {
			return Mem{Base: po, Disp: disp}
		}
		return Mem{Base: po, Index: ldo, Scale: uint8(r), Disp: disp}
	}

	pt, n, off := c.GP64(), c.GP64(), c.GP64()
	c.Label(name + "_block")
	for r := 0; r < mr; r++ {
		c.VBROADCASTSD(Mem{Base: pbias, Disp: 8 * r}, acc(r, 0))
		for v := 1; v < tileVecs; v++ {
			c.VMOVAPD(acc(r, 0), acc(r, v))
		}
	}
	c.Load(c.Param("tab"), pt)
	c.Load(c.Param(count), n)
	c.TESTQ(n, n)
	c.JZ(LabelRef(name + "_store"))

	c.Label(name + "_k")
	c.MOVQ(Mem{Base: pt}, off)
	for q := 0; q < group; q++ {
		for r := 0; r < mr; r++ {
			c.VBROADCASTSD(Mem{Base: pa, Disp: 8 * (q*mr + r)}, bc[r])
		}
		for v := 0; v < tileVecs; v++ {
			c.VMOVUPD(Mem{Base: pb, Index: off, Scale: 1, Disp: 32*v + 8*q}, in)
			for r := 0; r < mr; r++ {
				c.VFMADD231PD(in, bc[r], acc(r, v))
			}
		}
	}
	c.ADDQ(U8(8*mr*group), pa)
	c.ADDQ(U8(8*group), pt)
	c.DECQ(n)
	c.JNZ(LabelRef(name + "_k"))

	c.Label(name + "_store")
	for r := 0; r < mr; r++ {
		for v := 0; v < tileVecs; v++ {
			c.VMOVUPD(acc(r, v), row(r, 32*v))
		}
	}
	for r := 0; r < mr; r++ {
		c.ADDQ(ldo, po)
	}
	c.ADDQ(U8(8*mr), pbias)
	c.DECQ(nb)
	c.JNZ(LabelRef(name + "_block"))
	c.VZEROUPPER()
	c.RET()
}
