package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// kernel512 is one elementwise function in AVX-512: body maps a group of
// vectors of each input to a group of each output; unroll is the number of
// vectors (of eight elements) in the main loop's group. Measured on Zen 4
// (make benchcmp), the one-input kernels run as fast with one vector per
// iteration as with three, their instructions filling the FMA pipes
// either way; they take two. The fused forward kernels gain 15-20% from
// three, the reverses about 10% from two.
type kernel512 struct {
	name string
	signature
	unroll int
	body   func(in []vm.Group) []vm.Group
}

func unary512(name string, unroll int, f func(x vm.Group) vm.Group) kernel512 {
	return kernel512{name: name, signature: unarySig, unroll: unroll,
		body: func(in []vm.Group) []vm.Group { return []vm.Group{f(in[0])} }}
}

var kernels512 = []kernel512{
	unary512("expAVX512", 2, vm.Exp512),
	unary512("log1pAVX512", 2, vm.Log1p512),
	unary512("softplusAVX512", 2, func(x vm.Group) vm.Group { return vm.NewLogistic512(x).Softplus() }),
	unary512("sigmoidAVX512", 2, func(x vm.Group) vm.Group { return vm.NewLogistic512(x).Sigmoid() }),
	unary512("sigmoidPrimeAVX512", 2, func(x vm.Group) vm.Group { return vm.NewLogistic512(x).SigmoidPrime() }),
	unary512("tanhAVX512", 2, vm.Tanh512),
	unary512("tanhPrimeAVX512", 2, vm.TanhPrime512),
	{name: "softplusJVPAVX512", signature: jvpSig, unroll: 3,
		body: func(in []vm.Group) []vm.Group {
			l := vm.NewLogistic512(in[0])
			dy := l.Sigmoid()
			dy.Each(func(i int) { VMULPD(in[1][i], dy[i], dy[i]) })
			return []vm.Group{l.Softplus(), dy}
		}},
	{name: "softplusJVPReverseAVX512", signature: jvpReverseSig, unroll: 2,
		body: func(in []vm.Group) []vm.Group {
			dx, gy, gdy := in[1], in[2], in[3]
			l := vm.NewLogistic512(in[0])
			s, sp := l.Sigmoid(), l.SigmoidPrime()
			sp.Each(func(i int) { VMULPD(dx[i], sp[i], sp[i]) })
			sp.Each(func(i int) { VMULPD(gdy[i], sp[i], sp[i]) })
			gx := vm.NewGroup(len(s))
			gx.Each(func(i int) { VMOVAPD(s[i], gx[i]) })
			gx.Each(func(i int) { VFMADD213PD(sp[i], gy[i], gx[i]) }) // s gy + s' dx gdy
			s.Each(func(i int) { VMULPD(gdy[i], s[i], s[i]) })
			return []vm.Group{gx, s}
		}},
	{name: "tanhJVPAVX512", signature: jvpSig, unroll: 3,
		body: func(in []vm.Group) []vm.Group {
			h, hp := vm.TanhBoth512(in[0])
			hp.Each(func(i int) { VMULPD(in[1][i], hp[i], hp[i]) })
			return []vm.Group{h, hp}
		}},
	{name: "tanhJVPReverseAVX512", signature: jvpReverseSig, unroll: 2,
		body: func(in []vm.Group) []vm.Group {
			dx, gy, gdy := in[1], in[2], in[3]
			h, hp := vm.TanhBoth512(in[0])
			t := vm.NewGroup(len(h))
			t.Each(func(i int) { VADDPD(h[i], h[i], t[i]) })
			t.Each(func(i int) { VMULPD(hp[i], t[i], t[i]) })
			t.Each(func(i int) { VMULPD(dx[i], t[i], t[i]) })
			t.Each(func(i int) { VMULPD(gdy[i], t[i], t[i]) }) // 2 h h' dx gdy
			gx := vm.NewGroup(len(h))
			gx.Each(func(i int) { VMOVAPD(hp[i], gx[i]) })
			gx.Each(func(i int) { VFMSUB213PD(t[i], gy[i], gx[i]) }) // h' gy - 2 h h' dx gdy
			hp.Each(func(i int) { VMULPD(gdy[i], hp[i], hp[i]) })
			return []vm.Group{gx, hp}
		}},
}

// generate512 emits one AVX-512 kernel: a loop over groups of unroll
// vectors, then a loop over single vectors, then the last one to seven
// elements through loads and stores under an opmask, which touch no memory
// outside the slices (the masked-off lanes of the inputs are zero).
func generate512(k kernel512) {
	n, ptr := k.declare(k.name, "AVX-512")
	i := GP64()
	XORQ(i, i)
	rem := GP64()
	group, single, tail, done := vm.NewLabel("group"), vm.NewLabel("single"), vm.NewLabel("tail"), vm.NewLabel("done")

	// block emits the body on u vectors at element i, loading each input
	// and storing each output whole, or under mask when mask is not nil.
	block := func(u int, mask reg.OpmaskVirtual) {
		var in []vm.Group
		for _, p := range k.ins {
			g := vm.NewGroup(u)
			for j := range g {
				m := Mem{Base: ptr[p], Index: i, Scale: 8, Disp: 64 * j}
				if mask != nil {
					VMOVUPD_Z(m, mask, g[j])
				} else {
					VMOVUPD(m, g[j])
				}
			}
			in = append(in, g)
		}
		for o, g := range k.body(in) {
			for j := range g {
				m := Mem{Base: ptr[k.outs[o]], Index: i, Scale: 8, Disp: 64 * j}
				if mask != nil {
					VMOVUPD(g[j], mask, m)
				} else {
					VMOVUPD(g[j], m)
				}
			}
		}
	}

	if k.unroll > 1 {
		Label(group)
		MOVQ(n, rem)
		SUBQ(i, rem)
		CMPQ(rem, U32(8*k.unroll))
		JL(LabelRef(single))
		block(k.unroll, nil)
		ADDQ(U32(8*k.unroll), i)
		JMP(LabelRef(group))
	}

	Label(single)
	MOVQ(n, rem)
	SUBQ(i, rem)
	CMPQ(rem, Imm(8))
	JL(LabelRef(tail))
	block(1, nil)
	ADDQ(Imm(8), i)
	JMP(LabelRef(single))

	Label(tail)
	TESTQ(rem, rem)
	JZ(LabelRef(done))
	block(1, vm.TailK(rem))

	Label(done)
	VZEROUPPER()
	RET()
}
