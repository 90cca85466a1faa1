package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
)

// packTranspose emits packTranspose8AVX512: dst[p*stride+i] = src[i*ld+p]
// for p < kc and i < rows, and 0 for rows <= i < 8: up to eight rows of
// length kc, interleaved, eight columns at a time by 8x8 transposes.
func packTranspose() {
	name := "packTranspose8AVX512"
	TEXT(name, NOSPLIT, "func(kc int, src []float64, ld, rows int, dst []float64, stride int)")
	Doc(name + " packs up to 8 rows of src, interleaved, into dst with the given row stride.")
	kc, ps, ld := args.Int("kc"), args.Base("src"), args.Stride("ld")
	rows, pd, st := args.Int("rows"), args.Base("dst"), args.Stride("stride")
	ld3, st3 := GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: st, Index: st, Scale: 2}, st3)
	src := []Register{ps, GP64()}
	LEAQ(Mem{Base: ps, Index: ld, Scale: 4}, src[1])
	dst := []Register{pd, GP64()}

	r := zmm(0, 8)
	tv := zmm(8, 16)
	uv := zmm(16, 24)
	cv := zmm(24, 32)
	for _, z := range r {
		VPXORQ(z, z, z)
	}
	p := "packt_"
	// load reads rows 0..rows-1 of the next 8 columns (under mask k when
	// k is not nil), leaving the other rows zero.
	load := func(label string, k Register) {
		for i := 0; i < 8; i++ {
			if i > 0 {
				CMPQ(rows, U8(i))
				JBE(LabelRef(label))
			}
			if k == nil {
				VMOVUPD(rowAddr(src, ld, ld3, i, 0), r[i])
			} else {
				VMOVUPD_Z(rowAddr(src, ld, ld3, i, 0), k, r[i])
			}
		}
		Label(label)
	}
	// transpose leaves column j of the 8x8 block in cv[j].
	transpose := func() {
		for q := 0; q < 4; q++ {
			VUNPCKLPD(r[2*q+1], r[2*q], tv[2*q])
			VUNPCKHPD(r[2*q+1], r[2*q], tv[2*q+1])
		}
		// Even columns from tv[0], tv[2], tv[4], tv[6]; odd from the others.
		for odd := 0; odd < 2; odd++ {
			t0, t2, t4, t6 := tv[odd], tv[2+odd], tv[4+odd], tv[6+odd]
			u0, u1, v0, v1 := uv[4*odd], uv[4*odd+1], uv[4*odd+2], uv[4*odd+3]
			VSHUFF64X2(U8(0x88), t2, t0, u0)
			VSHUFF64X2(U8(0xdd), t2, t0, u1)
			VSHUFF64X2(U8(0x88), t6, t4, v0)
			VSHUFF64X2(U8(0xdd), t6, t4, v1)
			VSHUFF64X2(U8(0x88), v0, u0, cv[odd])
			VSHUFF64X2(U8(0xdd), v0, u0, cv[4+odd])
			VSHUFF64X2(U8(0x88), v1, u1, cv[2+odd])
			VSHUFF64X2(U8(0xdd), v1, u1, cv[6+odd])
		}
	}
	n := GP64()
	MOVQ(kc, n)
	SHRQ(U8(3), n)
	JZ(LabelRef(p + "tail"))
	Label(p + "loop")
	load(p+"loaded", nil)
	transpose()
	LEAQ(Mem{Base: pd, Index: st, Scale: 4}, dst[1])
	for j := 0; j < 8; j++ {
		VMOVUPD(cv[j], rowAddr(dst, st, st3, j, 0))
	}
	ADDQ(U8(64), src[0])
	ADDQ(U8(64), src[1])
	LEAQ(Mem{Base: dst[1], Index: st, Scale: 4}, pd)
	DECQ(n)
	JNZ(LabelRef(p + "loop"))

	Label(p + "tail")
	ANDQ(U8(7), kc)
	JZ(LabelRef(p + "done"))
	lowMask(kc, K1)
	load(p+"tail_loaded", K1)
	transpose()
	LEAQ(Mem{Base: pd, Index: st, Scale: 4}, dst[1])
	for j := 0; j < 7; j++ {
		VMOVUPD(cv[j], rowAddr(dst, st, st3, j, 0))
		CMPQ(kc, U8(j+1))
		JEQ(LabelRef(p + "done"))
	}
	Label(p + "done")
	VZEROUPPER()
	RET()
}

// packCopy emits packCopy<w>AVX512, w = 8*nv: dst[p*w+j] = src[p*ld+j] for
// p < kc and j < cols, and 0 for cols <= j < w: a panel of kc rows of up to
// w elements, copied and padded with zeros through masked loads.
func packCopy(nv int) {
	w := 8 * nv
	name := fmt.Sprintf("packCopy%dAVX512", w)
	TEXT(name, NOSPLIT, "func(kc int, src []float64, ld, cols int, dst []float64)")
	Doc(fmt.Sprintf("%s copies kc rows of up to %d elements of src into dst, padding them to %d with zeros.", name, w, w))
	kc, ps, ld := args.Int("kc"), args.Base("src"), args.Stride("ld")
	cols, pd := args.Int("cols"), args.Base("dst")
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	masks := []Register{K1, K2, K3, K4, K5, K6, K7}[:nv]
	lowMask(cols, masks[0])
	for j := 1; j < nv; j++ {
		KSHIFTRQ(U8(8*j), masks[0], masks[j])
	}
	v := zmm(0, 4*nv)
	p := fmt.Sprintf("packc%d_", w)
	n := GP64()
	MOVQ(kc, n)
	SHRQ(U8(2), n)
	JZ(LabelRef(p + "tail"))
	Label(p + "loop")
	for u := 0; u < 4; u++ {
		for j := 0; j < nv; j++ {
			VMOVUPD_Z(rowAddr([]Register{ps}, ld, ld3, u, 64*j), masks[j], v[u*nv+j])
		}
	}
	for u := 0; u < 4; u++ {
		for j := 0; j < nv; j++ {
			VMOVUPD(v[u*nv+j], Mem{Base: pd, Disp: 8 * (u*w + 8*j)})
		}
	}
	LEAQ(Mem{Base: ps, Index: ld, Scale: 4}, ps)
	ADDQ(U32(8*4*w), pd)
	DECQ(n)
	JNZ(LabelRef(p + "loop"))
	Label(p + "tail")
	ANDQ(U8(3), kc)
	JZ(LabelRef(p + "done"))
	Label(p + "tail_loop")
	for j := 0; j < nv; j++ {
		VMOVUPD_Z(Mem{Base: ps, Disp: 64 * j}, masks[j], v[j])
		VMOVUPD(v[j], Mem{Base: pd, Disp: 64 * j})
	}
	ADDQ(ld, ps)
	ADDQ(U32(8*w), pd)
	DECQ(kc)
	JNZ(LabelRef(p + "tail_loop"))
	Label(p + "done")
	VZEROUPPER()
	RET()
}
