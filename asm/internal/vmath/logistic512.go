package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Logistic512 holds the shared pieces of sigmoid and softplus at x in
// AVX-512: E = e^-|x| and U = 1 + E (rounded).
type Logistic512 struct {
	X, E, U Group
}

// NewLogistic512 computes E and U for x.
func NewLogistic512(x Group) Logistic512 {
	e := expWhole(expCore(absClamp(x, 746), -1)) // e^-|x|
	u := NewGroup(len(x))
	u.Each(func(i int) { VADDPD_BCST(Const(1), e[i], u[i]) })
	return Logistic512{X: x, E: e, U: u}
}

// negative returns, for each member, an opmask of the lanes where x < 0.
func (l Logistic512) negative() []reg.OpmaskVirtual {
	k := make([]reg.OpmaskVirtual, len(l.X))
	for i := range k {
		k[i] = K()
		VCMPPD_BCST(U8(CmpLT), Const(0), l.X[i], k[i])
	}
	return k
}

// Sigmoid returns 1/(1+e^-x) as N/U with N = 1 where x >= 0 and E where
// x < 0, in one division (NaN stays NaN).
func (l Logistic512) Sigmoid() Group {
	neg := l.negative()
	num := SplatZ(len(l.X), 1)
	num.Each(func(i int) { VMOVAPD(l.E[i], neg[i], num[i]) })
	num.Each(func(i int) { VDIVPD(l.U[i], num[i], num[i]) })
	return num
}

// SigmoidPrime returns s(1-s) = E/(1+E)^2 without cancellation, the
// square formed as E(E + 2) + 1 in one rounding.
func (l Logistic512) SigmoidPrime() Group {
	d := NewGroup(len(l.X))
	d.Each(func(i int) { VADDPD_BCST(Const(2), l.E[i], d[i]) })
	d.Each(func(i int) { VFMADD213PD_BCST(Const(1), l.E[i], d[i]) })
	d.Each(func(i int) { VDIVPD(d[i], l.E[i], d[i]) })
	return d
}

// Softplus returns log(1 + e^x) = max(x, 0) + log(1 + E), the logarithm by
// log1pCore512 of E and U (exact in E where U < sqrt2).
func (l Logistic512) Softplus() Group {
	lp := log1pCore512(l.E, l.U)
	n := len(l.X)
	zero := ZeroZ(n)
	zero.Each(func(i int) { VMAXPD(l.X[i], zero[i], zero[i]) }) // NaN kept
	zero.Each(func(i int) { VADDPD(lp[i], zero[i], zero[i]) })
	return zero
}
