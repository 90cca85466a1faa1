package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Cody-Waite split of ln 2: Ln2Hi has its low 21 bits zero, so k*Ln2Hi is
// exact for |k| < 2^21, and Ln2Hi + Ln2Lo equals ln 2 to about 2^-85.
const (
	Ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	Ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	Log2E = 1.44269504088896338700e+00 // 1/ln 2
)

// invFact returns 1/a!, 1/(a+1)!, ..., 1/b!.
func invFact(a, b int) []float64 {
	var c []float64
	f := 1.0
	for i := 1; i < a; i++ {
		f *= float64(i)
	}
	for i := a; i <= b; i++ {
		if i > 0 {
			f *= float64(i)
		}
		c = append(c, 1/f)
	}
	return c
}

// reduce splits x (integer-rounded lanes of magnitude below 2^21 after the
// caller's clamp) as x = k ln2 + r with |r| <= ln2/2 and returns k (an
// integer-valued float64) and r.
func reduce(x reg.VecVirtual) (k, r reg.VecVirtual) {
	kd := Splat(Log2E)
	VFMADD213PD(Const(Magic), x, kd) // round(x/ln2) + Magic, one rounding
	k = YMM()
	VSUBPD(Const(Magic), kd, k)
	r = YMM()
	VMOVAPD(x, r)
	VFNMADD231PD(Const(Ln2Hi), k, r) // exact: x - k*Ln2Hi
	VFNMADD231PD(Const(Ln2Lo), k, r)
	return k, r
}

// Exp returns e^x in a new register, for every float64 x: overflow gives
// +Inf, results below the normal range are rounded to subnormals or zero, NaN
// gives NaN, -Inf gives 0.
//
// x is clamped to [-746, 710] (beyond which e^x is 0 or +Inf), reduced to
// x = k ln2 + r, and e^r is the degree-13 Taylor polynomial (truncation below
// 2^-57 relative for |r| <= ln2/2). The scaling by 2^k is done as two
// exact multiplications by 2^floor(k/2) and 2^(k-floor(k/2)), so that a
// subnormal result is rounded once and an overflowing one becomes +Inf.
func Exp(x reg.VecVirtual) reg.VecVirtual {
	t := YMM()
	VMAXPD(x, Splat(-746), t) // NaN in x is kept (second source wins)
	VMINPD(t, Splat(710), t)
	k, r := reduce(t)
	p := Horner(r, invFact(0, 13))
	k1 := YMM()
	VMULPD(Const(0.5), k, k1)
	VROUNDPD(U8(1), k1, k1) // floor
	VSUBPD(k1, k, k)
	VMULPD(Pow2(k1), p, p)
	VMULPD(Pow2(k), p, p)
	return p
}

// Expm1Small returns e^y - 1 for lanes y in [0, 40] (or NaN), accurate to a
// few ulp relative including near 0: with y = k ln2 + r, e^r - 1 is
// r + r^2 P(r) (P the Taylor polynomial of degree 11, truncation below 2^-56
// relative) and the result is 2^k (e^r - 1) + (2^k - 1) in one fused step.
func Expm1Small(y reg.VecVirtual) reg.VecVirtual {
	k, r := reduce(y)
	q := Horner(r, invFact(2, 13))
	r2 := YMM()
	VMULPD(r, r, r2)
	VFMADD213PD(r, r2, q) // q = r + r^2 P(r)
	t := YMM()
	VADDPD(Const(Magic+1023), k, t)
	VPSLLQ(U8(52), t, t)
	tm1 := YMM()
	VSUBPD(Const(1), t, tm1)
	VFMADD213PD(tm1, t, q) // 2^k q + (2^k - 1)
	return q
}

// tanhClamp is the |x| beyond which tanh(x) rounds to +-1 (e^-40 < 2^-57).
const tanhClamp = 20

// Tanh returns tanh(x) as em/(em+2) with em = e^(2|x|) - 1, the sign of x
// copied in; |x| is clamped at 20 where tanh rounds to 1. NaN stays NaN and
// the sign of zero is kept.
func Tanh(x reg.VecVirtual) reg.VecVirtual {
	em := tanhEm(x)
	den := YMM()
	VADDPD(Const(2), em, den)
	VDIVPD(den, em, em)
	return copySign(em, x)
}

// tanhEm returns e^(2 min(|x|, 20)) - 1 (NaN for NaN).
func tanhEm(x reg.VecVirtual) reg.VecVirtual {
	y := Abs(x)
	VMINPD(y, Splat(tanhClamp), y) // NaN kept
	VADDPD(y, y, y)
	return Expm1Small(y)
}

// copySign ORs the sign bit of s into the non-negative lanes of v, in place.
func copySign(v, s reg.VecVirtual) reg.VecVirtual {
	sg := YMM()
	VANDPD(ConstBits(SignBit), s, sg)
	VORPD(sg, v, v)
	return v
}

// TanhPrime returns h = tanh(x) and hp = 1 - tanh(x)^2, both accurate to a
// few ulp relative (hp without cancellation: with em = e^(2|x|) - 1 and
// r = 1/(em+2), h = em r and hp = 4 (em+1) r^2). Where 2|x| > 40, hp is
// 4 e^(-2|x|), evaluated only when such a lane is present.
func TanhPrime(x reg.VecVirtual) (h, hp reg.VecVirtual) {
	em := tanhEm(x)
	r := YMM()
	VADDPD(Const(2), em, r)
	VDIVPD(r, Splat(1), r)
	h = YMM()
	VMULPD(r, em, h)
	copySign(h, x)
	hp = YMM()
	VADDPD(Const(1), em, hp)
	VMULPD(Const(4), hp, hp)
	VMULPD(r, hp, hp)
	VMULPD(r, hp, hp)

	ax := Abs(x)
	big := Cmp(CmpGT, ax, Const(tanhClamp))
	skip := NewLabel("tanhsmall")
	g := AnyLane(big)
	TESTL(g, g)
	JZ(LabelRef(skip))
	Comment("Some |x| > 20: there 1 - tanh^2 = 4 e^(-2|x|) to within 2^-56.")
	VADDPD(ax, ax, ax)
	VXORPD(ConstBits(SignBit), ax, ax)
	e := Exp(ax)
	VMULPD(Const(4), e, e)
	VBLENDVPD(big, e, hp, hp)
	Label(skip)
	return h, hp
}
