package vmath

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// log1pCore512 returns log(1 + x) for lanes where u = fl(1 + x) is
// positive, normal and finite, given x and u; other lanes give unspecified
// values.
//
// It is LogU's algorithm with the reduction done by VGETMANTPD and
// VGETEXPPD: u = 2^e m with m in [sqrt2/2, sqrt2) (m from [1, 2) halved
// under an opmask where it is above sqrt2), f = m - 1, and log(1+f) =
// f - f^2/2 + s (f^2/2 + R) with s = f/(2+f). Where e = 0 the reduction
// is u itself and f is taken as x, exactly, so that no rounding of 1 + x
// enters; elsewhere |log u| >= ln2/2 and the rounding residual c of u
// enters as c/u, to which VRCP14PD's 2^-14 relative accuracy is ample
// (|c/u| <= 2^-53).
func log1pCore512(x, u Group) Group {
	n := len(x)
	m, e := logReduce512(u)
	f := NewGroup(n)
	f.Each(func(i int) { VSUBPD_BCST(Const(1), m[i], f[i]) })
	zero := make([]reg.OpmaskVirtual, n)
	for i := range zero {
		zero[i] = K()
		VCMPPD_BCST(U8(CmpEQ), Const(0), e[i], zero[i])
		VMOVAPD(x[i], zero[i], f[i])
		KNOTB(zero[i], zero[i]) // now e != 0
	}
	c := SplatZ(n, 1)
	c.Each(func(i int) { VSUBPD(u[i], c[i], c[i]) }) // 1 - u, exact
	c.Each(func(i int) { VADDPD(x[i], c[i], c[i]) }) // (1 + x) - u (to ample accuracy where |x| > 1)
	rc := NewGroup(n)
	rc.Each(func(i int) { VRCP14PD(u[i], rc[i]) })
	rc.Each(func(i int) { VMULPD_Z(c[i], rc[i], zero[i], rc[i]) }) // c/u where e != 0, else 0
	return logPoly512(f, e, rc)
}

// logReduce512 splits lanes u (positive, normal, finite) as u = 2^e m with
// m in [sqrt2/2, sqrt2): VGETMANTPD gives m in [1, 2) and VGETEXPPD e,
// and an opmask halves m and increments e where m > sqrt2.
func logReduce512(u Group) (m, e Group) {
	n := len(u)
	m, e = NewGroup(n), NewGroup(n)
	m.Each(func(i int) { VGETMANTPD(U8(0), u[i], m[i]) }) // [1, 2)
	e.Each(func(i int) { VGETEXPPD(u[i], e[i]) })
	big := make([]reg.OpmaskVirtual, n)
	for i := range big {
		big[i] = K()
		VCMPPD_BCST(U8(CmpGT), Const(math.Sqrt2), m[i], big[i])
	}
	m.Each(func(i int) { VMULPD_BCST(Const(0.5), m[i], big[i], m[i]) })
	e.Each(func(i int) { VADDPD_BCST(Const(1), e[i], big[i], e[i]) })
	return m, e
}

// Log512 returns log(u) for lanes u that are positive, normal and finite
// (NaN gives NaN), as LogU does with no correction: f = m - 1 is exact.
func Log512(u Group) Group {
	m, e := logReduce512(u)
	m.Each(func(i int) { VSUBPD_BCST(Const(1), m[i], m[i]) })
	cu := ZeroZ(len(u))
	return logPoly512(m, e, cu)
}

// logPoly512 returns e ln2 + log(1+f) + cu for lanes f in
// [sqrt2/2 - 1, sqrt2 - 1), integer-valued e and small corrections cu, as
// LogU forms it: f is kept exactly as the leading term and rounding enters
// only through the smaller ones. cu is consumed.
func logPoly512(f, e, cu Group) Group {
	n := len(f)
	s := NewGroup(n)
	s.Each(func(i int) { VADDPD_BCST(Const(2), f[i], s[i]) })
	s.Each(func(i int) { VDIVPD(s[i], f[i], s[i]) })
	z := NewGroup(n)
	z.Each(func(i int) { VMULPD(s[i], s[i], z[i]) })
	r := SplatZ(n, atanhCoeffs[len(atanhCoeffs)-1])
	for c := len(atanhCoeffs) - 2; c >= 0; c-- {
		r.Each(func(i int) { VFMADD213PD_BCST(Const(atanhCoeffs[c]), z[i], r[i]) })
	}
	r.Each(func(i int) { VMULPD(z[i], r[i], r[i]) })
	hfsq := NewGroup(n)
	hfsq.Each(func(i int) { VMULPD(f[i], f[i], hfsq[i]) })
	hfsq.Each(func(i int) { VMULPD_BCST(Const(0.5), hfsq[i], hfsq[i]) })

	lo := cu
	lo.Each(func(i int) { VFMADD231PD_BCST(Const(Ln2Lo), e[i], lo[i]) }) // e ln2lo + cu
	r.Each(func(i int) { VADDPD(hfsq[i], r[i], r[i]) })
	lo.Each(func(i int) { VFMADD231PD(r[i], s[i], lo[i]) }) // + s (f^2/2 + R)
	t := NewGroup(n)
	t.Each(func(i int) { VSUBPD(lo[i], hfsq[i], t[i]) })               // f^2/2 - lo
	t.Each(func(i int) { VSUBPD(t[i], f[i], t[i]) })                   // f - (f^2/2 - lo)
	t.Each(func(i int) { VFMADD231PD_BCST(Const(Ln2Hi), e[i], t[i]) }) // + e ln2hi
	return t
}

// Log1p512 returns log(1 + x) for every float64 lane, with math.Log1p's
// special values: -1 gives -Inf, below -1 NaN, +Inf gives +Inf, NaN gives
// NaN, and +-0 and tiny x give x. Two VFIXUPIMMPD set the special lanes, by
// the class of 1 + x and by that of x.
func Log1p512(x Group) Group {
	n := len(x)
	u := NewGroup(n)
	u.Each(func(i int) { VADDPD_BCST(Const(1), x[i], u[i]) })
	res := log1pCore512(x, u)
	fixup(res, u, fixTable(map[int]uint32{
		fixQNaN: fixQNaNOf, fixSNaN: fixQNaNOf, // x NaN
		fixZero:        fixNegInf, // x = -1
		fixNeg:         fixNaN,    // x < -1
		fixNegInfClass: fixNaN,    // x = -Inf
		fixPosInfClass: fixPosInf,
	}))
	fixup(res, x, fixTable(map[int]uint32{fixZero: fixSrc})) // the sign of zero
	return res
}
