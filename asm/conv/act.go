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
// its weight gradient. They are AVX2/FMA code, run on both tiers, and do
// the arithmetic of the elementwise family's JVP kernels and their
// reverses (asm/elementwise) with the same instructions from the same
// vmath pieces, so that their results are bit for bit those of the
// unfused kernels on the avx2 tier.
//
// Both walk nc channels of h rows of w pixels: compact rows (the
// convolution's outputs, the recorded pre-activations) follow one another,
// w elements apart; padded rows are wp apart within a plane of plane
// elements. A row goes four pixels at a time and ends in one to three
// through the tail masks.

// activation is one activation function's vector code.
type activation struct {
	name string
	// eval returns act(x) and act'(x) and, for the reverse, the factor c
	// of each tangent's term c*dp*gd in the gradient.
	eval func(x reg.VecVirtual, reverse bool) (y, d, c reg.VecVirtual)
	// first returns d*g plus (or minus) the first tangent's term t, in one
	// fused step; next adds (or subtracts) a later tangent's term to g.
	first func(d, g, t reg.VecVirtual) reg.VecVirtual
	next  func(g, t reg.VecVirtual)
}

var activations = []activation{
	{
		name: "Softplus",
		eval: func(x reg.VecVirtual, reverse bool) (y, d, c reg.VecVirtual) {
			l := vm.NewLogistic(x)
			d = l.Sigmoid()
			if reverse {
				c = l.SigmoidPrime()
			}
			return l.Softplus(), d, c
		},
		first: func(d, g, t reg.VecVirtual) reg.VecVirtual {
			r := YMM()
			VMOVAPD(d, r)
			VFMADD213PD(t, g, r) // s g + s' dp gd
			return r
		},
		next: func(g, t reg.VecVirtual) { VADDPD(t, g, g) },
	},
	{
		name: "Tanh",
		eval: func(x reg.VecVirtual, reverse bool) (y, d, c reg.VecVirtual) {
			h, hp := vm.TanhPrime(x)
			if reverse {
				c = YMM()
				VADDPD(h, h, c)
				VMULPD(hp, c, c) // 2 h h'
			}
			return h, hp, c
		},
		first: func(d, g, t reg.VecVirtual) reg.VecVirtual {
			r := YMM()
			VMOVAPD(d, r)
			VFMSUB213PD(t, g, r) // h' g - 2 h h' dp gd
			return r
		},
		next: func(g, t reg.VecVirtual) { VSUBPD(t, g, g) },
	},
}

// vecIO loads and stores one vector of four at a byte offset from a base,
// whole or through a tail mask.
type vecIO struct{ mask reg.VecVirtual }

func (v vecIO) load(m Mem) reg.VecVirtual {
	r := YMM()
	if v.mask == nil {
		VMOVUPD(m, r)
	} else {
		VMASKMOVPD(m, v.mask, r)
	}
	return r
}

