package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// The AVX-512 tanh takes its exponential from expCore with s = 2 at
// y = min(|x|, 20) and forms, as Tanh does, em = e^2y - 1 and
// tanh(|x|) = em/(em + 2), which damps the error of em. em comes from the
// pieces of e^2y = 2^k (Thi + B) without cancellation:
// em = (2^k Thi - 1) + 2^k B, whose first part is exact for k = 0.
//
// 1 - tanh^2 = 4 e^-2y/(1 + e^-2y)^2 needs no clamp: e^-2y underflows
// gracefully to the subnormals and zero as |x| grows, where the AVX2 form
// needs a second exponential. TanhBoth512, which needs both, takes
// Ep = e^2y' from one expCore with y' = y where |x| <= 20 and y' = -y
// beyond (there tanh rounds to +-1): with em = Ep - 1 and
// R = 1/(Ep + 1), tanh = sign(x) |em| R and 1 - tanh^2 = 4 Ep R^2 in both
// cases.

// expm1Parts returns em = e^(s y) - 1 from the pieces of e^(s y). It
// consumes p.thi.
func expm1Parts(p expParts) Group {
	n := len(p.kf)
	p2 := SplatZ(n, 1)
	p2.Each(func(i int) { VSCALEFPD(p.kf[i], p2[i], p2[i]) })                // 2^k
	p.thi.Each(func(i int) { VFMADD213PD_BCST(Const(-1), p2[i], p.thi[i]) }) // 2^k Thi - 1
	p.thi.Each(func(i int) { VFMADD231PD(p2[i], p.b[i], p.thi[i]) })         // + 2^k B
	return p.thi
}

// withSign returns |v| with the sign of x, by VPTERNLOGQ's bitwise select
// (sign bit from x, the others from v). It consumes v.
func withSign(v, x Group) Group {
	v.Each(func(i int) { VPTERNLOGQ_BCST(U8(0xd8), ConstBits(SignBit), x[i], v[i]) })
	return v
}

// Tanh512 returns tanh(x) = sign(x) em/(em + 2). NaN stays NaN and the sign
// of zero is kept.
func Tanh512(x Group) Group {
	em := expm1Parts(expCore(absClamp(x, tanhClamp), 2))
	d := NewGroup(len(x))
	d.Each(func(i int) { VADDPD_BCST(Const(2), em[i], d[i]) })
	h := withSign(em, x)
	h.Each(func(i int) { VDIVPD(d[i], h[i], h[i]) })
	return h
}

// TanhPrime512 returns 1 - tanh(x)^2 = 4E/(1+E)^2 with E = e^-2|x|, the
// square formed as E(E + 2) + 1 in one rounding, and one division.
func TanhPrime512(x Group) Group {
	e := expWhole(expCore(absClamp(x, 375), -2))
	d := NewGroup(len(x))
	d.Each(func(i int) { VADDPD_BCST(Const(2), e[i], d[i]) })
	d.Each(func(i int) { VFMADD213PD_BCST(Const(1), e[i], d[i]) }) // E (E + 2) + 1
	e.Each(func(i int) { VMULPD_BCST(Const(4), e[i], e[i]) })
	e.Each(func(i int) { VDIVPD(d[i], e[i], e[i]) })
	return e
}

// TanhBoth512 returns h = tanh(x) and hp = 1 - tanh(x)^2 with one division:
// with S = Thi + B, Ep = 2^k S and R = 1/(Ep + 1), h = sign(x) |em| R and
// hp = 4 Ep R^2. Forming the denominator from Ep rather than from em lets
// the error of Ep cancel in part between Ep and R^2 (measured against a
// 400-bit evaluation: hp within 4 ulp, h within 3.2).
func TanhBoth512(x Group) (h, hp Group) {
	n := len(x)
	y := absClamp(x, 375)
	for i := range y {
		big := K()
		VCMPPD_BCST(U8(CmpGT), Const(tanhClamp), y[i], big)
		VXORPD_BCST(ConstBits(SignBit), y[i], big, y[i]) // -y beyond 20
	}
	p := expCore(y, 2)
	s := NewGroup(n)
	s.Each(func(i int) { VADDPD(p.thi[i], p.b[i], s[i]) })
	p2 := SplatZ(n, 1)
	p2.Each(func(i int) { VSCALEFPD(p.kf[i], p2[i], p2[i]) }) // 2^k
	r := NewGroup(n)
	r.Each(func(i int) { VMOVAPD(s[i], r[i]) })
	r.Each(func(i int) { VFMADD213PD_BCST(Const(1), p2[i], r[i]) }) // 2^k S + 1
	em := p.thi
	em.Each(func(i int) { VFMADD213PD_BCST(Const(-1), p2[i], em[i]) }) // 2^k Thi - 1
	em.Each(func(i int) { VFMADD231PD(p2[i], p.b[i], em[i]) })         // + 2^k B
	one := SplatZ(n, 1)
	r.Each(func(i int) { VDIVPD(r[i], one[i], r[i]) })
	h = withSign(em, x)
	h.Each(func(i int) { VMULPD(r[i], h[i], h[i]) })
	s.Each(func(i int) { VMULPD(p2[i], s[i], s[i]) }) // Ep
	s.Each(func(i int) { VMULPD_BCST(Const(4), s[i], s[i]) })
	s.Each(func(i int) { VMULPD(r[i], s[i], s[i]) })
	s.Each(func(i int) { VMULPD(r[i], s[i], s[i]) })
	return h, s
}
