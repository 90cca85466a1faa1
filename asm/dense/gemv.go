package main

import (
	"fmt"
	"github.com/mmcnf/mmcnf/asm/internal/args"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemvN4 emits gemvN4AVX2: the four dot products of rows 0..3 of A (row i
// starting at a[i*lda]) with x, over len(x) columns, each row with two ymm
// accumulators, then a scalar tail.
func gemvN4(c *build.Context) {
	c.Function("gemvN4AVX2")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(a []float64, lda int, x []float64) (s0, s1, s2, s3 float64)")
	pa := c.Load(c.Param("a").Base(), c.GP64())
	lda := c.Load(c.Param("lda"), c.GP64())
	c.SHLQ(U8(3), lda)
	px := c.Load(c.Param("x").Base(), c.GP64())
	n := c.Load(c.Param("x").Len(), c.GP64())
	rows := []Register{pa, c.GP64(), c.GP64(), c.GP64()}
	c.LEAQ(Mem{Base: pa, Index: lda, Scale: 1}, rows[1])
	c.LEAQ(Mem{Base: pa, Index: lda, Scale: 2}, rows[2])
	c.LEAQ(Mem{Base: rows[1], Index: lda, Scale: 2}, rows[3])

	acc := [][2]VecPhysical{{Y0, Y1}, {Y2, Y3}, {Y4, Y5}, {Y6, Y7}}
	low := []VecPhysical{X0, X2, X4, X6}
	for _, r := range acc {
		c.VXORPD(r[0], r[0], r[0])
		c.VXORPD(r[1], r[1], r[1])
	}
	i, lim := c.GP64(), c.GP64()
	c.XORQ(i, i)
	c.MOVQ(n, lim)
	c.ANDQ(I32(-8), lim)
	c.JZ(LabelRef("gemvn_four"))
	c.Label("gemvn_loop8")
	c.VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, Y8)
	c.VMOVUPD(Mem{Base: px, Index: i, Scale: 8, Disp: 32}, Y9)
	for r := range rows {
		c.VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8}, Y8, acc[r][0])
		c.VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8, Disp: 32}, Y9, acc[r][1])
	}
	c.ADDQ(U8(8), i)
	c.CMPQ(i, lim)
	c.JB(LabelRef("gemvn_loop8"))

	c.Label("gemvn_four")
	c.MOVQ(n, lim)
	c.ANDQ(I32(-4), lim)
	c.CMPQ(i, lim)
	c.JAE(LabelRef("gemvn_sum"))
	c.VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, Y8)
	for r := range rows {
		c.VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8}, Y8, acc[r][0])
	}
	c.ADDQ(U8(4), i)

	c.Label("gemvn_sum")
	for r := range rows {
		c.VADDPD(acc[r][1], acc[r][0], acc[r][0])
		reduce(c, acc[r][0], low[r], X8)
	}
	c.CMPQ(i, n)
	c.JAE(LabelRef("gemvn_done"))
	c.Label("gemvn_tail")
	c.VMOVSD(Mem{Base: px, Index: i, Scale: 8}, X8)
	for r := range rows {
		c.VFMADD231SD(Mem{Base: rows[r], Index: i, Scale: 8}, X8, low[r])
	}
	c.INCQ(i)
	c.CMPQ(i, n)
	c.JB(LabelRef("gemvn_tail"))
	c.Label("gemvn_done")
	for r := range rows {
		c.VMOVSD(low[r], args.Addr(c.ReturnIndex(r)))
	}
	c.VZEROUPPER()
	c.RET()
}

