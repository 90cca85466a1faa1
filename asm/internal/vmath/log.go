package vmath

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// atanhCoeffs are 2/3, 2/5, ..., 2/21: log(1+f) = 2s + s R(s^2) with
// s = f/(2+f) and R(z) = z (2/3 + 2/5 z + ...). For |s| <= 3 - 2 sqrt 2 the
// terms dropped after 2/21 z^10 are below 2^-61 of the result.
var atanhCoeffs = func() []float64 {
	var c []float64
	for j := 1; j <= 10; j++ {
		c = append(c, 2/float64(2*j+1))
	}
	return c
}()

// LogU returns log(u) + cu for lanes where u is a positive, normal, finite
// float64 and cu is a correction much smaller than ulp(1) (the rounding
// residual of u divided by u). Other lanes give unspecified values.
//
// With u = 2^e m, m in [sqrt2/2, sqrt2) and f = m - 1 (exact),
// log(1+f) = f - f^2/2 + s (f^2/2 + R) with s = f/(2+f), so that f is kept
// exactly and rounding errors enter only through the smaller terms; e ln 2 is
// added in Cody-Waite halves.
func LogU(u, cu reg.VecVirtual) reg.VecVirtual {
	m := YMM()
	VANDPD(ConstBits(Mantissa), u, m)
	VORPD(Const(1), m, m)
	e := YMM()
	VPSRLQ(U8(52), u, e)
	VPOR(ConstBits(0x4330000000000000), e, e) // 2^52 + biased exponent
	VSUBPD(Const(0x1p52+1023), e, e)
	gt := Cmp(CmpGT, m, Const(math.Sqrt2))
	half := YMM()
	VMULPD(Const(0.5), m, half)
	VBLENDVPD(gt, half, m, m)
	VANDPD(Const(1), gt, gt)
	VADDPD(gt, e, e)

	f := YMM()
	VSUBPD(Const(1), m, f)
	s := YMM()
	VADDPD(Const(2), f, s)
	VDIVPD(s, f, s)
	z := YMM()
	VMULPD(s, s, z)
	R := Horner(z, atanhCoeffs)
	VMULPD(z, R, R)
	hfsq := YMM()
	VMULPD(f, f, hfsq)
	VMULPD(Const(0.5), hfsq, hfsq)

	lo := YMM()
	VMOVAPD(cu, lo)
	VFMADD231PD(Const(Ln2Lo), e, lo) // e ln2lo + cu
	VADDPD(hfsq, R, R)
	VFMADD231PD(R, s, lo) // + s (f^2/2 + R)
	t := YMM()
	VSUBPD(lo, hfsq, t)             // f^2/2 - lo
	VSUBPD(t, f, t)                 // f - (f^2/2 - lo)
	VFMADD231PD(Const(Ln2Hi), e, t) // + e ln2hi
	return t
}

// Log1p returns log(1 + x) for every float64 x, with math.Log1p's special
// values: -1 gives -Inf, below -1 NaN, +Inf gives +Inf, NaN gives NaN, and
// +-0 and tiny x give x. u = 1 + x is rounded; its residual c = (1 + x) - u
// (exact, by Knuth's two-sum) enters as c/u.
func Log1p(x reg.VecVirtual) reg.VecVirtual {
	one := Splat(1)
	u := YMM()
	VADDPD(one, x, u)
	bb := YMM()
	VSUBPD(one, u, bb) // u - 1
	t1 := YMM()
	VSUBPD(bb, u, t1)   // u - bb
	VSUBPD(t1, one, t1) // 1 - (u - bb)
	c := YMM()
	VSUBPD(bb, x, c) // x - bb
	VADDPD(t1, c, c)
	VDIVPD(u, c, c)
	res := LogU(u, c)

	ok := Cmp(CmpGT, x, Const(-1))
	VANDPD(Cmp(CmpLT, x, Const(math.Inf(1))), ok, ok)
	g := AnyLane(ok)
	done := NewLabel("log1pok")
	CMPL(g, U8(15))
	JE(LabelRef(done))
	Comment("Some lane is -1, below -1, +Inf or NaN.")
	spec := Splat(math.NaN())
	VBLENDVPD(Cmp(CmpEQ, x, Const(-1)), Const(math.Inf(-1)), spec, spec)
	VBLENDVPD(Cmp(CmpEQ, x, Const(math.Inf(1))), x, spec, spec)
	VBLENDVPD(Cmp(CmpUnord, x, x), x, spec, spec)
	VBLENDVPD(ok, res, spec, res)
	Label(done)
	VBLENDVPD(Cmp(CmpEQ, x, Const(0)), x, res, res) // keeps the sign of zero
	return res
}
