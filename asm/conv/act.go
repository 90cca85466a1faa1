package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// The activation kernels run over the outputs of one image's convolution,
// while they are in cache: the forward one applies the activation to the
// pre-activations and their tangents and writes the results into the
// interior of the next layer's padded input; the reverse one forms the
// gradients with respect to the pre-activations of the previous layer from
// the data gradients of the convolution that reads them, and writes the
// previous layer's outputs back into that convolution's padded input for
// its weight gradient. Each tier has its own, which does the arithmetic of
// that tier's elementwise JVP kernels and their reverses (asm/elementwise)
// with the same instructions from the same vmath pieces, so that their
// results are bit for bit those of the unfused kernels of the tier.
//
// Both walk nc channels of h rows of w pixels: compact rows (the
// convolution's outputs, the recorded pre-activations) follow one another,
// w elements apart; padded rows are wp apart within a plane of plane
// elements. A row goes in groups of vectors, then single vectors, and ends
// in a partial vector through a mask (a tail mask on AVX2, an opmask on
// AVX-512).

// activation is one activation function's vector code on a tier: primal
// returns act(x) as the tier's elementwise kernel of act computes it; eval
// returns act(x) and act'(x) as its elementwise JVP kernel does and, for
// the reverse, the factor c of each tangent's term c*dp*gd in the
// gradient; first returns d*g plus (or minus) the first tangent's term t
// in one fused step; next adds (or subtracts) a later tangent's term to g.
// Values are groups of vectors (one vector on AVX2).
type activation struct {
	name   string
	primal func(x vm.Group) vm.Group
	eval   func(x vm.Group, reverse bool) (y, d, c vm.Group)
	first  func(d, g, t vm.Group) vm.Group
	next   func(g, t vm.Group)
}

// tierCode is what the activation kernels of one tier need: the vector
// width in elements, the vectors per group, new vector registers, loads
// and stores whole or under a mask, the mask of a row's last rem
// elements, and the tier's activations.
type tierCode struct {
	suffix      string
	width, unit int
	vec         func() reg.VecVirtual
	load        func(m Mem, mask reg.Register, v reg.VecVirtual)
	store       func(v reg.VecVirtual, mask reg.Register, m Mem)
	tailMask    func(rem reg.Register) reg.Register
	activations []activation
}

// one returns the single-member group of v.
func one(v reg.VecVirtual) vm.Group { return vm.Group{v} }

// avx2Code is the AVX2/FMA tier: one ymm vector of four at a time, the
// activations of asm/elementwise/kernels.go.
func avx2Code(masks Mem) tierCode {
	return tierCode{
		suffix: "AVX2", width: 4, unit: 1,
		vec: func() reg.VecVirtual { return YMM() },
		load: func(m Mem, mask reg.Register, v reg.VecVirtual) {
			if mask == nil {
				VMOVUPD(m, v)
			} else {
				VMASKMOVPD(m, mask, v)
			}
		},
		store: func(v reg.VecVirtual, mask reg.Register, m Mem) {
			if mask == nil {
				VMOVUPD(v, m)
			} else {
				VMASKMOVPD(v, mask, m)
			}
		},
		tailMask: func(rem reg.Register) reg.Register {
			t := GP64()
			MOVQ(rem, t)
			return vm.TailMask(masks, t)
		},
		activations: []activation{
			{
				name:   "Softplus",
				primal: func(x vm.Group) vm.Group { return one(vm.NewLogistic(x[0]).Softplus()) },
				eval: func(x vm.Group, reverse bool) (y, d, c vm.Group) {
					l := vm.NewLogistic(x[0])
					d = one(l.Sigmoid())
					if reverse {
						c = one(l.SigmoidPrime())
					}
					return one(l.Softplus()), d, c
				},
				first: func(d, g, t vm.Group) vm.Group {
					r := YMM()
					VMOVAPD(d[0], r)
					VFMADD213PD(t[0], g[0], r) // s g + s' dp gd
					return one(r)
				},
				next: func(g, t vm.Group) { VADDPD(t[0], g[0], g[0]) },
			},
			{
				name:   "Tanh",
				primal: func(x vm.Group) vm.Group { return one(vm.Tanh(x[0])) },
				eval: func(x vm.Group, reverse bool) (y, d, c vm.Group) {
					h, hp := vm.TanhPrime(x[0])
					if reverse {
						r := YMM()
						VADDPD(h, h, r)
						VMULPD(hp, r, r) // 2 h h'
						c = one(r)
					}
					return one(h), one(hp), c
				},
				first: func(d, g, t vm.Group) vm.Group {
					r := YMM()
					VMOVAPD(d[0], r)
					VFMSUB213PD(t[0], g[0], r) // h' g - 2 h h' dp gd
					return one(r)
				},
				next: func(g, t vm.Group) { VSUBPD(t[0], g[0], g[0]) },
			},
		},
	}
}

