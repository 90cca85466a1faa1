package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The weight-gradient kernel's register blocking: filterRows output
// channels by filterCols reduction indices, each accumulator a ymm vector
// of four partial sums over pixels (Y0-Y11), the input vectors in Y12-Y14
// and the output-gradient vector in Y15.
const (
	filterRows = 4
	filterCols = 3
)

// convFilter emits convFilter4x3, the kernel of the weight gradient. For
// each of nkb blocks of three reduction indices k (byte offsets tab[3j],
// tab[3j+1], tab[3j+2] into the zero-padded input x) it adds, for the four
// output channels r = 0..3 and lanes l = 0..3,
//
//	acc[r*lda + 12j + 4kk + l] += sum over i < rows, v < nv of
//	    dy[r*ldd + (i*nv + v)*4 + l] * x[tab[3j+kk]/8 + i*(4*nv + xskip/8) + 4v + l]
//
// so that summing the four lanes gives the dot product of the output
// gradient rows with the shifted input. xskip is the byte distance from the
// end of one row of pixels to the start of the next in x. The input vectors
// of the last step of every row are ANDed with the four-lane bit mask at
// mask, so that lanes past the image's right edge (where dy holds zeros)
// contribute exact zeros even when x holds infinities or NaNs there.
func convFilter() {
	const name = "convFilter4x3"
	TEXT(name, NOSPLIT, "func(x *float64, tab *int, nkb int, dy *float64, ldd int, rows int, nv int, xskip int, mask *float64, acc *float64, lda int)")
	Doc(name + " accumulates the weight gradient of 4 output channels for nkb blocks of 3 reduction indices.")

	f := newFilterRegs()
	xv := []VecPhysical{Y12, Y13, Y14}
	g := Y15
	pd, i, v, t := GP64(), GP64(), GP64(), GP64()

	f.blockStart(name, pd, i)

	step := func(masked bool) {
		for k := 0; k < filterCols; k++ {
			VMOVUPD(Mem{Base: f.xp[k]}, xv[k])
			if masked {
				VANDPD(Mem{Base: t}, xv[k], xv[k])
			}
		}
		for r := 0; r < filterRows; r++ {
			VMOVUPD(f.dyRow(pd, r, 0), g)
			for k := 0; k < filterCols; k++ {
				VFMADD231PD(xv[k], g, filterAcc(r, k))
			}
		}
		for k := 0; k < filterCols; k++ {
			ADDQ(U8(32), f.xp[k])
		}
		ADDQ(U8(32), pd)
	}

	Label(name + "_row")
	Load(Param("nv"), v)
	DECQ(v)
	JZ(LabelRef(name + "_last"))
	Label(name + "_vec")
	step(false)
	DECQ(v)
	JNZ(LabelRef(name + "_vec"))
	Label(name + "_last")
	Load(Param("mask"), t)
	step(true)
	Load(Param("xskip"), t)
	for k := 0; k < filterCols; k++ {
		ADDQ(t, f.xp[k])
	}
	DECQ(i)
	JNZ(LabelRef(name + "_row"))

	f.blockEnd(name, t)
}

// filter16Vecs is the number of ymm vectors in a row of the 16-wide images
// convFilter16 handles.
const filter16Vecs = 4

// convFilter16 emits convFilter4x3w16, convFilter4x3 for images 16 pixels
// wide (nv = 4, no lanes past the right edge, so no mask): each row's four
// vector steps are unrolled with constant displacements, and one index
// register walks the input rows for all three reduction indices, so that
// the loop spends its issue slots on loads and FMAs. For nkb blocks of three
// reduction indices it adds
//
//	acc[r*lda + 12j + 4kk + l] += sum over i < rows, v < 4 of
//	    dy[r*ldd + (i*4 + v)*4 + l] * x[tab[3j+kk]/8 + i*xrow/8 + 4v + l]
//
// where xrow is the byte distance between rows of x.
func convFilter16() {
	const name = "convFilter4x3w16"
	TEXT(name, NOSPLIT, "func(x *float64, tab *int, nkb int, dy *float64, ldd int, rows int, xrow int, acc *float64, lda int)")
	Doc(name + " accumulates the weight gradient of 4 output channels of 16-wide images for nkb blocks of 3 reduction indices.")

	f := newFilterRegs()
	xv := []VecPhysical{Y12, Y13, Y14}
	g := Y15
	pd, i, ix, t := GP64(), GP64(), GP64(), GP64()

	f.blockStart(name, pd, i)
	XORQ(ix, ix)

	Label(name + "_row")
	for v := 0; v < filter16Vecs; v++ {
		for k := 0; k < filterCols; k++ {
			VMOVUPD(Mem{Base: f.xp[k], Index: ix, Scale: 1, Disp: 32 * v}, xv[k])
		}
		for r := 0; r < filterRows; r++ {
			VMOVUPD(f.dyRow(pd, r, 32*v), g)
			for k := 0; k < filterCols; k++ {
				VFMADD231PD(xv[k], g, filterAcc(r, k))
			}
		}
	}
	ADDQ(U8(32*filter16Vecs), pd)
	Load(Param("xrow"), t)
	ADDQ(t, ix)
	DECQ(i)
	JNZ(LabelRef(name + "_row"))

	f.blockEnd(name, t)
}

