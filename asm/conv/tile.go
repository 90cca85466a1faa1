package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
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
func convTile(mr int, row3 bool) {
	name := fmt.Sprintf("convTile%dx16", mr)
	group := 1
	if row3 {
		name += "r3"
		group = 3
	}
	count := "kk"
	if row3 {
		count = "ng"
	}
	TEXT(name, NOSPLIT, "func(a *float64, tab *int, "+count+" int, b *float64, out *float64, ldo int, bias *float64, nb int)")
	Doc(name + " computes nb blocks of " + fmt.Sprint(mr) + " output channels of one 16-pixel tile of an implicit-GEMM convolution.")

	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	po := Load(Param("out"), GP64())
	ldo := Load(Param("ldo"), GP64())
	SHLQ(U8(3), ldo)
	pbias := Load(Param("bias"), GP64())
	nb := Load(Param("nb"), GP64())

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

	pt, n, off := GP64(), GP64(), GP64()
	Label(name + "_block")
	for r := 0; r < mr; r++ {
		VBROADCASTSD(Mem{Base: pbias, Disp: 8 * r}, acc(r, 0))
		for v := 1; v < tileVecs; v++ {
			VMOVAPD(acc(r, 0), acc(r, v))
		}
	}
	Load(Param("tab"), pt)
	Load(Param(count), n)
	TESTQ(n, n)
	JZ(LabelRef(name + "_store"))

	Label(name + "_k")
	MOVQ(Mem{Base: pt}, off)
	for q := 0; q < group; q++ {
		for r := 0; r < mr; r++ {
			VBROADCASTSD(Mem{Base: pa, Disp: 8 * (q*mr + r)}, bc[r])
		}
		for v := 0; v < tileVecs; v++ {
			VMOVUPD(Mem{Base: pb, Index: off, Scale: 1, Disp: 32*v + 8*q}, in)
			for r := 0; r < mr; r++ {
				VFMADD231PD(in, bc[r], acc(r, v))
			}
		}
	}
	ADDQ(U8(8*mr*group), pa)
	ADDQ(U8(8*group), pt)
	DECQ(n)
	JNZ(LabelRef(name + "_k"))

	Label(name + "_store")
	for r := 0; r < mr; r++ {
		for v := 0; v < tileVecs; v++ {
			VMOVUPD(acc(r, v), row(r, 32*v))
		}
	}
	for r := 0; r < mr; r++ {
		ADDQ(ldo, po)
	}
	ADDQ(U8(8*mr), pbias)
	DECQ(nb)
	JNZ(LabelRef(name + "_block"))
	VZEROUPPER()
	RET()
}
