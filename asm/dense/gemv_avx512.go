package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// sumTranspose8 returns a register whose lane r holds the sum of the eight
// lanes of acc[r], for r < len(acc) <= 8 (the other lanes hold zero): a
// tree of depth 3 that adds neighbouring lanes, then neighbouring 128-bit
// lanes, then the 256-bit halves, transposing as it goes. zero is a zeroed
// register standing for the missing accumulators; tmp needs six registers.
func sumTranspose8(acc []VecPhysical, zero VecPhysical, tmp []VecPhysical) VecPhysical {
	get := func(vs []VecPhysical, i int) VecPhysical {
		if i < len(vs) {
			return vs[i]
		}
		return zero
	}
	// t[q], 128-bit lane l: the sums of lanes 2l and 2l+1 of acc[2q] and of
	// acc[2q+1].
	t := tmp[:(len(acc)+1)/2]
	h := tmp[4]
	for q := range t {
		VUNPCKHPD(get(acc, 2*q+1), get(acc, 2*q), h)
		VUNPCKLPD(get(acc, 2*q+1), get(acc, 2*q), t[q])
		VADDPD(h, t[q], t[q])
	}
	// u[q], 128-bit lane l: the sums of lanes 4(l%2) to 4(l%2)+3 of
	// acc[4q+2(l/2)] and of acc[4q+2(l/2)+1].
	u := tmp[4 : 4+(len(t)+1)/2]
	for q := range u {
		VSHUFF64X2(U8(0xdd), get(t, 2*q+1), get(t, 2*q), u[q])
		VSHUFF64X2(U8(0x88), get(t, 2*q+1), get(t, 2*q), tmp[2*q])
		VADDPD(tmp[2*q], u[q], u[q])
	}
	s := tmp[0]
	VSHUFF64X2(U8(0x88), get(u, 1), get(u, 0), tmp[1])
	VSHUFF64X2(U8(0xdd), get(u, 1), get(u, 0), s)
	VADDPD(tmp[1], s, s)
	return s
}

// gemvArgs starts the GEMV kernel name: it loads the base of a, lda in
// bytes, and the bases and lengths of x and y, and leaves alpha and beta
// broadcast in Z29 and Z30 and zero in Z31.
func gemvArgs(name string) (pa, lda, px, nx, py, ny Register) {
	TEXT(name, NOSPLIT, "func(a []float64, lda int, x, y []float64, alpha, beta float64)")
	pa, lda, px, nx = args.Base("a"), args.Stride("lda"), args.Base("x"), args.Len("x")
	py, ny = args.Base("y"), args.Len("y")
	VBROADCASTSD(args.Addr(Param("alpha")), Z29)
	VBROADCASTSD(args.Addr(Param("beta")), Z30)
	VPXORQ(Z31, Z31, Z31)
	return
}

