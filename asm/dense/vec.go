package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
	"github.com/mmcnf/mmcnf/asm/internal/args"
)

// reduce adds the four lanes of a ymm register into the low lane of its xmm
// half, using tmp as scratch.
func reduce(y VecPhysical, x VecPhysical, tmp VecPhysical) {
	VEXTRACTF128(U8(1), y, tmp)
	VADDPD(tmp, x, x)
	VHADDPD(x, x, x)
}

// dot emits dotAVX2: sum_i x[i]*y[i] with 4 independent ymm accumulators
// (16 elements per iteration), then 4 at a time, then a scalar tail.
func dot() {
	TEXT("dotAVX2", NOSPLIT, "func(x, y []float64) float64")
	reduction("dot", true)
	VMOVSD(X0, args.Addr(ReturnIndex(0)))
	VZEROUPPER()
	RET()
}

// sumSq emits sumSqAVX2: sum_i x[i]*x[i], organised as dot.
func sumSq() {
	TEXT("sumSqAVX2", NOSPLIT, "func(x []float64) float64")
	reduction("sumsq", false)
	VMOVSD(X0, args.Addr(ReturnIndex(0)))
	VZEROUPPER()
	RET()
}

// reduction emits the body shared by dot and sumSq, leaving the sum in X0.
func reduction(name string, twoInputs bool) {
	px := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	py := px
	if twoInputs {
		py = Load(Param("y").Base(), GP64())
	}
	acc := []VecPhysical{Y0, Y1, Y2, Y3}
	xv := []VecPhysical{Y4, Y5, Y6, Y7}
	for _, a := range acc {
		VXORPD(a, a, a)
	}
	i := GP64()
	XORQ(i, i)
	lim := GP64()

	MOVQ(n, lim)
	ANDQ(I32(-16), lim)
	JZ(LabelRef(name + "_four"))
	Label(name + "_loop16")
	for u := range acc {
		VMOVUPD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, xv[u])
		VFMADD231PD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, xv[u], acc[u])
	}
	ADDQ(U8(16), i)
	CMPQ(i, lim)
	JB(LabelRef(name + "_loop16"))

	Label(name + "_four")
	MOVQ(n, lim)
	ANDQ(I32(-4), lim)
	CMPQ(i, lim)
	JAE(LabelRef(name + "_sum"))
	Label(name + "_loop4")
	VMOVUPD(Mem{Base: px, Index: i, Scale: 8}, xv[0])
	VFMADD231PD(Mem{Base: py, Index: i, Scale: 8}, xv[0], acc[0])
	ADDQ(U8(4), i)
	CMPQ(i, lim)
	JB(LabelRef(name + "_loop4"))

	Label(name + "_sum")
	VADDPD(acc[1], acc[0], acc[0])
	VADDPD(acc[3], acc[2], acc[2])
	VADDPD(acc[2], acc[0], acc[0])
	reduce(Y0, X0, X1)

	CMPQ(i, n)
	JAE(LabelRef(name + "_done"))
	Label(name + "_tail")
	VMOVSD(Mem{Base: px, Index: i, Scale: 8}, X4)
	VFMADD231SD(Mem{Base: py, Index: i, Scale: 8}, X4, X0)
	INCQ(i)
	CMPQ(i, n)
	JB(LabelRef(name + "_tail"))
	Label(name + "_done")
}

// axpy emits axpyAVX2: y[i] = alpha*x[i] + y[i] (one rounding each, as
// the reference) for i < len(x), 16 elements per iteration, then 4 at a time,
// then a scalar tail.
func axpy() {
	TEXT("axpyAVX2", NOSPLIT, "func(alpha float64, x, y []float64)")
	VMOVSD(args.Addr(Param("alpha")), X8)
	VBROADCASTSD(X8, Y8)
	px := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	py := Load(Param("y").Base(), GP64())
	yv := []VecPhysical{Y0, Y1, Y2, Y3}
	i := GP64()
	XORQ(i, i)
	lim := GP64()

	MOVQ(n, lim)
	ANDQ(I32(-16), lim)
	JZ(LabelRef("axpy_four"))
	Label("axpy_loop16")
	for u := range yv {
		VMOVUPD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, yv[u])
		VFMADD231PD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, Y8, yv[u])
		VMOVUPD(yv[u], Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u})
	}
	ADDQ(U8(16), i)
	CMPQ(i, lim)
	JB(LabelRef("axpy_loop16"))

	Label("axpy_four")
	MOVQ(n, lim)
	ANDQ(I32(-4), lim)
	CMPQ(i, lim)
	JAE(LabelRef("axpy_tail_check"))
	Label("axpy_loop4")
	VMOVUPD(Mem{Base: py, Index: i, Scale: 8}, yv[0])
	VFMADD231PD(Mem{Base: px, Index: i, Scale: 8}, Y8, yv[0])
	VMOVUPD(yv[0], Mem{Base: py, Index: i, Scale: 8})
	ADDQ(U8(4), i)
	CMPQ(i, lim)
	JB(LabelRef("axpy_loop4"))

	Label("axpy_tail_check")
	CMPQ(i, n)
	JAE(LabelRef("axpy_done"))
	Label("axpy_tail")
	VMOVSD(Mem{Base: py, Index: i, Scale: 8}, X0)
	VFMADD231SD(Mem{Base: px, Index: i, Scale: 8}, X8, X0)
	VMOVSD(X0, Mem{Base: py, Index: i, Scale: 8})
	INCQ(i)
	CMPQ(i, n)
	JB(LabelRef("axpy_tail"))
	Label("axpy_done")
	VZEROUPPER()
	RET()
}