// filterRegs are the registers both weight-gradient kernels keep across
// their blocks of reduction indices.
type filterRegs struct {
	pt, nb, pacc, lda, ldd, ldd3 Register
	xp                           []Register // input pointers of the block's three indices
}

// newFilterRegs loads the kernels' common parameters (tab, nkb, acc, lda and
// ldd, the strides in bytes) and allocates the input pointers.
func newFilterRegs() filterRegs {
	var f filterRegs
	f.pt = Load(Param("tab"), GP64())
	f.nb = Load(Param("nkb"), GP64())
	f.pacc = Load(Param("acc"), GP64())
	f.lda = Load(Param("lda"), GP64())
	SHLQ(U8(3), f.lda)
	f.ldd = Load(Param("ldd"), GP64())
	SHLQ(U8(3), f.ldd)
	f.ldd3 = GP64()
	LEAQ(Mem{Base: f.ldd, Index: f.ldd, Scale: 2}, f.ldd3)
	f.xp = []Register{GP64(), GP64(), GP64()}
	return f
}

// filterAcc is the accumulator of output channel r and reduction index k.
func filterAcc(r, k int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[r*filterCols+k]
}

// dyRow addresses the output gradient of channel r at disp bytes from pd.
func (f filterRegs) dyRow(pd Register, r, disp int) Mem {
	switch r {
	case 0:
		return Mem{Base: pd, Disp: disp}
	case 3:
		return Mem{Base: pd, Index: f.ldd3, Scale: 1, Disp: disp}
	}
	return Mem{Base: pd, Index: f.ldd, Scale: uint8(r), Disp: disp}
}

// blockStart opens a block of three reduction indices: the input pointers
// at their offsets, the accumulators zeroed, pd at dy and i at rows.
func (f filterRegs) blockStart(name string, pd, i Register) {
	Label(name + "_block")
	for k := 0; k < filterCols; k++ {
		Load(Param("x"), f.xp[k])
		ADDQ(Mem{Base: f.pt, Disp: 8 * k}, f.xp[k])
	}
	for r := 0; r < filterRows; r++ {
		for k := 0; k < filterCols; k++ {
			VXORPD(filterAcc(r, k), filterAcc(r, k), filterAcc(r, k))
		}
	}
	Load(Param("dy"), pd)
	Load(Param("rows"), i)
}

// blockEnd adds the block's accumulators to acc, steps to the next block
// and closes the kernel; t is a scratch register.
func (f filterRegs) blockEnd(name string, t Register) {
	LEAQ(Mem{Base: f.lda, Index: f.lda, Scale: 2}, t)
	for r := 0; r < filterRows; r++ {
		for k := 0; k < filterCols; k++ {
			m := Mem{Base: f.pacc, Disp: 32 * k}
			switch r {
			case 1, 2:
				m.Index, m.Scale = f.lda, uint8(r)
			case 3:
				m.Index, m.Scale = t, 1
			}
			VADDPD(m, filterAcc(r, k), filterAcc(r, k))
			VMOVUPD(filterAcc(r, k), m)
		}
	}
	ADDQ(U8(32*filterCols), f.pacc)
	ADDQ(U8(8*filterCols), f.pt)
	DECQ(f.nb)
	JNZ(LabelRef(name + "_block"))
	VZEROUPPER()
	RET()
}