func (v vecIO) store(r reg.VecVirtual, m Mem) {
	if v.mask == nil {
		VMOVUPD(r, m)
	} else {
		VMASKMOVPD(r, v.mask, m)
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

// at returns base+off with off a byte offset.
func at(base, off reg.Register) Mem { return Mem{Base: base, Index: off, Scale: 1} }

// actLoop emits the walk over the rows shared by the activation kernels,
// calling body for each vector with the byte offsets rs (compact) and rd
// (padded) of its first pixel and the vector's loads and stores.
func actLoop(name string, masks Mem, body func(rs, rd reg.Register, io vecIO)) {
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
	Label(name + "_vec")
	CMPQ(rem, Imm(4))
	JL(LabelRef(name + "_tail"))
	body(rs, rd, vecIO{})
	ADDQ(Imm(32), rs)
	ADDQ(Imm(32), rd)
	SUBQ(Imm(4), rem)
	JMP(LabelRef(name + "_vec"))

	Label(name + "_tail")
	TESTQ(rem, rem)
	JZ(LabelRef(name + "_rowend"))
	t := GP64()
	MOVQ(rem, t)
	body(rs, rd, vecIO{mask: vm.TailMask(masks, t)})
	SHLQ(Imm(3), rem)
	ADDQ(rem, rs)
	ADDQ(rem, rd)

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

// actJVP emits conv<Act>JVPAVX2, the forward activation kernel.
func actJVP(a activation, masks Mem) {
	name := "conv" + a.name + "JVPAVX2"
	TEXT(name, NOSPLIT, "func(a, da *float64, k, ldk int, y, dy *float64, ldy, nc, h, w, wp, plane int)")
	Doc(name + " applies " + strings.ToLower(a.name) + " to nc compact channels of pre-activations and their k tangents, into padded outputs.")
	actLoop(name, masks, func(rs, rd reg.Register, io vecIO) {
		p := Load(Param("a"), GP64())
		y, d, _ := a.eval(io.load(at(p, rs)), false)
		Load(Param("y"), p)
		io.store(y, at(p, rd))

		skip := vm.NewLabel(name + "_notangent")
		k := Load(Param("k"), GP64())
		TESTQ(k, k)
		JZ(LabelRef(skip))
		pda, pdy := Load(Param("da"), GP64()), Load(Param("dy"), GP64())
		ADDQ(rs, pda)
		ADDQ(rd, pdy)
		tc, tp := GP64(), GP64() // tangent offsets, in elements
		XORQ(tc, tc)
		XORQ(tp, tp)
		loop := vm.NewLabel(name + "_tangent")
		Label(loop)
		t := io.load(Mem{Base: pda, Index: tc, Scale: 8})
		VMULPD(t, d, t)
		io.store(t, Mem{Base: pdy, Index: tp, Scale: 8})
		ADDQ(param("ldk"), tc)
		ADDQ(param("ldy"), tp)
		DECQ(k)
		JNZ(LabelRef(loop))
		Label(skip)
	})
}

// actReverse emits conv<Act>ReverseAVX2, the reverse activation kernel.
func actReverse(a activation, masks Mem) {
	name := "conv" + a.name + "ReverseAVX2"
	TEXT(name, NOSPLIT, "func(p, dp *float64, k, ldk int, gx, gdx, gp, gdp *float64, ldgp int, x, dx *float64, ldx, nc, h, w, wp, plane int)")
	Doc(fmt.Sprintf("%s forms the gradients through %s of nc channels of one image and recomputes its outputs.", name, strings.ToLower(a.name)))
	actLoop(name, masks, func(rs, rd reg.Register, io vecIO) {
		b := Load(Param("p"), GP64())
		y, d, c := a.eval(io.load(at(b, rs)), true)
		Load(Param("x"), b)
		io.store(y, at(b, rd))
		Load(Param("gx"), b)
		g := io.load(at(b, rs))

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
		tc, tg, tx := GP64(), GP64(), GP64() // tangent offsets, in elements
		XORQ(tc, tc)
		XORQ(tg, tg)
		XORQ(tx, tx)
		// tangent m's vectors and term c*dp_m*gd_m; its outputs stored.
		tangent := func() reg.VecVirtual {
			dpv := io.load(Mem{Base: pdp, Index: tc, Scale: 8})
			gdv := io.load(Mem{Base: pgd, Index: tc, Scale: 8})
			t := YMM()
			VMULPD(dpv, c, t)
			VMULPD(gdv, t, t)
			VMULPD(dpv, d, dpv)
			io.store(dpv, Mem{Base: pdx, Index: tx, Scale: 8})
			VMULPD(gdv, d, gdv)
			io.store(gdv, Mem{Base: pgdp, Index: tg, Scale: 8})
			ADDQ(param("ldk"), tc)
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
		VMULPD(g, d, acc)
		Label(store)
		Load(Param("gp"), b)
		io.store(acc, at(b, rd))
	})
}
