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

// gemmArgs loads the arguments that the GEMM micro-kernels' signatures
// begin with: kc, the bases of the packed panels a and b and of c, and ldc
// in bytes.
func gemmArgs() (kc, pa, pb, pc, ldc Register) {
	return args.Int("kc"), args.Base("a"), args.Base("b"), args.Base("c"), args.Stride("ldc")
}

// kSteps emits a GEMM micro-kernel's loop over the kc k-steps (kc is
// consumed), unroll at a time, then one at a time, step(u) emitting k-step
// u from the panels at pa and pb, pmr and pnr float64 a step. Its labels
// begin with prefix; it ends at prefix+"store".
func kSteps(prefix string, kc, pa, pb Register, pmr, pnr int, step func(u int)) {
	n := GP64()
	MOVQ(kc, n)
	SHRQ(U8(2), n) // unroll = 4 k-steps per iteration
	JZ(LabelRef(prefix + "tail"))
	Label(prefix + "loop")
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(8*unroll*pmr), pa)
	ADDQ(U32(8*unroll*pnr), pb)
	DECQ(n)
	JNZ(LabelRef(prefix + "loop"))

	Label(prefix + "tail")
	ANDQ(U8(unroll-1), kc)
	JZ(LabelRef(prefix + "store"))
	Label(prefix + "tail_loop")
	step(0)
	ADDQ(U32(8*pmr), pa)
	ADDQ(U32(8*pnr), pb)
	DECQ(kc)
	JNZ(LabelRef(prefix + "tail_loop"))
}

// gemmKernel emits gemmKernel4x12: C[0:4, 0:12] = alpha*Ap*Bp + beta*C for
// a packed A panel (kc x 4, element (i, p) at p*4+i) and a packed B panel
// (kc x 12, element (p, j) at p*12+j); when beta is 0, C is not read.
func gemmKernel() {
	TEXT("gemmKernel4x12", NOSPLIT, "func(kc int, a, b, c []float64, ldc int, alpha, beta float64)")
	Doc("gemmKernel4x12 computes the 4x12 tile C = alpha*A*B + beta*C from packed panels.")
	kc, pa, pb, pc, ldc := gemmArgs()

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

	kSteps("gemm_", kc, pa, pb, mr, nr, step)

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