// gemvNAVX512 emits gemvNAVX512: y[i] = alpha*sum_j a[i*lda+j]*x[j] +
// beta*y[i] for i < len(y) and j < len(x), y not read when beta is 0. Rows
// go in blocks of 8, then 4, 2 and 1; each row's products accumulate in
// sixteen lane chains (two vectors of x at a time, the last partial vector
// under a mask), summed by sumTranspose8 into one vector of the block's
// results, scaled and stored at once.
func gemvNAVX512() {
	pa, lda, px, n, py, m := gemvArgs("gemvNAVX512")
	alpha, beta, zero := Z29, Z30, Z31
	ld3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, ld3)
	// K1: the columns of the last, partial, vector of x.
	r := GP64()
	MOVQ(n, r)
	ANDQ(U8(7), r)
	lowMask(r, K1)
	c0, c4, xp, cnt := GP64(), GP64(), GP64(), GP64()

	block := func(rows int) {
		p := fmt.Sprintf("gemvn%d_", rows)
		acc0, acc1 := zmm(0, rows), zmm(8, 8+rows)
		xv := []VecPhysical{Z16, Z17}
		for i := 0; i < rows; i++ {
			VPXORQ(acc0[i], acc0[i], acc0[i])
			VPXORQ(acc1[i], acc1[i], acc1[i])
		}
		// Row i of the block at c0 + i*lda (i < 4) or c4 + (i-4)*lda.
		MOVQ(pa, c0)
		LEAQ(Mem{Base: pa, Index: lda, Scale: 4}, c4)
		MOVQ(px, xp)
		elem := func(i, disp int) Mem {
			return rowAddr([]Register{c0, c4}, lda, ld3, i, disp)
		}
		MOVQ(n, cnt)
		SHRQ(U8(4), cnt)
		JZ(LabelRef(p + "eight"))
		Label(p + "loop")
		VMOVUPD(Mem{Base: xp}, xv[0])
		VMOVUPD(Mem{Base: xp, Disp: 64}, xv[1])
		for i := 0; i < rows; i++ {
			VFMADD231PD(elem(i, 0), xv[0], acc0[i])
			VFMADD231PD(elem(i, 64), xv[1], acc1[i])
		}
		ADDQ(U8(128), c0)
		if rows > 4 {
			ADDQ(U8(128), c4)
		}
		ADDQ(U8(128), xp)
		DECQ(cnt)
		JNZ(LabelRef(p + "loop"))
		Label(p + "eight")
		TESTQ(U32(8), n)
		JZ(LabelRef(p + "tail"))
		VMOVUPD(Mem{Base: xp}, xv[0])
		for i := 0; i < rows; i++ {
			VFMADD231PD(elem(i, 0), xv[0], acc0[i])
		}
		ADDQ(U8(64), c0)
		if rows > 4 {
			ADDQ(U8(64), c4)
		}
		ADDQ(U8(64), xp)
		Label(p + "tail")
		TESTQ(U32(7), n)
		JZ(LabelRef(p + "sum"))
		VMOVUPD_Z(Mem{Base: xp}, K1, xv[1])
		for i := 0; i < rows; i++ {
			VFMADD231PD(elem(i, 0), xv[1], K1, acc1[i])
		}
		Label(p + "sum")
		for i := 0; i < rows; i++ {
			VADDPD(acc1[i], acc0[i], acc0[i])
		}
		s := sumTranspose8(acc0, zero, zmm(18, 24))

		// y[0:rows] = alpha*s, or alpha*s + beta*y, in the register width
		// that holds rows lanes.
		w := func(v VecPhysical) Register {
			switch rows {
			case 8:
				return v
			case 4:
				return v.AsY()
			}
			return v.AsX()
		}
		sv, tv, al, be := w(s), w(Z24), w(alpha), w(beta)
		yv := Mem{Base: py}
		VUCOMISD(zero.AsX(), beta.AsX())
		JNE(LabelRef(p + "beta"))
		JP(LabelRef(p + "beta"))
		if rows == 1 {
			VMULSD(al, sv, sv)
			VMOVSD(sv, yv)
		} else {
			VMULPD(al, sv, sv)
			VMOVUPD(sv, yv)
		}
		JMP(LabelRef(p + "next"))
		Label(p + "beta")
		if rows == 1 {
			VMULSD(yv, be, tv)
			VFMADD231SD(al, sv, tv)
			VMOVSD(tv, yv)
		} else {
			VMULPD(yv, be, tv)
			VFMADD231PD(al, sv, tv)
			VMOVUPD(tv, yv)
		}
		Label(p + "next")
		ADDQ(U8(8*rows), py)
		switch rows {
		case 8:
			LEAQ(Mem{Base: pa, Index: lda, Scale: 8}, pa)
		case 4, 2, 1:
			LEAQ(Mem{Base: pa, Index: lda, Scale: uint8(rows)}, pa)
		}
		SUBQ(U8(rows), m)
	}

	// Blocks of eight rows while as many are left, then at most one each
	// of four, two and one.
	for _, rows := range []int{8, 4, 2, 1} {
		next := fmt.Sprintf("gemvn_rows%d", rows/2)
		if rows == 1 {
			next = "gemvn_done"
		}
		vm.Stage(fmt.Sprintf("gemvn_rows%d", rows), next, m, rows, rows == 8, func() { block(rows) })
	}
	Label("gemvn_done")
	VZEROUPPER()
	RET()
}

