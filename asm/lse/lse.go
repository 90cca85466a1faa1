package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// tailMask loads the mask of the first n&3 lanes from the table masks.
func tailMask(masks Mem, n reg.Register) reg.VecVirtual {
	r := GP64()
	MOVQ(n, r)
	ANDQ(Imm(3), r)
	return vm.TailMask(masks, r)
}

// allLanes combines the four lanes of v with op (VMAXPD or VADDPD) so that
// every lane holds the result.
func allLanes(op func(ops ...Op), v reg.VecVirtual) reg.VecVirtual {
	t := YMM()
	VPERM2F128(U8(1), v, v, t)
	op(v, t, t)
	u := YMM()
	VPERMILPD(U8(5), t, u)
	op(t, u, u)
	return u
}

// logSumExp emits lseAVX2: out[r] = log sum_c exp(x[r*cols+c]) for
// r < len(out), as m + log(sum exp(x - m)) with m the row maximum; a row
// with a NaN gives NaN, one whose maximum is +-Inf gives that maximum.
func logSumExp(masks Mem) {
	x, out, rows, cols := lseFunc("lseAVX2")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	mask := tailMask(masks, cols)
	nvec := GP64()
	MOVQ(cols, nvec)
	SHRQ(Imm(2), nvec)
	rem := GP64()
	MOVQ(cols, rem)
	ANDQ(Imm(3), rem)

	// pass emits a loop over the row's whole vectors, then its last cols%4
	// elements: step(v, nil) for each whole vector v, step(v, mask) for
	// the last elements, loaded under mask.
	p, c := GP64(), GP64()
	pass := func(name string, step func(v, mask reg.VecVirtual)) {
		loop, tail, done := name+"loop", name+"tail", name+"done"
		MOVQ(x, p)
		MOVQ(nvec, c)
		TESTQ(c, c)
		JZ(LabelRef(tail))
		Label(loop)
		v := YMM()
		VMOVUPD(Mem{Base: p}, v)
		step(v, nil)
		ADDQ(Imm(32), p)
		DECQ(c)
		JNZ(LabelRef(loop))
		Label(tail)
		TESTQ(rem, rem)
		JZ(LabelRef(done))
		v = YMM()
		VMASKMOVPD(Mem{Base: p}, mask, v)
		step(v, mask)
		Label(done)
	}
	// lowest sets the lanes of v outside mask to -Inf.
	lowest := func(v, mask reg.VecVirtual) {
		if mask != nil {
			VBLENDVPD(mask, v, vm.Splat(math.Inf(-1)), v)
		}
	}

	Label("row")
	Comment("Pass 1: the row maximum, and whether it holds a NaN.")
	mx := vm.Splat(math.Inf(-1))
	nan := vm.Zero()
	pass("max", func(v, mask reg.VecVirtual) {
		lowest(v, mask)
		VORPD(vm.Cmp(vm.CmpUnord, v, v), nan, nan)
		VMAXPD(v, mx, mx)
	})
	g := vm.AnyLane(nan)
	TESTL(g, g)
	JNZ(LabelRef("nanrow"))
	m := allLanes(VMAXPD, mx)
	fin := vm.Cmp(vm.CmpLT, vm.Abs(m), vm.Const(math.Inf(1)))
	g = vm.AnyLane(fin)
	TESTL(g, g)
	JZ(LabelRef("infrow"))

	Comment("Pass 2: the sum of exp(x - m), each term in (0, 1].")
	acc := vm.Zero()
	pass("sum", func(v, mask reg.VecVirtual) {
		VSUBPD(m, v, v)
		lowest(v, mask)
		VADDPD(vm.Exp(v), acc, acc)
	})
	s := allLanes(VADDPD, acc)
	zero := vm.Zero()
	l := vm.LogU(s, zero) // s >= 1: the maximum contributes exactly 1
	VADDSD(m.AsX(), l.AsX(), l.AsX())
	VMOVSD(l.AsX(), Mem{Base: out})
	JMP(LabelRef("next"))

	Label("infrow")
	Comment("The maximum is infinite: it is the result.")
	VMOVSD(m.AsX(), Mem{Base: out})
	JMP(LabelRef("next"))

	Label("nanrow")
	nanv := XMM()
	VMOVSD(vm.Const(math.NaN()), nanv)
	VMOVSD(nanv, Mem{Base: out})

	Label("next")
	MOVQ(cols, c)
	SHLQ(Imm(3), c)
	ADDQ(c, x)
	ADDQ(Imm(8), out)
	DECQ(rows)
	JNZ(LabelRef("row"))

	Label("done")
	VZEROUPPER()
	RET()
}

