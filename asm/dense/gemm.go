package main

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
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
func gemmKernel(c *build.Context) {
	c.Function("gemmKernel4x12")
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(kc int, a, b, c []float64, ldc int, alpha, beta float64)")
	c.Doc("gemmKernel4x12 computes the 4x12 tile C = alpha*A*B + beta*C from packed panels.")

	kc := c.Load(c.Param("kc"), c.GP64())
	pa := c.Load(c.Param("a").Base(), c.GP64())
	pb := c.Load(c.Param("b").Base(), c.GP64())
	pc := c.Load(c.Param("c").Base(), c.GP64())
	ldc := c.Load(c.Param("ldc"), c.GP64())
	c.SHLQ(U8(3), ldc)

	acc := func(i, j int) VecPhysical {
		return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[i*(nr/4)+j]
	}
	bv := []VecPhysical{Y12, Y13, Y14}
	av := Y15

	// Row pointers of C, for prefetching now and storing at the end.
	rows := []Register{pc, c.GP64(), c.GP64(), c.GP64()}
	for i := 1; i < mr; i++ {
		c.LEAQ(Mem{Base: rows[i-1], Index: ldc, Scale: 1}, rows[i])
	}
	for i := 0; i < mr; i++ {
		c.PREFETCHT0(Mem{Base: rows[i]})
		c.PREFETCHT0(Mem{Base: rows[i], Disp: 64})
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			c.VXORPD(acc(i, j), acc(i, j), acc(i, j))
		}
	}

	step := func(u int) {
		for j := 0; j < nr/4; j++ {
			c.VMOVUPD(Mem{Base: pb, Disp: 8 * (u*nr + 4*j)}, bv[j])
		}
		for i := 0; i < mr; i++ {
			c.VBROADCASTSD(Mem{Base: pa, Disp: 8 * (u*mr + i)}, av)
			for j := 0; j < nr/4; j++ {
				c.VFMADD231PD(bv[j], av, acc(i, j))
			}
		}
	}

	n := c.GP64()
	c.MOVQ(kc, n)
	c.SHRQ(U8(2), n)
	c.JZ(LabelRef("gemm_tail"))
	c.Label("gemm_loop")
	for u := 0; u < unroll; u++ {
		step(u)
	}
	c.ADDQ(U32(8*unroll*mr), pa)
	c.ADDQ(U32(8*unroll*nr), pb)
	c.DECQ(n)
	c.JNZ(LabelRef("gemm_loop"))

	c.Label("gemm_tail")
	c.ANDQ(U8(unroll-1), kc)
	c.JZ(LabelRef("gemm_store"))
	c.Label("gemm_tail_loop")
	step(0)
	c.ADDQ(U32(8*mr), pa)
	c.ADDQ(U32(8*nr), pb)
	c.DECQ(kc)
	c.JNZ(LabelRef("gemm_tail_loop"))

	// C = alpha*acc (beta == 0, C not read) or alpha*acc + beta*C.
	c.Label("gemm_store")
	alpha, beta := Y12, Y13
	c.VMOVSD(args.Addr(c.Param("alpha")), X12)
	c.VBROADCASTSD(X12, alpha)
	c.VMOVSD(args.Addr(c.Param("beta")), X15)
	c.VXORPD(X14, X14, X14)
	c.VUCOMISD(X14, X15)
	c.JNE(LabelRef("gemm_beta"))
	c.JP(LabelRef("gemm_beta"))
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			c.VMULPD(alpha, acc(i, j), acc(i, j))
			c.VMOVUPD(acc(i, j), Mem{Base: rows[i], Disp: 32 * j})
		}
	}
	c.VZEROUPPER()
	c.RET()

	c.Label("gemm_beta")
	c.VBROADCASTSD(X15, beta)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			c.VMULPD(Mem{Base: rows[i], Disp: 32 * j}, beta, Y14)
			c.VFMADD231PD(alpha, acc(i, j), Y14)
			c.VMOVUPD(Y14, Mem{Base: rows[i], Disp: 32 * j})
		}
	}
	c.VZEROUPPER()
	c.RET()
}