// gemvTAVX512 emits gemvTAVX512: y[j] = alpha*sum_i x[i]*a[i*lda+j] +
// beta*y[j] for j < len(y) and i < len(x), y not read when beta is 0.
// Columns go in blocks of 64 (eight vectors of accumulators), and the last
// 1..63 in one block of one to eight vectors, the last under a mask; each
// block sweeps down all rows and is scaled and stored as it ends. A block
// of five or more vectors adds the rows in increasing i with one rounding
// per product (the reference's order); a narrower block adds the even and
// the odd rows in two sets of accumulators, so that at least eight FMA
// chains run at once, and adds the two sets at the end.
func gemvTAVX512() {
	pa, lda, px, m, py, n := gemvArgs("gemvTAVX512")
	alpha, beta, zero := Z29, Z30, Z31
	rp, xp, cnt := GP64(), GP64(), GP64()

	// block emits one block of nv vectors of columns, the last under the
	// mask K1 when masked.
	block := func(nv int, masked bool) {
		p := fmt.Sprintf("gemvt%d_", nv)
		if masked {
			p = fmt.Sprintf("gemvtm%d_", nv)
		}
		sets := 1
		if nv <= 4 {
			sets = 2
		}
		acc := zmm(0, sets*nv)
		xb := []VecPhysical{Z16, Z17}
		for _, z := range acc {
			VPXORQ(z, z, z)
		}
		// mem emits the instruction op on vector v of a row at base+idx,
		// under K1 when v is the masked one.
		isMasked := func(v int) bool { return masked && v == nv-1 }
		fma := func(set, v int, row Mem) {
			if isMasked(v) {
				VFMADD231PD(row, xb[set], K1, acc[set*nv+v])
			} else {
				VFMADD231PD(row, xb[set], acc[set*nv+v])
			}
		}
		MOVQ(pa, rp)
		MOVQ(px, xp)
		MOVQ(m, cnt)
		if sets == 2 {
			SHRQ(U8(1), cnt)
			JZ(LabelRef(p + "odd"))
			Label(p + "rows2")
			VBROADCASTSD(Mem{Base: xp}, xb[0])
			VBROADCASTSD(Mem{Base: xp, Disp: 8}, xb[1])
			for v := 0; v < nv; v++ {
				fma(0, v, Mem{Base: rp, Disp: 64 * v})
				fma(1, v, Mem{Base: rp, Index: lda, Scale: 1, Disp: 64 * v})
			}
			LEAQ(Mem{Base: rp, Index: lda, Scale: 2}, rp)
			ADDQ(U8(16), xp)
			DECQ(cnt)
			JNZ(LabelRef(p + "rows2"))
			Label(p + "odd")
			TESTQ(U32(1), m)
			JZ(LabelRef(p + "sets"))
			VBROADCASTSD(Mem{Base: xp}, xb[0])
			for v := 0; v < nv; v++ {
				fma(0, v, Mem{Base: rp, Disp: 64 * v})
			}
			Label(p + "sets")
			for v := 0; v < nv; v++ {
				VADDPD(acc[nv+v], acc[v], acc[v])
			}
		} else {
			TESTQ(cnt, cnt)
			JZ(LabelRef(p + "scale"))
			Label(p + "row")
			VBROADCASTSD(Mem{Base: xp}, xb[0])
			for v := 0; v < nv; v++ {
				fma(0, v, Mem{Base: rp, Disp: 64 * v})
			}
			ADDQ(lda, rp)
			ADDQ(U8(8), xp)
			DECQ(cnt)
			JNZ(LabelRef(p + "row"))
			Label(p + "scale")
		}

		VUCOMISD(zero.AsX(), beta.AsX())
		JNE(LabelRef(p + "beta"))
		JP(LabelRef(p + "beta"))
		for v := 0; v < nv; v++ {
			ym := Mem{Base: py, Disp: 64 * v}
			VMULPD(alpha, acc[v], acc[v])
			if isMasked(v) {
				VMOVUPD(acc[v], K1, ym)
			} else {
				VMOVUPD(acc[v], ym)
			}
		}
		JMP(LabelRef(p + "next"))
		Label(p + "beta")
		for v := 0; v < nv; v++ {
			ym := Mem{Base: py, Disp: 64 * v}
			t := Z18
			if isMasked(v) {
				VMULPD_Z(ym, beta, K1, t)
				VFMADD231PD(alpha, acc[v], t)
				VMOVUPD(t, K1, ym)
			} else {
				VMULPD(ym, beta, t)
				VFMADD231PD(alpha, acc[v], t)
				VMOVUPD(t, ym)
			}
		}
		Label(p + "next")
	}

	vm.Stage("gemvt_cols64", "gemvt_last", n, 64, true, func() {
		block(8, false)
		ADDQ(U32(512), pa)
		ADDQ(U32(512), py)
		SUBQ(U8(64), n)
	})

	// The last n (0..63) columns: nv = ceil(n/8) vectors, the last of them
	// holding r = n - 8*(nv-1) columns under K1.
	Label("gemvt_last")
	TESTQ(n, n)
	JZ(LabelRef("gemvt_done"))
	DECQ(n)
	r := GP64()
	MOVQ(n, r)
	ANDQ(U8(7), r)
	INCQ(r)
	lowMask(r, K1)
	SHRQ(U8(3), n)
	for nv := 1; nv < 8; nv++ {
		CMPQ(n, U8(nv-1))
		JEQ(LabelRef(fmt.Sprintf("gemvt_last%d", nv)))
	}
	for nv := 8; nv >= 1; nv-- {
		Label(fmt.Sprintf("gemvt_last%d", nv))
		block(nv, true)
		JMP(LabelRef("gemvt_done"))
	}
	Label("gemvt_done")
	VZEROUPPER()
	RET()
}