// gemvT emits gemvTAVX2: t[j] += sum_i x[i]*A[i, j] for j < len(t) over the
// rows i < len(x), adding the rows in increasing i with one rounding per
// product (the reference's order), four rows per sweep over t.
func gemvT(c *build.Context) {
	c.Function("gemvTAVX2")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(a []float64, lda int, x []float64, t []float64)")
	pa := c.Load(c.Param("a").Base(), c.GP64())
	lda := c.Load(c.Param("lda"), c.GP64())
	c.SHLQ(U8(3), lda)
	px := c.Load(c.Param("x").Base(), c.GP64())
	m := c.Load(c.Param("x").Len(), c.GP64())
	pt := c.Load(c.Param("t").Base(), c.GP64())
	n := c.Load(c.Param("t").Len(), c.GP64())
	rows := []Register{c.GP64(), c.GP64(), c.GP64(), c.GP64()}
	xb := []VecPhysical{Y12, Y13, Y14, Y15}
	xs := []VecPhysical{X12, X13, X14, X15}
	i, lim := c.GP64(), c.GP64()

	// sweep emits t += sum over the next nrows rows, starting at pa.
	sweep := func(nrows int) {
		p := fmt.Sprintf("gemvt%d_", nrows)
		c.MOVQ(pa, rows[0])
		for r := 1; r < nrows; r++ {
			c.LEAQ(Mem{Base: rows[r-1], Index: lda, Scale: 1}, rows[r])
		}
		for r := 0; r < nrows; r++ {
			c.VBROADCASTSD(Mem{Base: px, Disp: 8 * r}, xb[r])
		}
		c.XORQ(i, i)
		c.MOVQ(n, lim)
		c.ANDQ(I32(-16), lim)
		c.JZ(LabelRef(p + "four"))
		c.Label(p + "loop16")
		for u := 0; u < 4; u++ {
			tv := []VecPhysical{Y0, Y1, Y2, Y3}[u]
			c.VMOVUPD(Mem{Base: pt, Index: i, Scale: 8, Disp: 32 * u}, tv)
			for r := 0; r < nrows; r++ {
				c.VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8, Disp: 32 * u}, xb[r], tv)
			}
			c.VMOVUPD(tv, Mem{Base: pt, Index: i, Scale: 8, Disp: 32 * u})
		}
		c.ADDQ(U8(16), i)
		c.CMPQ(i, lim)
		c.JB(LabelRef(p + "loop16"))

		c.Label(p + "four")
		c.MOVQ(n, lim)
		c.ANDQ(I32(-4), lim)
		c.CMPQ(i, lim)
		c.JAE(LabelRef(p + "tail_check"))
		c.Label(p + "loop4")
		c.VMOVUPD(Mem{Base: pt, Index: i, Scale: 8}, Y0)
		for r := 0; r < nrows; r++ {
			c.VFMADD231PD(Mem{Base: rows[r], Index: i, Scale: 8}, xb[r], Y0)
		}
		c.VMOVUPD(Y0, Mem{Base: pt, Index: i, Scale: 8})
		c.ADDQ(U8(4), i)
		c.CMPQ(i, lim)
		c.JB(LabelRef(p + "loop4"))

		c.Label(p + "tail_check")
		c.CMPQ(i, n)
		c.JAE(LabelRef(p + "done"))
		c.Label(p + "tail")
		c.VMOVSD(Mem{Base: pt, Index: i, Scale: 8}, X0)
		for r := 0; r < nrows; r++ {
			c.VFMADD231SD(Mem{Base: rows[r], Index: i, Scale: 8}, xs[r], X0)
		}
		c.VMOVSD(X0, Mem{Base: pt, Index: i, Scale: 8})
		c.INCQ(i)
		c.CMPQ(i, n)
		c.JB(LabelRef(p + "tail"))
		c.Label(p + "done")
		for r := 0; r < nrows; r++ {
			c.ADDQ(lda, pa)
		}
		c.ADDQ(U8(8*nrows), px)
		c.SUBQ(U8(nrows), m)
	}

	c.Label("gemvt_rows4")
	c.CMPQ(m, U8(4))
	c.JB(LabelRef("gemvt_rows1"))
	sweep(4)
	c.JMP(LabelRef("gemvt_rows4"))
	c.Label("gemvt_rows1")
	c.TESTQ(m, m)
	c.JZ(LabelRef("gemvt_done"))
	sweep(1)
	c.JMP(LabelRef("gemvt_rows1"))
	c.Label("gemvt_done")
	c.VZEROUPPER()
	c.RET()
}