// avx512Code is the AVX-512 tier: groups of two zmm vectors of eight (a
// row of 16 pixels at a time), the activations of
// asm/elementwise/avx512.go.
func avx512Code() tierCode {
	return tierCode{
		suffix: "AVX512", width: 8, unit: 2,
		vec: func() reg.VecVirtual { return ZMM() },
		load: func(m Mem, mask reg.Register, v reg.VecVirtual) {
			if mask == nil {
				VMOVUPD(m, v)
			} else {
				VMOVUPD_Z(m, mask, v)
			}
		},
		store: func(v reg.VecVirtual, mask reg.Register, m Mem) {
			if mask == nil {
				VMOVUPD(v, m)
			} else {
				VMOVUPD(v, mask, m)
			}
		},
		tailMask: func(rem reg.Register) reg.Register { return vm.TailK(rem) },
		activations: []activation{
			{
				name:   "Softplus",
				primal: func(x vm.Group) vm.Group { return vm.NewLogistic512(x).Softplus() },
				eval: func(x vm.Group, reverse bool) (y, d, c vm.Group) {
					l := vm.NewLogistic512(x)
					d = l.Sigmoid()
					if reverse {
						c = l.SigmoidPrime()
					}
					return l.Softplus(), d, c
				},
				first: func(d, g, t vm.Group) vm.Group {
					r := vm.NewGroup(len(d))
					r.Each(func(i int) { VMOVAPD(d[i], r[i]) })
					r.Each(func(i int) { VFMADD213PD(t[i], g[i], r[i]) }) // s g + s' dp gd
					return r
				},
				next: func(g, t vm.Group) { g.Each(func(i int) { VADDPD(t[i], g[i], g[i]) }) },
			},
			{
				name:   "Tanh",
				primal: vm.Tanh512,
				eval: func(x vm.Group, reverse bool) (y, d, c vm.Group) {
					h, hp := vm.TanhBoth512(x)
					if reverse {
						c = vm.NewGroup(len(x))
						c.Each(func(i int) { VADDPD(h[i], h[i], c[i]) })
						c.Each(func(i int) { VMULPD(hp[i], c[i], c[i]) }) // 2 h h'
					}
					return h, hp, c
				},
				first: func(d, g, t vm.Group) vm.Group {
					r := vm.NewGroup(len(d))
					r.Each(func(i int) { VMOVAPD(d[i], r[i]) })
					r.Each(func(i int) { VFMSUB213PD(t[i], g[i], r[i]) }) // h' g - 2 h h' dp gd
					return r
				},
				next: func(g, t vm.Group) { g.Each(func(i int) { VSUBPD(t[i], g[i], g[i]) }) },
			},
		},
	}
}

