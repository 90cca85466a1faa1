package vmath

import (
	"math"
	"math/big"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// The AVX-512 exponential reduces x = (16k + j) ln2/16 + r with j in 0..15
// and |r| <= ln2/32, takes 2^(j/16) from a 16-entry table in two parts
// (T = Thi + Tlo, together exact to about 2^-106), and evaluates e^r - 1 as
// r times a polynomial of degree 6 (the Taylor polynomial of degree 7, whose
// truncation is below 2^-59 for |r| <= ln2/32). VSCALEFPD multiplies by 2^k
// in one step, rounding once into the subnormals and overflowing to +Inf.

// expN is the number of table entries: 2^(j/expN).
const expN = 16

// exp2Tables returns 2^(j/16) for j = 0..15 as a rounded high part and the
// rounded remainder, computed with 256-bit arithmetic.
func exp2Tables() (hi, lo []float64) {
	const prec = 256
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for i := 0; i < 4; i++ { // 2^(1/16)
		root.Sqrt(root)
	}
	p := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := 0; j < expN; j++ {
		h, _ := p.Float64()
		rest := new(big.Float).SetPrec(prec).Sub(p, new(big.Float).SetPrec(prec).SetFloat64(h))
		l, _ := rest.Float64()
		hi, lo = append(hi, h), append(lo, l)
		p.Mul(p, root)
	}
	return hi, lo
}

var exp2Hi, exp2Lo Mem

// expTables returns the read-only tables of 2^(j/16), emitting them on
// first use in the file.
func expTables() (hi, lo Mem) {
	if exp2Hi.Symbol.Name == "" {
		h, l := exp2Tables()
		exp2Hi = table16("exp2hi", h)
		exp2Lo = table16("exp2lo", l)
	}
	return exp2Hi, exp2Lo
}

// expParts is e^(s y) = 2^floor(kf) (Thi + B) split into its pieces: kf =
// n/16 with n = round(s y 16/ln2), Thi the high part of 2^((n mod 16)/16),
// and B = Thi q + Tlo with q = e^r - 1, r = s y - n ln2/16.
type expParts struct {
	kf, thi, b Group
}

// expCore computes expParts for lanes y, clamped by the caller so that
// |s y| <= 750 (or NaN, which gives NaN throughout), for s = 1, -1 or -2:
// kernels call it with y = x, or with y = |x| for e^-|x| and e^-2|x|. y is
// consumed (it holds r/s on return).
//
// With r = s rh, the reduction rh = y - n (ln2/16)/s is exact in its first
// step (n Ln2Hi/16 is exact and cancels against y), rounded once in its
// second, and e^r - 1 = rh Q(rh) with Q's coefficients s^(i+1)/(i+1)!: the
// factors of s are powers of two, so scaling them into the coefficients
// changes no rounding.
func expCore(y Group, s float64) expParts {
	n := len(y)
	t := SplatZ(n, Magic)
	t.Each(func(i int) { VFMADD231PD_BCST(Const(s*expN*Log2E), y[i], t[i]) }) // round(s y 16/ln2) + Magic
	kf := NewGroup(n)
	kf.Each(func(i int) { VSUBPD_BCST(Const(Magic), t[i], kf[i]) }) // n, exactly
	y.Each(func(i int) { VFNMADD231PD_BCST(Const(Ln2Hi/expN/s), kf[i], y[i]) })
	y.Each(func(i int) { VFNMADD231PD_BCST(Const(Ln2Lo/expN/s), kf[i], y[i]) })

	// Q(rh) = sum_{i=0..6} s^(i+1)/(i+1)! rh^i, by Horner.
	coef := make([]float64, 7)
	f := 1.0
	for i := range coef {
		f *= float64(i + 1)
		coef[i] = math.Pow(s, float64(i+1)) / f
	}
	q := SplatZ(n, coef[6])
	for c := 5; c >= 0; c-- {
		q.Each(func(i int) { VFMADD213PD_BCST(Const(coef[c]), y[i], q[i]) })
	}

	hiT, loT := expTables()
	thi := lookup16(hiT, t)
	tlo := lookup16(loT, t)
	b := NewGroup(n)
	b.Each(func(i int) { VMULPD(thi[i], y[i], b[i]) })      // Thi rh
	b.Each(func(i int) { VFMADD213PD(tlo[i], q[i], b[i]) }) // Thi rh Q + Tlo = Thi q + Tlo
	kf.Each(func(i int) { VMULPD_BCST(Const(1.0/expN), kf[i], kf[i]) })
	return expParts{kf: kf, thi: thi, b: b}
}

// Exp512 returns e^x for every float64 lane, with Exp's special values:
// +Inf beyond the overflow threshold, subnormals rounded once, 0 below the
// range and for -Inf, NaN for NaN.
//
// x is clamped to [-746, 746] by VMAXPD and VMINPD with x as the second
// source, which passes a NaN through.
func Exp512(x Group) Group {
	n := len(x)
	lo, hi := SplatZ(n, -746), SplatZ(n, 746)
	y := NewGroup(n)
	y.Each(func(i int) { VMAXPD(x[i], lo[i], y[i]) })
	y.Each(func(i int) { VMINPD(y[i], hi[i], y[i]) })
	return expWhole(expCore(y, 1))
}

// ExpNeg512 returns e^-y for lanes y in [0, 746] (or NaN, which gives
// NaN), the range clamped by the caller. It consumes y.
func ExpNeg512(y Group) Group {
	return expWhole(expCore(y, -1))
}

// expWhole returns e^(s y) = 2^k (Thi + B) from its pieces.
func expWhole(p expParts) Group {
	e := NewGroup(len(p.kf))
	e.Each(func(i int) { VADDPD(p.thi[i], p.b[i], e[i]) })
	e.Each(func(i int) { VSCALEFPD(p.kf[i], e[i], e[i]) })
	return e
}

// absClamp returns min(|x|, c) (NaN for NaN).
func absClamp(x Group, c float64) Group {
	n := len(x)
	y := NewGroup(n)
	y.Each(func(i int) { VANDPD_BCST(ConstBits(AbsMask), x[i], y[i]) })
	hi := SplatZ(n, c)
	y.Each(func(i int) { VMINPD(y[i], hi[i], y[i]) }) // NaN kept
	return y
}
