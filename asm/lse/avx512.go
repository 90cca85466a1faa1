package main

import (
	"math"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// expNeg512 returns e^-y for lanes y >= 0 (or NaN), clamped at 746 where
// it is zero.
func expNeg512(y vm.Group) vm.Group {
	hi := vm.SplatZ(len(y), 746)
	y.Each(func(i int) { VMINPD(y[i], hi[i], y[i]) }) // NaN kept
	return vm.ExpNeg512(y)
}

// logSumExp512 emits lseAVX512: LogSumExp over the rows, two zmm per step
// in both passes, the last cols%8 columns under an opmask. The maximum
// ignores NaN (VMAXPD returns its second source, the running maximum,
// where the other is NaN): where it is finite, a NaN in the row reaches
// the result through exp(x - m); where it is infinite, the row is scanned
// for a NaN. The logarithms of eight rows are taken together: the rows'
// maxima and sums are gathered in the lanes of two registers by merge
// masking and log(S) + M is stored eight rows at a time.
func logSumExp512() {
	x, out, rows, cols := lseFunc("lseAVX512")
	TESTQ(rows, rows)
	JZ(LabelRef("ldone"))
	rem := GP64()
	MOVQ(cols, rem)
	ANDQ(Imm(7), rem)
	tk := vm.TailK(rem)
	nvec := GP64()
	MOVQ(cols, nvec)
	SHRQ(Imm(3), nvec)
	stride := GP64()
	MOVQ(cols, stride)
	SHLQ(Imm(3), stride)
	bit := GP64() // 1 << (row mod 8): the lane of the row's maximum and sum
	MOVQ(U32(1), bit)
	mv, sv := ZMM(), ZMM() // the maxima and sums of up to eight rows
	VXORPD(mv, mv, mv)
	VXORPD(sv, sv, sv)
	p, c := GP64(), GP64()

	// pass emits a loop over the row's vectors, two at a time, then one,
	// then the last cols%8 elements: step(m, j, mask) for the vector at
	// p + 64j (mask nil when whole).
	pass := func(name string, step func(g vm.Group, mask reg.OpmaskVirtual)) {
		two, one, tail, done := name+"2", name+"1", name+"tail", name+"done"
		MOVQ(x, p)
		MOVQ(nvec, c)
		vm.Stage(two, one, c, 2, true, func() {
			g := vm.NewGroup(2)
			g.Each(func(j int) { VMOVUPD(Mem{Base: p, Disp: 64 * j}, g[j]) })
			step(g, nil)
			ADDQ(U32(128), p)
			SUBQ(Imm(2), c)
		})
		vm.Stage(one, tail, c, 1, false, func() {
			g := vm.NewGroup(1)
			VMOVUPD(Mem{Base: p}, g[0])
			step(g, nil)
			ADDQ(Imm(64), p)
		})
		Label(tail)
		TESTQ(rem, rem)
		JZ(LabelRef(done))
		g := vm.NewGroup(1)
		VMOVUPD_Z(Mem{Base: p}, tk, g[0])
		step(g, tk)
		Label(done)
	}

	Label("lrow")
	Comment("Pass 1: the row maximum, ignoring NaN.")
	mx := vm.SplatZ(2, math.Inf(-1))
	pass("lmax", func(g vm.Group, mask reg.OpmaskVirtual) {
		if mask != nil {
			VMAXPD(mx[1], g[0], mask, mx[1])
			return
		}
		g.Each(func(j int) { VMAXPD(mx[j], g[j], mx[j]) })
	})
	VMAXPD(mx[1], mx[0], mx[0])
	m := vm.Reduce(VMAXPD, mx[0])
	mz := ZMM()
	VBROADCASTSD(m, mz)
	k := K()
	KMOVB(bit.As32(), k)
	VMOVAPD(mz, k, mv)
	a := XMM()
	VANDPD(vm.ConstBits(vm.AbsMask), m, a)
	VUCOMISD(vm.Const(math.Inf(1)), a)
	JE(LabelRef("linf"))

	Comment("Pass 2: the sum of exp(x - m), each term in (0, 1].")
	acc := vm.ZeroZ(2)
	pass("lsum", func(g vm.Group, mask reg.OpmaskVirtual) {
		g.Each(func(j int) { VSUBPD(g[j], mz, g[j]) }) // m - x
		e := expNeg512(g)
		if mask != nil {
			VADDPD(e[0], acc[1], mask, acc[1])
			return
		}
		e.Each(func(j int) { VADDPD(e[j], acc[j], acc[j]) })
	})
	VADDPD(acc[1], acc[0], acc[0])
	s := vm.Reduce(VADDPD, acc[0])
	VBROADCASTSD(s, k, sv)
	JMP(LabelRef("lnext"))

	Label("linf")
	Comment("The maximum is infinite: it is the result, unless the row holds a NaN.")
	VBROADCASTSD(vm.Const(1), k, sv)
	nan := K()
	pass("lnan", func(g vm.Group, mask reg.OpmaskVirtual) {
		for j := range g {
			if mask != nil {
				VCMPPD(U8(vm.CmpUnord), g[j], g[j], mask, nan)
			} else {
				VCMPPD(U8(vm.CmpUnord), g[j], g[j], nan)
			}
			KORTESTB(nan, nan)
			JNZ(LabelRef("lisnan"))
		}
	})
	JMP(LabelRef("lnext"))
	Label("lisnan")
	VBROADCASTSD(vm.Const(math.NaN()), k, mv)

	Label("lnext")
	SHLQ(Imm(1), bit)
	ADDQ(stride, x)
	DECQ(rows)
	CMPQ(bit, U32(0x100))
	JE(LabelRef("lflush"))
	TESTQ(rows, rows)
	JNZ(LabelRef("lrow"))

	Label("lflush")
	Comment("log S + M for the rows gathered (S = 1 where M is infinite or NaN).")
	DECQ(bit)
	KMOVB(bit.As32(), k)
	l := vm.Log512(vm.Group{sv})[0]
	VADDPD(mv, l, l)
	VMOVUPD(l, k, Mem{Base: out})
	ADDQ(Imm(64), out)
	MOVQ(U32(1), bit)
	TESTQ(rows, rows)
	JNZ(LabelRef("lrow"))

	Label("ldone")
	VZEROUPPER()
	RET()
}

// dist512 is gmmDistAVX512's distance: 32 coordinates a step in four
// accumulators (the AVX2 kernel's single chain is bound by the latency of
// its FMAs), then eight at a time, then the last d%8 under an opmask.
func dist512(d reg.Register) distance {
	rem := GP64()
	MOVQ(d, rem)
	ANDQ(Imm(7), rem)
	tk := vm.TailK(rem)
	return func(z, mu reg.Register) reg.VecVirtual {
		acc := vm.ZeroZ(4)
		p, q, c := GP64(), GP64(), GP64()
		MOVQ(z, p)
		MOVQ(mu, q)
		MOVQ(d, c)
		SHRQ(Imm(3), c) // whole vectors
		vm.Stage("g4", "g1", c, 4, true, func() {
			e := vm.NewGroup(4)
			e.Each(func(a int) { VMOVUPD(Mem{Base: p, Disp: 64 * a}, e[a]) })
			e.Each(func(a int) { VSUBPD(Mem{Base: q, Disp: 64 * a}, e[a], e[a]) })
			e.Each(func(a int) { VFMADD231PD(e[a], e[a], acc[a]) })
			ADDQ(U32(256), p)
			ADDQ(U32(256), q)
			SUBQ(Imm(4), c)
		})
		vm.Stage("g1", "gtail", c, 1, true, func() {
			v := ZMM()
			VMOVUPD(Mem{Base: p}, v)
			VSUBPD(Mem{Base: q}, v, v)
			VFMADD231PD(v, v, acc[0])
			ADDQ(Imm(64), p)
			ADDQ(Imm(64), q)
			DECQ(c)
		})
		Label("gtail")
		TESTQ(rem, rem)
		JZ(LabelRef("gsum"))
		a, b := ZMM(), ZMM()
		VMOVUPD_Z(Mem{Base: p}, tk, a)
		VMOVUPD_Z(Mem{Base: q}, tk, b)
		VSUBPD(b, a, a)
		VFMADD231PD(a, a, acc[1])
		Label("gsum")
		VADDPD(acc[1], acc[0], acc[0])
		VADDPD(acc[3], acc[2], acc[2])
		VADDPD(acc[2], acc[0], acc[0])
		return vm.Reduce(VADDPD, acc[0])
	}
}

// gmm2512 emits gmm2AVX512, gmm2AVX2's work in AVX-512 on every point:
// sixteen points at a time (two zmm, interleaving their chains), then
// eight, then the last one to seven under opmasks. Each term is formed as
// the reference forms it (e0 e0, then e1 e1 fused, then logw - q/2 in one
// rounding), so work holds the reference's values. The maximum over the
// components ignores NaN; a NaN term reaches the result through the sum
// where the maximum is finite, and where it is infinite the terms are
// scanned for NaN again.
func gmm2512() {
	TEXT("gmm2AVX512", NOSPLIT, "func(z, mu, logw, work, out []float64)")
	Doc("gmm2AVX512 is GMMLogDensity for d = 2 on len(out) points, before subtracting log 2 pi.")
	z, mu0, lw0, k, work, out, n := gmm2Args()
	kb := GP64() // bytes per row of work
	MOVQ(k, kb)
	SHLQ(Imm(3), kb)
	pts := vm.NewPoints2(false)
	mu, lw, wp, j := GP64(), GP64(), GP64(), GP64()

	// term returns logw_j - |z - mu_j|^2/2 for the members of g, mu_j at
	// mu and logw_j at lw.
	term := func(za, zb vm.Group) vm.Group {
		g := len(za)
		ea, eb := vm.NewGroup(g), vm.NewGroup(g)
		ea.Each(func(i int) { VSUBPD_BCST(Mem{Base: mu}, za[i], ea[i]) })
		eb.Each(func(i int) { VSUBPD_BCST(Mem{Base: mu, Disp: 8}, zb[i], eb[i]) })
		ea.Each(func(i int) { VMULPD(ea[i], ea[i], ea[i]) })
		ea.Each(func(i int) { VFMADD231PD(eb[i], eb[i], ea[i]) }) // q
		v := vm.NewGroup(g)
		v.Each(func(i int) { VBROADCASTSD(Mem{Base: lw}, v[i]) })
		v.Each(func(i int) { VFNMADD231PD_BCST(vm.Const(0.5), ea[i], v[i]) }) // logw_j - q/2
		return v
	}

	// store writes lane e of the members of v (the first r points under
	// masks) to work at wp + (8 i + e) kb.
	store := func(v vm.Group, masks *vm.PointMasks, skip string) {
		row := GP64()
		MOVQ(wp, row)
		for i := range v {
			for q := 0; q < 4; q++ {
				x := v[i].AsX()
				if q > 0 {
					x = XMM()
					VEXTRACTF64X2(U8(q), v[i], x)
				}
				for h := 0; h < 2; h++ {
					if masks != nil {
						CMPQ(n, Imm(uint64(8*i+2*q+h)))
						JBE(LabelRef(skip))
					}
					if h == 0 {
						VMOVSD(x, Mem{Base: row})
					} else {
						VMOVHPD(x, Mem{Base: row})
					}
					ADDQ(kb, row)
				}
			}
		}
	}

	block := func(g int, masks *vm.PointMasks) {
		max, stored, sum, nan, put := vm.NewLabel("qmax"), vm.NewLabel("qstored"), vm.NewLabel("qsum"), vm.NewLabel("qnan"), vm.NewLabel("qstore")
		za, zb := vm.NewGroup(g), vm.NewGroup(g)
		for i := range za {
			za[i], zb[i] = pts.Load(Mem{Base: z, Disp: 128 * i}, masks)
		}
		Comment("Pass 1: the terms into work and their maximum, ignoring NaN.")
		mx := vm.SplatZ(g, math.Inf(-1))
		MOVQ(mu0, mu)
		MOVQ(lw0, lw)
		MOVQ(work, wp)
		MOVQ(k, j)
		Label(max)
		v := term(za, zb)
		store(v, masks, stored)
		Label(stored)
		mx.Each(func(i int) { VMAXPD(mx[i], v[i], mx[i]) })
		ADDQ(Imm(16), mu)
		ADDQ(Imm(8), lw)
		ADDQ(Imm(8), wp)
		DECQ(j)
		JNZ(LabelRef(max))

		Comment("Pass 2: the sum of exp(term - max), recomputing the terms.")
		acc := vm.ZeroZ(g)
		MOVQ(mu0, mu)
		MOVQ(lw0, lw)
		MOVQ(k, j)
		Label(sum)
		v = term(za, zb)
		v.Each(func(i int) { VSUBPD(v[i], mx[i], v[i]) }) // max - term
		e := expNeg512(v)
		acc.Each(func(i int) { VADDPD(e[i], acc[i], acc[i]) })
		ADDQ(Imm(16), mu)
		ADDQ(Imm(8), lw)
		DECQ(j)
		JNZ(LabelRef(sum))
		l := vm.Log512(acc)
		l.Each(func(i int) { VADDPD(mx[i], l[i], l[i]) })

		Comment("Where the maximum is infinite it is the result, or NaN if a term is NaN.")
		inf := make([]reg.OpmaskVirtual, g)
		for i := range inf {
			inf[i] = K()
			VFPCLASSPDZ(U8(0x18), mx[i], inf[i]) // +Inf or -Inf
			if i > 0 {
				KORB(inf[i], inf[0], inf[0])
			}
		}
		KORTESTB(inf[0], inf[0])
		JZ(LabelRef(put))
		l.Each(func(i int) { VMOVAPD(mx[i], inf[i], l[i]) })
		MOVQ(mu0, mu)
		MOVQ(lw0, lw)
		MOVQ(k, j)
		Label(nan)
		v = term(za, zb)
		for i := range v {
			t := K()
			VCMPPD(U8(vm.CmpUnord), v[i], v[i], inf[i], t)
			VBROADCASTSD(vm.Const(math.NaN()), t, l[i])
		}
		ADDQ(Imm(16), mu)
		ADDQ(Imm(8), lw)
		DECQ(j)
		JNZ(LabelRef(nan))

		Label(put)
		l.Each(func(i int) { vm.StoreValues(l[i], Mem{Base: out, Disp: 64 * i}, masks) })
	}

	vm.PointBlocks("q", n, true, block, func(p int) {
		ADDQ(vm.Bytes(16*p), z)
		ADDQ(vm.Bytes(8*p), out)
		MOVQ(kb, j) // work moves by p rows of kb bytes
		SHLQ(Imm(uint64(bits.TrailingZeros(uint(p)))), j)
		ADDQ(j, work)
	})
	VZEROUPPER()
	RET()
}