// param returns the address of a parameter, for instructions that read
// it from memory.
func param(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// vecIO loads and stores the u vectors of a group at base + off (+ index*8
// when index is not nil), whole or under mask.
type vecIO struct {
	tc   tierCode
	u    int
	mask reg.Register
}

func (o vecIO) at(base, off, index reg.Register, j int) Mem {
	m := Mem{Base: base, Index: off, Scale: 1, Disp: 8 * o.tc.width * j}
	if index != nil {
		m.Index, m.Scale = index, 8
	}
	return m
}

func (o vecIO) load(base, off, index reg.Register) vm.Group {
	g := make(vm.Group, o.u)
	for j := range g {
		g[j] = o.tc.vec()
		o.tc.load(o.at(base, off, index, j), o.mask, g[j])
	}
	return g
}

func (o vecIO) store(g vm.Group, base, off, index reg.Register) {
	for j := range g {
		o.tc.store(g[j], o.mask, o.at(base, off, index, j))
	}
}

// actLoop emits the walk over the rows shared by the activation kernels,
// calling body for each group with the byte offsets rs (compact) and rd
// (padded) of its first pixel and the group's loads and stores.
func actLoop(name string, tc tierCode, body func(rs, rd reg.Register, o vecIO)) {
	rows := AllocLocal(8) // rows left in the channel
	chans := AllocLocal(8)
	rs, rd := GP64(), GP64()
	XORQ(rs, rs)
	XORQ(rd, rd)
	n := Load(Param("nc"), GP64())
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	MOVQ(n, chans)
	n = Load(Param("h"), GP64())
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))

	Label(name + "_channel")
	Load(Param("h"), n)
	MOVQ(n, rows)
	Label(name + "_row")
	rem := Load(Param("w"), GP64())
	// step is one step of u whole vectors.
	step := func(u int) func() {
		return func() {
			body(rs, rd, vecIO{tc: tc, u: u})
			ADDQ(vm.Bytes(8*u*tc.width), rs)
			ADDQ(vm.Bytes(8*u*tc.width), rd)
			SUBQ(vm.Bytes(u*tc.width), rem)
		}
	}
	if tc.unit > 1 {
		vm.Stage(name+"_group", name+"_vec", rem, tc.unit*tc.width, true, step(tc.unit))
	}
	vm.Stage(name+"_vec", name+"_tail", rem, tc.width, true, step(1))
	vm.Stage(name+"_tail", name+"_rowend", rem, 1, false, func() {
		body(rs, rd, vecIO{tc: tc, u: 1, mask: tc.tailMask(rem)})
		SHLQ(Imm(3), rem)
		ADDQ(rem, rs)
		ADDQ(rem, rd)
	})

	// The compact rows follow one another; the next padded row starts
	// wp - w elements after this one's end.
	Label(name + "_rowend")
	m := Load(Param("wp"), GP64())
	SUBQ(param("w"), m)
	SHLQ(Imm(3), m)
	ADDQ(m, rd)
	DECQ(rows)
	JNZ(LabelRef(name + "_row"))
	// And the next plane plane - h*wp elements after this one's last row.
	Load(Param("h"), m)
	IMULQ(param("wp"), m)
	NEGQ(m)
	ADDQ(param("plane"), m)
	SHLQ(Imm(3), m)
	ADDQ(m, rd)
	DECQ(chans)
	JNZ(LabelRef(name + "_channel"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// mul returns a*b member by member, into a.
func mul(a, b vm.Group) vm.Group {
	a.Each(func(i int) { VMULPD(b[i], a[i], a[i]) })
	return a
}

// actPrimal emits conv<Act><tier>, the forward activation kernel without
// tangents.
func actPrimal(tc tierCode, a activation) {
	name := "conv" + a.name + tc.suffix
	TEXT(name, NOSPLIT, "func(a, y *float64, nc, h, w, wp, plane int)")
	Doc(name + " applies " + strings.ToLower(a.name) + " to nc compact channels of pre-activations, into padded outputs.")
	actLoop(name, tc, func(rs, rd reg.Register, o vecIO) {
		p := Load(Param("a"), GP64())
		y := a.primal(o.load(p, rs, nil))
		Load(Param("y"), p)
		o.store(y, p, rd, nil)
	})
}

// actJVP emits conv<Act>JVP<tier>, the forward activation kernel.
func actJVP(tc tierCode, a activation) {
	name := "conv" + a.name + "JVP" + tc.suffix
	TEXT(name, NOSPLIT, "func(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)")
	Doc(name + " applies " + strings.ToLower(a.name) + " to nc compact channels of pre-activations and their k tangents, into padded outputs.")
	actLoop(name, tc, func(rs, rd reg.Register, o vecIO) {
		p := Load(Param("a"), GP64())
		y, d, _ := a.eval(o.load(p, rs, nil), false)
		Load(Param("y"), p)
		o.store(y, p, rd, nil)

		skip := vm.NewLabel(name + "_notangent")
		k := Load(Param("k"), GP64())
		TESTQ(k, k)
		JZ(LabelRef(skip))
		pda, pdy := Load(Param("da"), GP64()), Load(Param("dy"), GP64())
		ADDQ(rs, pda)
		ADDQ(rd, pdy)
		tc2, tp := GP64(), GP64() // tangent offsets, in elements
		XORQ(tc2, tc2)
		XORQ(tp, tp)
		loop := vm.NewLabel(name + "_tangent")
		Label(loop)
		o.store(mul(o.load(pda, nil, tc2), d), pdy, nil, tp)
		ADDQ(param("ldk"), tc2)
		ADDQ(param("ldy"), tp)
		DECQ(k)
		JNZ(LabelRef(loop))
		Label(skip)
	})
}

// actReverse emits conv<Act>Reverse<tier>, the reverse activation kernel.
func actReverse(tc tierCode, a activation) {
	name := "conv" + a.name + "Reverse" + tc.suffix
	TEXT(name, NOSPLIT, "func(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)")
	Doc(fmt.Sprintf("%s forms the gradients through %s of nc channels of one image and recomputes its outputs.", name, strings.ToLower(a.name)))
	actLoop(name, tc, func(rs, rd reg.Register, o vecIO) {
		b := Load(Param("p"), GP64())
		y, d, c := a.eval(o.load(b, rs, nil), true)
		Load(Param("x"), b)
		o.store(y, b, rd, nil)
		Load(Param("gx"), b)
		g := o.load(b, rs, nil)

		k := Load(Param("k"), GP64())
		TESTQ(k, k)
		notangent, store := vm.NewLabel(name+"_notangent"), vm.NewLabel(name+"_store")
		JZ(LabelRef(notangent))
		pdp, pgd := Load(Param("dp"), GP64()), Load(Param("gdx"), GP64())
		ADDQ(rs, pdp)
		ADDQ(rs, pgd)
		pgdp, pdx := Load(Param("gdp"), GP64()), Load(Param("dx"), GP64())
		ADDQ(rd, pgdp)
		ADDQ(rd, pdx)
		tc2, tg, tx := GP64(), GP64(), GP64() // tangent offsets, in elements
		XORQ(tc2, tc2)
		XORQ(tg, tg)
		XORQ(tx, tx)
		// tangent m's term c*dp_m*gd_m; its outputs stored.
		tangent := func() vm.Group {
			dpv, gdv := o.load(pdp, nil, tc2), o.load(pgd, nil, tc2)
			t := make(vm.Group, o.u)
			for i := range t {
				t[i] = tc.vec()
				VMULPD(dpv[i], c[i], t[i])
			}
			mul(t, gdv)
			o.store(mul(dpv, d), pdx, nil, tx)
			o.store(mul(gdv, d), pgdp, nil, tg)
			ADDQ(param("ldk"), tc2)
			ADDQ(param("ldgp"), tg)
			ADDQ(param("ldx"), tx)
			return t
		}
		acc := a.first(d, g, tangent())
		DECQ(k)
		JZ(LabelRef(store))
		loop := vm.NewLabel(name + "_tangent")
		Label(loop)
		a.next(acc, tangent())
		DECQ(k)
		JNZ(LabelRef(loop))
		JMP(LabelRef(store))

		Label(notangent)
		acc.Each(func(i int) { VMULPD(g[i], d[i], acc[i]) })
		Label(store)
		Load(Param("gp"), b)
		o.store(acc, b, rd, nil)
	})
}
