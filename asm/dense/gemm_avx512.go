package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
)

// zmm returns the zmm registers Z0..Z31 from first up to, not including,
// last.
func zmm(first, last int) []VecPhysical {
	all := []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}
	return all[first:last]
}

// rowAddr returns the address of row i, plus disp bytes, of a matrix whose
// row 4q starts at bases[q], ld and ld3 holding one and three row strides
// in bytes.
func rowAddr(bases []Register, ld, ld3 Register, i, disp int) Mem {
	b := bases[i/4]
	switch i % 4 {
	case 0:
		return Mem{Base: b, Disp: disp}
	case 3:
		return Mem{Base: b, Index: ld3, Scale: 1, Disp: disp}
	}
	return Mem{Base: b, Index: ld, Scale: uint8(i % 4), Disp: disp}
}

// lowMask sets k to the mask of the low n bits, n in 0..63, clobbering RCX
// (the shift count).
func lowMask(n Register, k Register) {
	m := GP64()
	MOVQ(n, RCX)
	MOVQ(U32(1), m)
	SHLQ(CL, m)
	DECQ(m)
	KMOVQ(m, k)
}

// tile describes an AVX-512 GEMM micro-kernel: mr rows of C by nv zmm
// vectors (8*nv columns), reading packed panels pmr rows and pnr columns
// wide: a kernel for the edges of C reads the first mr rows or 8*nv columns
// of the full tile's panels.
type tile struct {
	mr, nv, pmr, pnr int
}

func (t tile) nr() int { return 8 * t.nv }

func (t tile) name() string { return fmt.Sprintf("gemmKernel%dx%dAVX512", t.mr, t.nr()) }

