package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// signature names an elementwise function's arguments: outputs and inputs,
// []float64 of the length of the first input.
type signature struct {
	outs, ins []string
}

// The signatures of the elementwise functions: one input, the fused
// primal+tangent forms, and their reverses.
var (
	unarySig      = signature{outs: []string{"dst"}, ins: []string{"x"}}
	jvpSig        = signature{outs: []string{"y", "dy"}, ins: []string{"x", "dx"}}
	jvpReverseSig = signature{outs: []string{"gx", "gdx"}, ins: []string{"x", "dx", "gy", "gdy"}}
)

// declare declares the kernel name, the form in tier of the function of
// the signature, and loads its arguments: n, the length of the first
// input, and the base of each slice by name.
func (s signature) declare(name, tier string) (n reg.Register, ptr map[string]reg.Register) {
	params := append(append([]string{}, s.outs...), s.ins...)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(%s []float64)", strings.Join(params, ", ")))
	Doc(fmt.Sprintf("%s is the %s form of the kernel of the same name without the suffix; all slices have at least len(%s) elements.", name, tier, s.ins[0]))
	n = args.Len(s.ins[0])
	ptr = map[string]reg.Register{}
	for _, p := range params {
		ptr[p] = args.Base(p)
	}
	return n, ptr
}

// kernel is one elementwise function in AVX2: body maps one vector of each
// input to one vector of each output.
type kernel struct {
	name string
	signature
	body func(in []reg.VecVirtual) []reg.VecVirtual
}

func unary(name string, f func(x reg.VecVirtual) reg.VecVirtual) kernel {
	return kernel{name: name, signature: unarySig,
		body: func(in []reg.VecVirtual) []reg.VecVirtual { return []reg.VecVirtual{f(in[0])} }}
}

var kernels = []kernel{
	unary("expAVX2", vm.Exp),
	unary("log1pAVX2", vm.Log1p),
	unary("softplusAVX2", func(x reg.VecVirtual) reg.VecVirtual { return vm.NewLogistic(x).Softplus() }),
	unary("sigmoidAVX2", func(x reg.VecVirtual) reg.VecVirtual { return vm.NewLogistic(x).Sigmoid() }),
	unary("sigmoidPrimeAVX2", func(x reg.VecVirtual) reg.VecVirtual { return vm.NewLogistic(x).SigmoidPrime() }),
	unary("tanhAVX2", vm.Tanh),
	unary("tanhPrimeAVX2", func(x reg.VecVirtual) reg.VecVirtual { _, hp := vm.TanhPrime(x); return hp }),
	{name: "softplusJVPAVX2", signature: jvpSig,
		body: func(in []reg.VecVirtual) []reg.VecVirtual {
			l := vm.NewLogistic(in[0])
			dy := l.Sigmoid()
			VMULPD(in[1], dy, dy)
			return []reg.VecVirtual{l.Softplus(), dy}
		}},
	{name: "softplusJVPReverseAVX2", signature: jvpReverseSig,
		body: func(in []reg.VecVirtual) []reg.VecVirtual {
			dx, gy, gdy := in[1], in[2], in[3]
			l := vm.NewLogistic(in[0])
			s, sp := l.Sigmoid(), l.SigmoidPrime()
			VMULPD(dx, sp, sp)
			VMULPD(gdy, sp, sp)
			gx := YMM()
			VMOVAPD(s, gx)
			VFMADD213PD(sp, gy, gx) // s gy + s' dx gdy
			VMULPD(gdy, s, s)
			return []reg.VecVirtual{gx, s}
		}},
	{name: "tanhJVPAVX2", signature: jvpSig,
		body: func(in []reg.VecVirtual) []reg.VecVirtual {
			h, hp := vm.TanhPrime(in[0])
			VMULPD(in[1], hp, hp)
			return []reg.VecVirtual{h, hp}
		}},
	{name: "tanhJVPReverseAVX2", signature: jvpReverseSig,
		body: func(in []reg.VecVirtual) []reg.VecVirtual {
			dx, gy, gdy := in[1], in[2], in[3]
			h, hp := vm.TanhPrime(in[0])
			t := YMM()
			VADDPD(h, h, t)
			VMULPD(hp, t, t)
			VMULPD(dx, t, t)
			VMULPD(gdy, t, t) // 2 h h' dx gdy
			gx := YMM()
			VMOVAPD(hp, gx)
			VFMSUB213PD(t, gy, gx) // h' gy - 2 h h' dx gdy
			VMULPD(gdy, hp, hp)
			return []reg.VecVirtual{gx, hp}
		}},
}

// generate emits one kernel: a loop over whole vectors of four, then the last
// one to three elements through masked loads and stores, which touch no
// memory outside the slices.
func generate(k kernel, masks Mem) {
	n, ptr := k.declare(k.name, "AVX2/FMA")
	i := GP64()
	XORQ(i, i)
	loop, tail, done := vm.NewLabel("loop"), vm.NewLabel("tail"), vm.NewLabel("done")

	Label(loop)
	rem := GP64()
	MOVQ(n, rem)
	SUBQ(i, rem)
	CMPQ(rem, Imm(4))
	JL(LabelRef(tail))
	var in []reg.VecVirtual
	for _, p := range k.ins {
		v := YMM()
		VMOVUPD(Mem{Base: ptr[p], Index: i, Scale: 8}, v)
		in = append(in, v)
	}
	for j, v := range k.body(in) {
		VMOVUPD(v, Mem{Base: ptr[k.outs[j]], Index: i, Scale: 8})
	}
	ADDQ(Imm(4), i)
	JMP(LabelRef(loop))

	Label(tail)
	TESTQ(rem, rem)
	JZ(LabelRef(done))
	mask := vm.TailMask(masks, rem)
	in = in[:0]
	for _, p := range k.ins {
		v := YMM()
		VMASKMOVPD(Mem{Base: ptr[p], Index: i, Scale: 8}, mask, v)
		in = append(in, v)
	}
	for j, v := range k.body(in) {
		VMASKMOVPD(v, mask, Mem{Base: ptr[k.outs[j]], Index: i, Scale: 8})
	}

	Label(done)
	VZEROUPPER()
	RET()
}
