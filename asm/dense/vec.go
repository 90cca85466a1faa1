package main

import (
	"fmt"

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

// strips emits the loop of an AVX2 kernel over the elements i < n: wide
// elements at a time (a multiple of four) while as many are left, then four
// at a time, then one at a time, body(i, w) emitting the work on the w
// elements from i. Between the vectors and the single elements it emits
// vectorsDone, if not nil. i and lim are scratch registers; the labels
// begin with prefix.
func strips(prefix string, i, lim, n Register, wide int, body func(w int), vectorsDone func()) {
	loopWide := fmt.Sprintf("%sloop%d", prefix, wide)
	XORQ(i, i)
	MOVQ(n, lim)
	ANDQ(I32(-wide), lim)
	JZ(LabelRef(prefix + "four"))
	Label(loopWide)
	body(wide)
	ADDQ(U8(wide), i)
	CMPQ(i, lim)
	JB(LabelRef(loopWide))

	Label(prefix + "four")
	MOVQ(n, lim)
	ANDQ(I32(-4), lim)
	CMPQ(i, lim)
	JAE(LabelRef(prefix + "tail_check"))
	Label(prefix + "loop4")
	body(4)
	ADDQ(U8(4), i)
	CMPQ(i, lim)
	JB(LabelRef(prefix + "loop4"))

	Label(prefix + "tail_check")
	if vectorsDone != nil {
		vectorsDone()
	}
	CMPQ(i, n)
	JAE(LabelRef(prefix + "done"))
	Label(prefix + "tail")
	body(1)
	INCQ(i)
	CMPQ(i, n)
	JB(LabelRef(prefix + "tail"))
	Label(prefix + "done")
}

// dot emits dotAVX2: sum_i x[i]*y[i] with 4 independent ymm accumulators
// (16 elements per iteration), then 4 at a time, then a scalar tail.
func dot() { reduction("dotAVX2", "dot_", "func(x, y []float64) float64", true) }

// sumSq emits sumSqAVX2: sum_i x[i]*x[i], organised as dot.
func sumSq() { reduction("sumSqAVX2", "sumsq_", "func(x []float64) float64", false) }

// reduction emits the kernel name of the given signature shared by dot and
// sumSq, its labels beginning with prefix.
func reduction(name, prefix, signature string, twoInputs bool) {
	TEXT(name, NOSPLIT, signature)
	px, n := args.Base("x"), args.Len("x")
	py := px
	if twoInputs {
		py = args.Base("y")
	}
	acc := []VecPhysical{Y0, Y1, Y2, Y3}
	xv := []VecPhysical{Y4, Y5, Y6, Y7}
	for _, a := range acc {
		VXORPD(a, a, a)
	}
	i, lim := GP64(), GP64()
	strips(prefix, i, lim, n, 16, func(w int) {
		if w == 1 {
			VMOVSD(Mem{Base: px, Index: i, Scale: 8}, X4)
			VFMADD231SD(Mem{Base: py, Index: i, Scale: 8}, X4, X0)
			return
		}
		for u := 0; u < w/4; u++ {
			VMOVUPD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, xv[u])
			VFMADD231PD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, xv[u], acc[u])
		}
	}, func() {
		VADDPD(acc[1], acc[0], acc[0])
		VADDPD(acc[3], acc[2], acc[2])
		VADDPD(acc[2], acc[0], acc[0])
		reduce(Y0, X0, X1)
	})
	VMOVSD(X0, args.Addr(ReturnIndex(0)))
	VZEROUPPER()
	RET()
}

// axpy emits axpyAVX2: y[i] = alpha*x[i] + y[i] (one rounding each, as
// the reference) for i < len(x), 16 elements per iteration, then 4 at a time,
// then a scalar tail.
func axpy() {
	TEXT("axpyAVX2", NOSPLIT, "func(alpha float64, x, y []float64)")
	VMOVSD(args.Addr(Param("alpha")), X8)
	VBROADCASTSD(X8, Y8)
	px, n, py := args.Base("x"), args.Len("x"), args.Base("y")
	yv := []VecPhysical{Y0, Y1, Y2, Y3}
	i, lim := GP64(), GP64()
	strips("axpy_", i, lim, n, 16, func(w int) {
		if w == 1 {
			VMOVSD(Mem{Base: py, Index: i, Scale: 8}, X0)
			VFMADD231SD(Mem{Base: px, Index: i, Scale: 8}, X8, X0)
			VMOVSD(X0, Mem{Base: py, Index: i, Scale: 8})
			return
		}
		for u := 0; u < w/4; u++ {
			VMOVUPD(Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u}, yv[u])
			VFMADD231PD(Mem{Base: px, Index: i, Scale: 8, Disp: 32 * u}, Y8, yv[u])
			VMOVUPD(yv[u], Mem{Base: py, Index: i, Scale: 8, Disp: 32 * u})
		}
	}, nil)
	VZEROUPPER()
	RET()
}