// lseFunc declares the log-sum-exp kernel name (of a tier) and loads its
// arguments: the bases of x and out, the number of rows len(out), and
// cols.
func lseFunc(name string) (x, out, rows, cols reg.Register) {
	TEXT(name, NOSPLIT, "func(x, out []float64, cols int)")
	Doc(name + " is LogSumExp on len(out) rows of cols > 0 columns.")
	return args.Base("x"), args.Base("out"), args.Len("out"), args.Int("cols")
}

// mixtureArgs loads the arguments that the mixture kernels share, in the
// order of their signatures: the bases of z, mu and logw, the number of
// components k = len(logw), and the base of work.
func mixtureArgs() (z, mu, logw, k, work reg.Register) {
	return args.Base("z"), args.Base("mu"), args.Base("logw"), args.Len("logw"), args.Base("work")
}

// gmm2Args loads the arguments of the mixture kernels for points in two
// dimensions: those of mixtureArgs, then the base of out and the number of
// points len(out).
func gmm2Args() (z, mu, logw, k, work, out, n reg.Register) {
	z, mu, logw, k, work = mixtureArgs()
	return z, mu, logw, k, work, args.Base("out"), args.Len("out")
}

// distance emits the squared distance of the point at z and the mean at mu
// (d coordinates, from the register given to setup) into the low lane of an
// XMM register.
type distance func(z, mu reg.Register) reg.VecVirtual

// gmmDist emits name: work[s*k+j] = logw[j] - |z_s - mu_j|^2 / 2 for the
// len(work)/k rows z_s of z (d columns) and the k = len(logw) rows mu_j of
// mu, the squared distance summed from direct differences (no cancellation
// far from the origin) by the distance that setup returns, after emitting
// what it needs before the loops.
func gmmDist(name string, setup func(d reg.Register) distance) {
	TEXT(name, NOSPLIT, "func(z, mu, logw, work []float64, d int)")
	Doc(name + " writes the mixture's log-weights minus half the squared distances to work.")
	z, mu0, lw0, k, work := mixtureArgs()
	nw, d := args.Len("work"), args.Int("d")
	TESTQ(nw, nw)
	JZ(LabelRef("gdone"))
	dist := setup(d)
	stride := GP64()
	MOVQ(d, stride)
	SHLQ(Imm(3), stride)
	end := GP64()
	LEAQ(Mem{Base: work, Index: nw, Scale: 8}, end)

	Label("gsample")
	mu := GP64()
	MOVQ(mu0, mu)
	j := GP64()
	XORQ(j, j)
	Label("gcomp")
	x := dist(z, mu)
	h := XMM()
	VMOVSD(Mem{Base: lw0, Index: j, Scale: 8}, h)
	VFNMADD231SD(vm.Const(0.5), x, h) // logw_j - q/2
	VMOVSD(h, Mem{Base: work})
	ADDQ(Imm(8), work)
	ADDQ(stride, mu)
	INCQ(j)
	CMPQ(j, k)
	JB(LabelRef("gcomp"))
	ADDQ(stride, z)
	CMPQ(work, end)
	JB(LabelRef("gsample"))

	Label("gdone")
	VZEROUPPER()
	RET()
}

// distAVX2 is gmmDistAVX2's distance: four coordinates at a time in one
// accumulator, the last d%4 through the tail masks.
func distAVX2(masks Mem) func(d reg.Register) distance {
	return func(d reg.Register) distance {
		mask := tailMask(masks, d)
		vend := GP64() // d rounded down to whole vectors
		MOVQ(d, vend)
		ANDQ(I32(-4), vend)
		rem := GP64()
		MOVQ(d, rem)
		ANDQ(Imm(3), rem)
		return func(z, mu reg.Register) reg.VecVirtual {
			acc := vm.Zero()
			i := GP64()
			XORQ(i, i)
			TESTQ(vend, vend)
			JZ(LabelRef("gtail"))
			Label("gloop")
			e := YMM()
			VMOVUPD(Mem{Base: z, Index: i, Scale: 8}, e)
			VSUBPD(Mem{Base: mu, Index: i, Scale: 8}, e, e)
			VFMADD231PD(e, e, acc)
			ADDQ(Imm(4), i)
			CMPQ(i, vend)
			JB(LabelRef("gloop"))
			Label("gtail")
			TESTQ(rem, rem)
			JZ(LabelRef("gsum"))
			a, b := YMM(), YMM()
			VMASKMOVPD(Mem{Base: z, Index: i, Scale: 8}, mask, a)
			VMASKMOVPD(Mem{Base: mu, Index: i, Scale: 8}, mask, b)
			VSUBPD(b, a, a)
			VFMADD231PD(a, a, acc)
			Label("gsum")
			return vm.Reduce(VADDPD, acc)
		}
	}
}

