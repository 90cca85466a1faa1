package main

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
	"github.com/mmcnf/mmcnf/asm/internal/args"
)

// reduce adds the four lanes of a ymm register into the low lane of its xmm
// half, using tmp as scratch.
func reduce(c *build.Context, y VecPhysical, x VecPhysical, tmp VecPhysical) {
	c.VEXTRACTF128(U8(1), y, tmp)
	c.VADDPD(tmp, x, x)
	c.VHADDPD(x, x, x)
}

// dot emits dotAVX2: sum_i x[i]*y[i] with 4 independent ymm accumulators
// (16 elements per iteration), then 4 at a time, then a scalar tail.
func dot(c *build.Context) {
	c.Function("dotAVX2")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(x, y []float64) float64")
	reduction(c, "dot", true)
	c.VMOVSD(X0, args.Addr(c.ReturnIndex(0)))
	c.VZEROUPPER()
	c.RET()
}

// sumSq emits sumSqAVX2: sum_i x[i]*x[i], organised as dot.
func sumSq(c *build.Context) {
	c.Function("sumSqAVX2")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(x []float64) float64")
	reduction(c, "sumsq", false)
	c.VMOVSD(X0, args.Addr(c.ReturnIndex(0)))
	c.VZEROUPPER()
	c.RET()
}

// reduction emits the body shared by dot and sumSq, leaving the sum in X0.
func reduction(c *build.Context, name string, twoInputs bool) {
	px := c.Load(c.Param("x").Base(), c.GP64())
	n := c.Load(c.Param("x").Len(), c.GP64())
	py := px
	if twoInputs {
		py = c.Load(c.Param("y").Base(), c.GP64())
	}
	acc := []VecPhysical{Y0, Y1, Y2, Y3}
	xv := []VecPhysical{Y4, Y5, Y6, Y7}
	for _, a := range acc {
		c.VXORPD(a, a, a)
	}
	i := c.GP64()
	c.XORQ(i, i)
	lim := c.GP64()

	c.MOVQ(n, lim)
	c.ANDQ(I32(-16), lim)
	c.JZ(LabelRef(name + "_four"))
	c.Label(name + "_loop16")
	for u := range acc {
		c.VMOVUPD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, xv[u])
		c.VFMADD231PD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, xv[u], acc[u])
	}
	c.ADDQ(U8(16), i)
	c.CMPQ(i, lim)
	c.JB(LabelRef(name + "_loop16"))

	c.Label(name + "_four")
	c.MOVQ(n, lim)
	c.ANDQ(I32(-4), lim)
	c.CMPQ(i, lim)
	c.JAE(LabelRef(name + "_sum"))
	c.Label(name + "_loop4")
	c.VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, xv[0])
	c.VFMADD231PD(Mem{Base: py, Index: i, Scale: 8}, xv[0], acc[0])
	c.ADDQ(U8(4), i)
	c.CMPQ(i, lim)
	c.JB(LabelRef(name + "_loop4"))

	c.Label(name + "_sum")
	c.VADDPD(acc[1], acc[0], acc[0])
	c.VADDPD(acc[3], acc[2], acc[2])
	c.VADDPD(acc[2], acc[0], acc[0])
	reduce(c, Y0, X0, X1)

	c.CMPQ(i, n)
	c.JAE(LabelRef(name + "_done"))
	c.Label(name + "_tail")
	c.VMOVSD(Mem{Base: px, Index: i, Scale: 8}, X4)
	c.VFMADD231SD(Mem{Base: py, Index: i, Scale: 8}, X4, X0)
	c.INCQ(i)
	c.CMPQ(i, n)
	c.JB(LabelRef(name + "_tail"))
	c.Label(name + "_done")
}

// axpy emits axpyAVX2: y[i] = alpha*x[i] + y[i] (one rounding each, as
// the reference) for i < len(x), 16 elements per iteration, then 4 at a time,
// then a scalar tail.
func axpy(c *build.Context) {
	c.Function("axpyAVX2")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(alpha float64, x, y []float64)")
	c.VMOVSD(args.Addr(c.Param("alpha")), X8)
	c.VBROADCASTSD(X8, Y8)
	px := c.Load(c.Param("x").Base(), c.GP64())
	n := c.Load(c.Param("x").Len(), c.GP64())
	py := c.Load(c.Param("y").Base(), c.GP64())
	yv := []VecPhysical{Y0, Y1, Y2, Y3}
	i := c.GP64()
	c.XORQ(i, i)
	lim := c.GP64()

	c.MOVQ(n, lim)
	c.ANDQ(I32(-16), lim)
	c.JZ(LabelRef("axpy_four"))
	c.Label("axpy_loop16")
	for u := range yv {
		c.VMOVUPD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, yv[u])
		c.VFMADD231PD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, Y8, yv[u])
		c.VMOVUPD(yv[u], Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u})
	}
	c.ADDQ(U8(16), i)
	c.CMPQ(i, lim)
	c.JB(LabelRef("axpy_loop16"))

	c.Label("axpy_four")
	c.MOVQ(n, lim)
	c.ANDQ(I32(-4), lim)
	c.CMPQ(i, lim)
	c.JAE(LabelRef("axpy_tail_check"))
	c.Label("axpy_loop4")
	c.VMOVUPD(Mem{Base: py, Index: i, Scale: 8}, yv[0])
	c.VFMADD231PD(Mem{Base: px, Index: i, Scale: 8}, Y8, yv[0])
	c.VMOVUPD(yv[0], Mem{Base: py, Index: i, Scale: 8})
	c.ADDQ(U8(4), i)
	c.CMPQ(i, lim)
	c.JB(LabelRef("axpy_loop4"))

	c.Label("axpy_tail_check")
	c.CMPQ(i, n)
	c.JAE(LabelRef("axpy_done"))
	c.Label("axpy_tail")
	c.VMOVSD(Mem{Base: py, Index: i, Scale: 8}, X0)
	c.VFMADD231SD(Mem{Base: px, Index: i, Scale: 8}, X8, X0)
	c.VMOVSD(X0, Mem{Base: py, Index: i, Scale: 8})
	c.INCQ(i)
	c.CMPQ(i, n)
	c.JB(LabelRef("axpy_tail"))
	c.Label("axpy_done")
	c.VZEROUPPER()
	c.RET()
}
