package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// gemvN4 emits gemvN4AVX2: the four dot products of rows 0..3 of A (row i
// starting at a[i*lda]) with x, over len(x) columns, each row with two ymm
// accumulators, then a scalar tail.
func gemvN4() {
	TEXT("gemvN4AVX2", NOSPLIT, "func(a []float64, lda int, x []float64) (s0, s1, s2, s3 float64)")
	pa, lda, px, n := args.Base("a"), args.Stride("lda"), args.Base("x"), args.Len("x")
	rows := []Register{pa, GP64(), GP64(), GP64()}
	LEAQ(Mem{Base: pa, Index: lda, Scale: 1}, rows[1])
	LEAQ(Mem{Base: pa, Index: lda, Scale: 2}, rows[2])
	LEAQ(Mem{Base: rows[1], Index: lda, Scale: 2}, rows[3])

	acc := [][2]VecPhysical{{Y0, Y1}, {Y2, Y3}, {Y4, Y5}, {Y6, Y7}}
	low := []VecPhysical{X0, X2, X4, X6}
	for _, r := range acc {
		VXORPD(r[0], r[0], r[0])
		VXORPD(r[1], r[1], r[1])
	}
	i, lim := GP64(), GP64()
	XORQ(i, i)
	MOVQ(n, lim)
	ANDQ(I32(-8), lim)
	JZ(LabelRef("gemvn_four"))
	Label("gemvn_loop8")
	VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, Y8)
	VMOVUPD(Mem{Base: px, Index: i, Scale: 8, Disp: 32}, Y9)
	for r := range rows {
		VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8}, Y8, acc[r][0])
		VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8, Disp: 32}, Y9, acc[r][1])
	}
	ADDQ(U8(8), i)
	CMPQ(i, lim)
	JB(LabelRef("gemvn_loop8"))

	Label("gemvn_four")
	MOVQ(n, lim)
	ANDQ(I32(-4), lim)
	CMPQ(i, lim)
	JAE(LabelRef("gemvn_sum"))
	VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, Y8)
	for r := range rows {
		VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8}, Y8, acc[r][0])
	}
	ADDQ(U8(4), i)

	Label("gemvn_sum")
	for r := range rows {
		VADDPD(acc[r][1], acc[r][0], acc[r][0])
		reduce(acc[r][0], low[r], X8)
	}
	CMPQ(i, n)
	JAE(LabelRef("gemvn_done"))
	Label("gemvn_tail")
	VMOVSD(Mem{Base: px, Index: i, Scale: 8}, X8)
	for r := range rows {
		VFMADD231SD(Mem{Base: rows[r], Index: i, Scale: 8}, X8, low[r])
	}
	INCQ(i)
	CMPQ(i, n)
	JB(LabelRef("gemvn_tail"))
	Label("gemvn_done")
	for r := range rows {
		VMOVSD(low[r], args.Addr(ReturnIndex(r)))
	}
	VZEROUPPER()
	RET()
}

// gemvT emits gemvTAVX2: t[j] += sum_i x[i]*A[i, j] for j < len(t) over the
// rows i < len(x), adding the rows in increasing i with one rounding per
// product (the reference's order), four rows per sweep over t.
func gemvT() {
	TEXT("gemvTAVX2", NOSPLIT, "func(a []float64, lda int, x []float64, t []float64)")
	pa, lda, px, m := args.Base("a"), args.Stride("lda"), args.Base("x"), args.Len("x")
	pt, n := args.Base("t"), args.Len("t")
	rows := []Register{GP64(), GP64(), GP64(), GP64()}
	xb := []VecPhysical{Y12, Y13, Y14, Y15}
	xs := []VecPhysical{X12, X13, X14, X15}
	i, lim := GP64(), GP64()

	// sweep emits t += sum over the next nrows rows, starting at pa.
	sweep := func(nrows int) {
		p := fmt.Sprintf("gemvt%d_", nrows)
		MOVQ(pa, rows[0])
		for r := 1; r < nrows; r++ {
			LEAQ(Mem{Base: rows[r-1], Index: lda, Scale: 1}, rows[r])
		}
		for r := 0; r < nrows; r++ {
			VBROADCASTSD(Mem{Base: px, Disp: 8 * r}, xb[r])
		}
		strips(p, i, lim, n, 16, func(w int) {
			if w == 1 {
				VMOVSD(Mem{Base: pt, Index: i, Scale: 8}, X0)
				for r := 0; r < nrows; r++ {
					VFMADD231SD(Mem{Base: rows[r], Index: i, Scale: 8}, xs[r], X0)
				}
				VMOVSD(X0, Mem{Base: pt, Index: i, Scale: 8})
				return
			}
			for u := 0; u < w/4; u++ {
				tv := []VecPhysical{Y0, Y1, Y2, Y3}[u]
				VMOVUPD(Mem{Base: pt, Index: i, Scale: 8, Disp: 32 * u}, tv)
				for r := 0; r < nrows; r++ {
					VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8, Disp: 32 * u}, xb[r], tv)
				}
				VMOVUPD(tv, Mem{Base: pt, Index: i, Scale: 8, Disp: 32 * u})
			}
		}, nil)
		for r := 0; r < nrows; r++ {
			ADDQ(lda, pa)
		}
		ADDQ(U8(8*nrows), px)
		SUBQ(U8(nrows), m)
	}

	vm.Stage("gemvt_rows4", "gemvt_rows1", m, 4, true, func() { sweep(4) })
	vm.Stage("gemvt_rows1", "gemvt_done", m, 1, true, func() { sweep(1) })
	Label("gemvt_done")
	VZEROUPPER()
	RET()
}
