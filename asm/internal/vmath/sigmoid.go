package vmath

import (
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

// Logistic holds the shared pieces of sigmoid and softplus at x:
// E = e^-|x|, U = 1 + E (rounded) and R = 1/U.
type Logistic struct {
	X, E, U, R reg.VecVirtual
}

// NewLogistic computes E, U and R for x.
func NewLogistic(x reg.VecVirtual) Logistic {
	nx := YMM()
	VORPD(ConstBits(SignBit), x, nx)
	e := Exp(nx)
	u := YMM()
	VADDPD(Const(1), e, u)
	r := YMM()
	VDIVPD(u, Splat(1), r)
	return Logistic{X: x, E: e, U: u, R: r}
}

// Sigmoid returns 1/(1+e^-x): R where x >= 0, E R elsewhere (NaN stays NaN).
func (l Logistic) Sigmoid() reg.VecVirtual {
	s := YMM()
	VMULPD(l.R, l.E, s)
	VBLENDVPD(Cmp(CmpGE, l.X, Const(0)), l.R, s, s)
	return s
}

// SigmoidPrime returns s(1-s) = E/(1+E)^2 = E R^2, without cancellation.
func (l Logistic) SigmoidPrime() reg.VecVirtual {
	s := YMM()
	VMULPD(l.R, l.E, s)
	VMULPD(l.R, s, s)
	return s
}

// Softplus returns log(1 + e^x) = max(x, 0) + log(1 + E), with the rounding
// residual of U = 1 + E (exact, as 1 >= E) carried as c R.
func (l Logistic) Softplus() reg.VecVirtual {
	c := YMM()
	VSUBPD(Const(1), l.U, c) // U - 1
	VSUBPD(c, l.E, c)        // E - (U - 1)
	VMULPD(l.R, c, c)
	lp := LogU(l.U, c)
	m := YMM()
	VMAXPD(l.X, Splat(0), m) // NaN kept
	VADDPD(lp, m, m)
	return m
}