// gmm2 emits gmm2AVX2, the whole mixture log-density (without the constant
// log 2 pi) for points in two dimensions, four points per register: for each
// block of four points, work[s*k+j] = logw[j] - |z_s - mu_j|^2/2 formed in
// the reference's order (e0 e0, then e1 e1 fused), the maximum over j, then
// the sum of exp(work - max) and its logarithm. A point with a NaN term gives
// NaN; one whose maximum is infinite gives that maximum.
func gmm2() {
	TEXT("gmm2AVX2", NOSPLIT, "func(z, mu, logw, work, out []float64)")
	Doc("gmm2AVX2 is GMMLogDensity for d = 2 on len(out) (a multiple of 4) points, before subtracting log 2 pi.")
	z, mu0, lw0, k, work, out, nb := gmm2Args()
	SHRQ(Imm(2), nb)
	JZ(LabelRef("qdone"))
	kb := GP64() // bytes per row of work
	MOVQ(k, kb)
	SHLQ(Imm(3), kb)
	kb3 := GP64()
	LEAQ(Mem{Base: kb, Index: kb, Scale: 2}, kb3)

	// term returns logw_j - q/2 for the four points, mu_j at mu, logw_j at lw.
	term := func(za, zb reg.VecVirtual, mu, lw reg.GPVirtual) reg.VecVirtual {
		ea, eb := YMM(), YMM()
		VBROADCASTSD(Mem{Base: mu}, ea)
		VSUBPD(ea, za, ea)
		VBROADCASTSD(Mem{Base: mu, Disp: 8}, eb)
		VSUBPD(eb, zb, eb)
		q := YMM()
		VMULPD(ea, ea, q)
		VFMADD231PD(eb, eb, q)
		VMULPD(vm.Const(0.5), q, q)
		v := YMM()
		VBROADCASTSD(Mem{Base: lw}, v)
		VSUBPD(q, v, v)
		return v
	}

	Label("qblock")
	lo, hi := YMM(), YMM()
	VMOVUPD(Mem{Base: z}, lo)
	VMOVUPD(Mem{Base: z, Disp: 32}, hi)
	za, zb := YMM(), YMM()
	VUNPCKLPD(hi, lo, za) // points in the order 0, 2, 1, 3
	VUNPCKHPD(hi, lo, zb)
	VPERMPD(U8(0xd8), za, za) // points 0, 1, 2, 3
	VPERMPD(U8(0xd8), zb, zb)

	Comment("Pass 1: the terms into work, their maximum, and whether one is NaN.")
	mx := vm.Splat(math.Inf(-1))
	nan := vm.Zero()
	mu, lw, wp, j := GP64(), GP64(), GP64(), GP64()
	MOVQ(mu0, mu)
	MOVQ(lw0, lw)
	MOVQ(work, wp)
	MOVQ(k, j)
	Label("qmax")
	v := term(za, zb, mu, lw)
	VMOVSD(v.AsX(), Mem{Base: wp})
	VMOVHPD(v.AsX(), Mem{Base: wp, Index: kb, Scale: 1})
	up := XMM()
	VEXTRACTF128(U8(1), v, up)
	VMOVSD(up, Mem{Base: wp, Index: kb, Scale: 2})
	VMOVHPD(up, Mem{Base: wp, Index: kb3, Scale: 1})
	VORPD(vm.Cmp(vm.CmpUnord, v, v), nan, nan)
	VMAXPD(v, mx, mx)
	ADDQ(Imm(16), mu)
	ADDQ(Imm(8), lw)
	ADDQ(Imm(8), wp)
	DECQ(j)
	JNZ(LabelRef("qmax"))

	Comment("Pass 2: the sum of exp(term - max), recomputing the terms.")
	acc := vm.Zero()
	MOVQ(mu0, mu)
	MOVQ(lw0, lw)
	MOVQ(k, j)
	Label("qsum")
	v = term(za, zb, mu, lw)
	VSUBPD(mx, v, v)
	VADDPD(vm.Exp(v), acc, acc)
	ADDQ(Imm(16), mu)
	ADDQ(Imm(8), lw)
	DECQ(j)
	JNZ(LabelRef("qsum"))
	zero := vm.Zero()
	l := vm.LogU(acc, zero) // acc >= 1 where the maximum is finite
	VADDPD(mx, l, l)
	fin := vm.Cmp(vm.CmpLT, vm.Abs(mx), vm.Const(math.Inf(1)))
	VBLENDVPD(fin, l, mx, l)
	VBLENDVPD(nan, vm.Splat(math.NaN()), l, l)
	VMOVUPD(l, Mem{Base: out})

	ADDQ(Imm(64), z)
	LEAQ(Mem{Base: work, Index: kb, Scale: 4}, work)
	ADDQ(Imm(32), out)
	DECQ(nb)
	JNZ(LabelRef("qblock"))

	Label("qdone")
	VZEROUPPER()
	RET()
}