// gemmTile emits the AVX-512 micro-kernel t: C[0:rows, 0:cols] =
// alpha*Ap*Bp + beta*C for a packed A panel (kc x mr, element (i, p) at
// p*mr+i) and a packed B panel (kc x nr, element (p, j) at p*nr+j), with
// 1 <= rows <= mr and 1 <= cols <= nr; when beta is 0, C is not read. The
// whole tile is computed (the packing pads panels with zeros); the rows and
// columns outside C are neither read nor written: rows by stopping early,
// columns by opmasks.
func gemmTile(t tile) {
	mr, nv, nr, pmr, pnr := t.mr, t.nv, t.nr(), t.pmr, t.pnr
	name := t.name()
	TEXT(name, NOSPLIT, "func(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)")
	Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + beta*C from packed panels, C clipped to rows x cols.", name, mr, nr))

	// mr*nv accumulators, nv registers for a row of B, and the others
	// (five for the 8x24 tile) for the broadcasts of A, in turn so that a
	// broadcast need not wait for the FMAs of the one before.
	nacc := mr * nv
	acc := func(i, j int) VecPhysical { return zmm(0, nacc)[i*nv+j] }
	bv := zmm(nacc, nacc+nv)
	av := zmm(nacc+nv, 32)

	kc, pa, pb, pc, ldc := gemmArgs()
	ldc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	// Rows of C: bases[q] is row 4q.
	bases := []Register{pc}
	for q := 1; q < (mr+3)/4; q++ {
		r := GP64()
		LEAQ(Mem{Base: bases[q-1], Index: ldc, Scale: 4}, r)
		bases = append(bases, r)
	}
	row := func(i, disp int) Mem { return rowAddr(bases, ldc, ldc3, i, disp) }
	for i := 0; i < mr; i++ {
		for j := 0; j < nv; j++ {
			PREFETCHT0(row(i, 64*j))
		}
		PREFETCHT0(row(i, 8*nr-8))
	}
	for i := 0; i < mr; i++ {
		for j := 0; j < nv; j++ {
			VPXORQ(acc(i, j), acc(i, j), acc(i, j))
		}
	}

	step := func(u int) {
		for j := 0; j < nv; j++ {
			VMOVUPD(Mem{Base: pb, Disp: 8 * (u*pnr + 8*j)}, bv[j])
		}
		for i := 0; i < mr; i++ {
			a := av[i%len(av)]
			VBROADCASTSD(Mem{Base: pa, Disp: 8 * (u*pmr + i)}, a)
			for j := 0; j < nv; j++ {
				VFMADD231PD(bv[j], a, acc(i, j))
			}
		}
	}

	p := name + "_"
	kSteps(p, kc, pa, pb, pmr, pnr, step)

	// The epilogue: C = alpha*acc (beta == 0, C not read) or
	// alpha*acc + beta*C, through masks k[j] for the columns 8j..8j+7
	// when the tile is clipped.
	Label(p + "store")
	alpha, beta, tmp := bv[0], zmm(nacc+1, nacc+2)[0], zmm(nacc+2, nacc+3)[0]
	if nacc+3 > 31 {
		panic("the epilogue needs three free registers below Z31")
	}
	VBROADCASTSD(args.Addr(Param("alpha")), alpha)
	rows, cols := args.Int("rows"), args.Int("cols")
	masks := []Register{K1, K2, K3, K4, K5, K6, K7}[:nv]
	lowMask(cols, masks[0])
	for j := 1; j < nv; j++ {
		KSHIFTRQ(U8(8*j), masks[0], masks[j])
	}
	VMOVSD(args.Addr(Param("beta")), X31)
	VXORPD(X30, X30, X30)

	// epilogue emits the stores of a whole tile (clipped false: plain
	// stores) or of a clipped one (masks, and a way out after the last
	// row of C). When beta is not 0, C is read in full before any of it is
	// written: a masked store's 64 bytes may reach into the next row, and a
	// load of that row after it would wait for the store to complete.
	epilogue := func(q string, clipped bool) {
		mask := func(j int) Register {
			if clipped {
				return masks[j]
			}
			return nil
		}
		put := func(i, j int) {
			if k := mask(j); k != nil {
				VMOVUPD(acc(i, j), k, row(i, 64*j))
			} else {
				VMOVUPD(acc(i, j), row(i, 64*j))
			}
		}
		lastRow := func(i int, exit string) {
			if clipped && i+1 < mr {
				CMPQ(rows, U8(i+1))
				JEQ(LabelRef(exit))
			}
		}
		VUCOMISD(X30, X31)
		JNE(LabelRef(q + "beta"))
		JP(LabelRef(q + "beta"))
		for i := 0; i < mr; i++ {
			for j := 0; j < nv; j++ {
				VMULPD(alpha, acc(i, j), acc(i, j))
				put(i, j)
			}
			lastRow(i, q+"done")
		}
		JMP(LabelRef(q + "done"))

		Label(q + "beta")
		VBROADCASTSD(X31, beta)
		for i := 0; i < mr; i++ {
			for j := 0; j < nv; j++ {
				if k := mask(j); k != nil {
					VMULPD_Z(row(i, 64*j), beta, k, tmp)
				} else {
					VMULPD(row(i, 64*j), beta, tmp)
				}
				VFMADD213PD(tmp, alpha, acc(i, j))
			}
			lastRow(i, q+"beta_store")
		}
		Label(q + "beta_store")
		for i := 0; i < mr; i++ {
			for j := 0; j < nv; j++ {
				put(i, j)
			}
			lastRow(i, q+"done")
		}
		Label(q + "done")
		VZEROUPPER()
		RET()
	}
	CMPQ(rows, U8(mr))
	JNE(LabelRef(p + "clipped"))
	CMPQ(cols, U8(nr))
	JNE(LabelRef(p + "clipped"))
	epilogue(p+"whole_", false)
	Label(p + "clipped")
	epilogue(p+"clipped_", true)
}

