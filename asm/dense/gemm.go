package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
	"github.com/mmcnf/mmcnf/asm/internal/args"
)

// The GEMM micro-kernel's register tile: mr rows of C by nr columns
// (nr/4 ymm vectors per row), 12 accumulators in Y0-Y11.
const (
	mr = 4
	nr = 12
	// unroll is how many k-steps the main loop does per iteration.
	unroll = 4
)

// gemmKernel emits gemmKernel4x12: C[0:4, 0:12] = alpha*Ap*Bp + beta*C for
// a packed A panel (kc x 4, element (i, p) at p*4+i) and a packed B panel
// (kc x 12, element (p, j) at p*12+j); when beta is 0, C is not read.
func gemmKernel() {
	TEXT("gemmKernel4x12", NOSPLIT, "func(kc int, a, b, c []float64, ldc int, alpha, beta float64)")
	Doc("gemmKernel4x12 computes the 4x12 tile C = alpha*A*B + beta*C from packed panels.")

	kc := Load(Param("kc"), GP64())
	pa := Load(Param("a").Base(), GP64())
	pb := Load(Param("b").Base(), GP64())
	pc := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(3), ldc)

	acc := func(i, j int) VecPhysical {
		return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[i*(nr/4)+j]
	}
	bv := []VecPhysical{Y12, Y13, Y14}
	av := Y15

	// Row pointers of C, for prefetching now and storing at the end.
	rows := []Register{pc, GP64(), GP64(), GP64()}
	for i := 1; i < mr; i++ {
		LEAQ(Mem{Base: rows[i-1], Index: ldc, Scale: 1}, rows[i])
	}
	for i := 0; i < mr; i++ {
		PREFETCHT0(Mem{Base: rows[i]})
		PREFETCHT0(Mem{Base: rows[i], Disp: 64})
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			VXORPD(acc(i, j), acc(i, j), acc(i, j))
		}
	}

	step := func(u int) {
		for j := 0; j < nr/4; j++ {
			VMOVUPD(Mem{Base: pb, Disp: 8 * (u*nr + 4*j)}, bv[j])
		}
		for i := 0; i < mr; i++ {
			VBROADCASTSD(Mem{Base: pa, Disp: 8 * (u*mr + i)}, av)
			for j := 0; j < nr/4; j++ {
				VFMADD231PD(bv[j], av, acc(i, j))
			}
		}
	}

	n := GP64()
	MOVQ(kc, n)
	SHRQ(U8(2), n)
	JZ(LabelRef("gemm_tail"))
	Label("gemm_loop")
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(8*unroll*mr), pa)
	ADDQ(U32(8*unroll*nr), pb)
	DECQ(n)
	JNZ(LabelRef("gemm_loop"))

	Label("gemm_tail")
	ANDQ(U8(unroll-1), kc)
	JZ(LabelRef("gemm_store"))
	Label("gemm_tail_loop")
	step(0)
	ADDQ(U32(8*mr), pa)
	ADDQ(U32(8*nr), pb)
	DECQ(kc)
	JNZ(LabelRef("gemm_tail_loop"))

	// C = alpha*acc (beta == 0, C not read) or alpha*acc + beta*C.
	Label("gemm_store")
	alpha, beta := Y12, Y13
	VMOVSD(args.Addr(Param("alpha")), X12)
	VBROADCASTSD(X12, alpha)
	VMOVSD(args.Addr(Param("beta")), X15)
	VXORPD(X14, X14, X14)
	VUCOMISD(X14, X15)
	JNE(LabelRef("gemm_beta"))
	JP(LabelRef("gemm_beta"))
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			VMULPD(alpha, acc(i, j), acc(i, j))
			VMOVUPD(acc(i, j), Mem{Base: rows[i], Disp: 32 * j})
		}
	}
	VZEROUPPER()
	RET()

	Label("gemm_beta")
	VBROADCASTSD(X15, beta)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			VMULPD(Mem{Base: rows[i], Disp: 32 * j}, beta, Y14)
			VFMADD231PD(alpha, acc(i, j), Y14)
			VMOVUPD(Y14, Mem{Base: rows[i], Disp: 32 * j})
		}
	}
	VZEROUPPER()
	RET()
}