// gemmRank1 emits gemmRank1AVX512: c[i*ldc+j] = a[i*astride]*b[j] +
// beta*c[i*ldc+j] for i < m and j < len(b), the product and the sum rounded
// once together after beta*c is rounded, c not read when beta is 0: the
// rank-one update of GEMM with k = 1, row by row, 32 columns at a time, then
// 8, then the last 1..7 under a mask when C is not read, else one by one.
func gemmRank1() {
	TEXT("gemmRank1AVX512", NOSPLIT, "func(m int, a []float64, astride int, b, c []float64, ldc int, beta float64)")
	m, pa, as := args.Int("m"), args.Base("a"), args.Stride("astride")
	pb, n, pc, ldc := args.Base("b"), args.Len("b"), args.Base("c"), args.Stride("ldc")
	beta, ai := Z30, Z31
	VBROADCASTSD(args.Addr(Param("beta")), beta)
	n32, n8 := GP64(), GP64()
	MOVQ(n, n8)
	ANDQ(U8(7), n8)
	lowMask(n8, K1)
	MOVQ(n, n32)
	ANDQ(I32(-32), n32)
	MOVQ(n, n8)
	ANDQ(I32(-8), n8)
	j := GP64()
	v := zmm(0, 4)
	VPXORQ(ai.AsX(), ai.AsX(), ai.AsX())
	VUCOMISD(ai.AsX(), beta.AsX())
	JNE(LabelRef("rank1_beta"))
	JP(LabelRef("rank1_beta"))

	rows := func(p string, betaZero bool) {
		// update emits one vector of the row, under mask k unless nil.
		update := func(u int, k Register) {
			bm := Mem{Base: pb, Index: j, Scale: 8, Disp: 64 * u}
			cm := Mem{Base: pc, Index: j, Scale: 8, Disp: 64 * u}
			switch {
			case betaZero && k == nil:
				VMULPD(bm, ai, v[u])
				VMOVUPD(v[u], cm)
			case betaZero:
				VMULPD_Z(bm, ai, k, v[u])
				VMOVUPD(v[u], k, cm)
			case k == nil:
				VMULPD(cm, beta, v[u])
				VFMADD231PD(bm, ai, v[u])
				VMOVUPD(v[u], cm)
			default:
				VMULPD_Z(cm, beta, k, v[u])
				VFMADD231PD(bm, ai, k, v[u])
				VMOVUPD(v[u], k, cm)
			}
		}
		Label(p + "row")
		VBROADCASTSD(Mem{Base: pa}, ai)
		XORQ(j, j)
		CMPQ(n32, U8(0))
		JE(LabelRef(p + "eights"))
		Label(p + "cols")
		for u := range v {
			update(u, nil)
		}
		ADDQ(U8(32), j)
		CMPQ(j, n32)
		JB(LabelRef(p + "cols"))
		Label(p + "eights")
		CMPQ(j, n8)
		JAE(LabelRef(p + "tail"))
		update(0, nil)
		ADDQ(U8(8), j)
		JMP(LabelRef(p + "eights"))
		Label(p + "tail")
		CMPQ(j, n)
		JAE(LabelRef(p + "next"))
		if betaZero {
			update(0, K1)
		} else {
			// Element by element: a masked store, whose 64 bytes may
			// reach into the next row, would stall that row's loads.
			Label(p + "tail_loop")
			cm := Mem{Base: pc, Index: j, Scale: 8}
			VMULSD(cm, beta.AsX(), X0)
			VFMADD231SD(Mem{Base: pb, Index: j, Scale: 8}, ai.AsX(), X0)
			VMOVSD(X0, cm)
			INCQ(j)
			CMPQ(j, n)
			JB(LabelRef(p + "tail_loop"))
		}
		Label(p + "next")
		ADDQ(as, pa)
		ADDQ(ldc, pc)
		DECQ(m)
		JNZ(LabelRef(p + "row"))
		VZEROUPPER()
		RET()
	}
	rows("rank1_zero_", true)
	Label("rank1_beta")
	rows("rank1_beta_", false)
}
