package kernels

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ULP bounds of the elementwise kernels against their references, stated
// per kernel and derived from the error budget of the assembly plus that of
// the reference (both measured from the exact value). Where the AVX-512
// kernels compute differently from the AVX2 ones, their budget follows the
// AVX2 one; both fit the same bound.
//
//   - Exp: the reduction x = k ln2 + r leaves an absolute error below 2^-55
//     in r (Cody-Waite ln2 in two parts, fused steps), the degree-13 Taylor
//     polynomial truncates below 2^-57 relative and its Horner evaluation
//     with FMAs adds at most 0.6 ulp; scaling by 2^k is exact (or one
//     rounding for subnormal results). So within 1 ulp of e^x; math.Exp is
//     within 1 ulp too: bound 2. AVX-512: x = (16k+j) ln2/16 + r, |r| <=
//     ln2/32, 2^(j/16) from a table in two parts (together within 2^-106),
//     the degree-7 Taylor polynomial truncating below 2^-59; the sum
//     Thi + (Thi q + Tlo) rounds twice, the second time at the result's
//     scale, and VSCALEFPD rounds once into the subnormals: within 1 ulp.
//   - Log1p: f = m-1 is exact and kept as the leading term, the correction
//     terms carry relative errors of a few ulp but are below 1/6 of the
//     result, the final additions round twice: within 1.5 ulp; math.Log1p
//     within 1: bound 3 (2.5 rounded up to whole ulps). AVX-512: the same
//     evaluation; where 1+x has exponent 0, f is x itself, elsewhere the
//     residual c/u (at most 2^-53 of a result of magnitude at least ln2/2)
//     comes from VRCP14PD within 2^-14 of itself.
//   - Sigmoid: e^-|x| within 1 ulp, 1 + e and 1/(1+e) and e*r round once
//     each, and the sensitivity of s to e is at most 1/2: within 2 ulp; the
//     reference has the same structure: bound 4. AVX-512: N/(1+e) in one
//     division (N = 1 or e), whose error in e cancels in part against that
//     of 1+e: within 2 ulp.
//   - SigmoidPrime = e r^2: 1 ulp from e, 0.5 from 1+e doubled by the square,
//     three roundings: within 3 ulp; reference e/((1+e)(1+e)) within 3:
//     bound 6. AVX-512: e/(e(e+2)+1), the square in one rounding: within
//     2.5 ulp.
//   - Softplus: max(x,0) + log(1+e): the log within 1.5 ulp (as Log1p) of a
//     value whose input e is 1 ulp off, damped by e/(1+e) <= 1/2; one final
//     addition: within 2.5 ulp; the reference (math.Log1p(math.Exp)) within
//     2.5: bound 5.
//   - Tanh = em/(em+2), em = e^(2|x|)-1 within 1.5 ulp, damped by
//     2/(em+2) <= 1, two roundings: within 2.5 ulp; math.Tanh within 1:
//     bound 4 (3.5 rounded up). AVX-512: em = (2^k Thi - 1) + 2^k B with
//     the first part exact for k = 0, where the sum cancels by up to a
//     factor 2 (j = 1): em within 2 ulp, tanh within 3.
//   - TanhPrime = 4(em+1) r^2 (or 4 e^-2|x| past |x| = 20): em 1.5 ulp,
//     em+1, r (twice) and three products: within 4.5 ulp; the reference
//     1/cosh^2 within 3.5: bound 8. AVX-512: 4E/(E(E+2)+1) with
//     E = e^-2|x| within 1 ulp, which needs no second exponential and
//     underflows gracefully: within 3 ulp.
const (
	ulpExp          = 2
	ulpLog1p        = 3
	ulpSigmoid      = 4
	ulpSigmoidPrime = 6
	ulpSoftplus     = 5
	ulpTanh         = 4
	ulpTanhPrime    = 8
)

// denseSweep makes the ULP sweeps twenty times denser (go test -args -dense).
var denseSweep = flag.Bool("dense", false, "denser ULP sweeps for the elementwise kernels")

// unaryKernel is an exported elementwise kernel with its reference and ULP
// bound.
type unaryKernel struct {
	name string
	f    func(dst, x []float64)
	ref  func(dst, x []float64)
	ulp  float64
}

var unaryKernels = []unaryKernel{
	{"Exp", Exp, expRef, ulpExp},
	{"Log1p", Log1p, log1pRef, ulpLog1p},
	{"Softplus", Softplus, softplusRef, ulpSoftplus},
	{"Sigmoid", Sigmoid, sigmoidRef, ulpSigmoid},
	{"SigmoidPrime", SigmoidPrime, sigmoidPrimeRef, ulpSigmoidPrime},
	{"Tanh", Tanh, tanhRef, ulpTanh},
	{"TanhPrime", TanhPrime, tanhPrimeRef, ulpTanhPrime},
}

// specials are inputs where the kernels must agree with their references
// exactly in kind: NaN (quiet and signalling, of either sign, with and
// without payloads), infinities, zeros of either sign, the extremes of the
// float64 range, and the thresholds of the kernels' ranges and clamps, each
// with its neighbours one ulp away (specialThresholds).
var specials = append([]float64{
	math.NaN(), math.Float64frombits(0x7ff8dead0000beef), math.Float64frombits(0xfff8000000000001),
	math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff4000000000000),
	math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	0x1p-1022, -0x1p-1022, 1, -1 + 0x1p-53, -2, 0x1p-60, -0x1p-60,
	709.79, -708.4, -745.2, -800, 20.0001, 19.06, 37, -37, 354.9, -373, 400,
}, aroundThresholds(specialThresholds)...)

// specialThresholds are where a kernel's result or method changes:
// 709.782712893384 is the largest x with e^x finite, -708.3964185322641
// the smallest whose e^x is normal and -745.1332191019411 the smallest
// whose e^x is not zero; log1p has a pole at -1 and changes the exponent of
// its reduction at sqrt2/2 - 1 and sqrt2 - 1; the AVX-512 kernels clamp
// |x| at 746 (exp, sigmoid, softplus), at 20 (tanh) and 375 (tanh'), and
// 1 - tanh^2 turns subnormal near 354 and zero near 373.
var specialThresholds = []float64{
	709.782712893384, -708.3964185322641, -745.1332191019411, -746, 746, 710,
	-1, math.Sqrt2/2 - 1, math.Sqrt2 - 1,
	20, -20, 375, -375, 354.5, 372.9,
}

// aroundThresholds returns each threshold with its neighbours one ulp below
// and above.
func aroundThresholds(ts []float64) []float64 {
	var x []float64
	for _, t := range ts {
		x = append(x, math.Nextafter(t, math.Inf(-1)), t, math.Nextafter(t, math.Inf(1)))
	}
	return x
}

// sweep returns the test inputs for the ULP checks: dense uniform grids over
// the interesting range, logarithmic grids towards zero, around the
// overflow and underflow thresholds, the subnormals, and the specials.
func sweep() []float64 {
	var x []float64
	lin := func(lo, hi float64, n int) {
		for i := 0; i <= n; i++ {
			x = append(x, lo+(hi-lo)*float64(i)/float64(n))
		}
	}
	scale := 1
	if *denseSweep {
		scale = 20
	}
	lin(-800, 800, 10000*scale)
	lin(-40, 40, 10000*scale)
	lin(-1, 1, 5000*scale)
	for _, c := range []float64{709.782712893384, -708.3964185322641, -745.1332191019411, 20, -20} {
		lin(c-1, c+1, 2000*scale)
	}
	for e := -1074.0; e <= 1023; e += 0.5 {
		v := math.Exp2(e)
		x = append(x, v, -v)
	}
	for e := 1.0; e <= 60; e += 0.01 {
		x = append(x, -1+math.Exp2(-e)) // log1p near -1
	}
	return append(x, specials...)
}

func TestElementwiseULP(t *testing.T) {
	x := sweep()
	want := make([]float64, len(x))
	got := make([]float64, len(x))
	for _, k := range unaryKernels {
		k.ref(want, x)
		forEachImpl(t, func(t *testing.T) {
			k.f(got, x)
			worst, at := 0.0, 0.0
			for i := range x {
				if u := ulps(got[i], want[i]); u > worst {
					worst, at = u, x[i]
				}
				if want[i] == 0 && got[i] == 0 && math.Signbit(want[i]) != math.Signbit(got[i]) {
					t.Errorf("%s(%g) = %g, reference %g: sign of zero differs", k.name, x[i], got[i], want[i])
				}
			}
			t.Logf("%s: worst %g ulp (at x = %g) over %d inputs; bound %g", k.name, worst, at, len(x), k.ulp)
			if worst > k.ulp {
				i := indexOf(x, at)
				t.Errorf("%s(%g) = %g (%#x), reference %g (%#x): %g ulp > bound %g",
					k.name, at, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]), worst, k.ulp)
			}
		})
	}
}

func indexOf(x []float64, v float64) int {
	for i := range x {
		if x[i] == v || (v != v && x[i] != x[i]) {
			return i
		}
	}
	return -1
}

func TestElementwiseSpecials(t *testing.T) {
	got := make([]float64, len(specials))
	want := make([]float64, len(specials))
	for _, k := range unaryKernels {
		k.ref(want, specials)
		forEachImpl(t, func(t *testing.T) {
			k.f(got, specials)
			for i, v := range specials {
				g, w := got[i], want[i]
				same := (math.IsNaN(g) && math.IsNaN(w)) || (g == w && math.Signbit(g) == math.Signbit(w)) ||
					(!math.IsInf(w, 0) && !math.IsNaN(w) && w != 0 && ulps(g, w) <= k.ulp)
				if !same {
					t.Errorf("%s(%g) = %g, reference %g", k.name, v, g, w)
				}
			}
		})
	}
}

// fusedKernel is a primal+tangent kernel or its reverse, with its reference.
// check compares one output element against the reference given the inputs.
type fusedKernel struct {
	name     string
	nin      int
	run, ref func(out [2][]float64, in [][]float64)
	// tol returns the allowed |got - want| of outputs 0 and 1 at element i.
	tol func(in [][]float64, i int) [2]float64
}

// ulpTol is the absolute tolerance of b ulps of v, and at least b smallest
// subnormals times scale (at least 1): where a derivative or a partial
// product of it falls in the subnormals, its rounding error is absolute, a
// fraction of the smallest subnormal, and the factors applied after it
// multiply that error; scale is the sum of their magnitudes.
func ulpTol(v, b, scale float64) float64 {
	return b * math.Max(math.Abs(v)*eps, math.SmallestNonzeroFloat64*math.Max(1, scale))
}

var fusedKernels = []fusedKernel{
	{
		name: "SoftplusJVP", nin: 2,
		run: func(o [2][]float64, in [][]float64) { SoftplusJVP(o[0], o[1], in[0], in[1]) },
		ref: func(o [2][]float64, in [][]float64) { softplusJVPRef(o[0], o[1], in[0], in[1]) },
		// y as Softplus; dy = s dx: sigmoid's bound plus one rounding.
		tol: func(in [][]float64, i int) [2]float64 {
			x, dx := in[0][i], in[1][i]
			return [2]float64{ulpTol(softplusScalar(x), ulpSoftplus, 1), ulpTol(sigmoidScalar(x)*dx, ulpSigmoid+1, math.Abs(dx))}
		},
	},
	{
		name: "SoftplusJVPReverse", nin: 4,
		run: func(o [2][]float64, in [][]float64) { SoftplusJVPReverse(o[0], o[1], in[0], in[1], in[2], in[3]) },
		ref: func(o [2][]float64, in [][]float64) {
			softplusJVPReverseRef(o[0], o[1], in[0], in[1], in[2], in[3])
		},
		// gx = s gy + s' dx gdy: each term within (bound + 2) ulp of
		// itself, plus the rounding of the sum: (B+3) eps (|s gy| + |s' dx gdy|)
		// with B the larger of the two bounds. gdx = s gdy as in SoftplusJVP.
		tol: func(in [][]float64, i int) [2]float64 {
			x, dx, gy, gdy := in[0][i], in[1][i], in[2][i], in[3][i]
			s, sp := sigmoidScalar(x), sigmoidPrimeScalar(x)
			mag := math.Abs(s*gy) + math.Abs(sp*dx*gdy)
			return [2]float64{ulpTol(mag, ulpSigmoidPrime+3, math.Abs(gy)+math.Abs(dx*gdy)+math.Abs(gdy)), ulpTol(s*gdy, ulpSigmoid+1, math.Abs(gdy))}
		},
	},
	{
		name: "TanhJVP", nin: 2,
		run: func(o [2][]float64, in [][]float64) { TanhJVP(o[0], o[1], in[0], in[1]) },
		ref: func(o [2][]float64, in [][]float64) { tanhJVPRef(o[0], o[1], in[0], in[1]) },
		// y = tanh h (the assembly forms h = em r, one rounding more than
		// Tanh's em/(em+2); AVX-512 takes r = 1/(e^2|x| + 1), whose error
		// cancels in part against that of e^2|x| in h' = 4 e^2|x| r^2);
		// dy = h' dx: TanhPrime's bound plus one.
		tol: func(in [][]float64, i int) [2]float64 {
			x, dx := in[0][i], in[1][i]
			return [2]float64{ulpTol(math.Tanh(x), ulpTanh+1, 1), ulpTol(tanhPrimeScalar(x)*dx, ulpTanhPrime+1, math.Abs(dx))}
		},
	},
	{
		name: "TanhJVPReverse", nin: 4,
		run: func(o [2][]float64, in [][]float64) { TanhJVPReverse(o[0], o[1], in[0], in[1], in[2], in[3]) },
		ref: func(o [2][]float64, in [][]float64) { tanhJVPReverseRef(o[0], o[1], in[0], in[1], in[2], in[3]) },
		// gx = h' gy - 2 h h' dx gdy: terms within (bound + 4) ulp, one
		// rounding of the difference; gdx = h' gdy.
		tol: func(in [][]float64, i int) [2]float64 {
			x, dx, gy, gdy := in[0][i], in[1][i], in[2][i], in[3][i]
			h, hp := math.Tanh(x), tanhPrimeScalar(x)
			mag := math.Abs(hp*gy) + math.Abs(2*h*hp*dx*gdy)
			return [2]float64{ulpTol(mag, ulpTanhPrime+5, math.Abs(gy)+2*math.Abs(dx*gdy)+2*math.Abs(gdy)), ulpTol(hp*gdy, ulpTanhPrime+1, math.Abs(gdy))}
		},
	},
}

// fusedInputs returns nin input slices of length n: x over [-30, 30] with a
// few specials, the tangents and gradients over [-3, 3].
func fusedInputs(r *rand.Rand, nin, n int) [][]float64 {
	in := [][]float64{randSlice(r, n, -30, 30)}
	for j := 1; j < nin; j++ {
		in = append(in, randSlice(r, n, -3, 3))
	}
	for i := 0; i < n; i += 7 {
		in[0][i] = specials[r.IntN(len(specials))]
	}
	return in
}

// shapeLengths returns the lengths the shape tests run: every length from 0
// to 65, which covers the AVX2 kernels' four-element vectors and the
// AVX-512 kernels' groups of two or three eight-element vectors, single
// vectors and tails of one to seven, and a few random longer ones.
func shapeLengths(r *rand.Rand) []int {
	var ns []int
	for n := 0; n <= 65; n++ {
		ns = append(ns, n)
	}
	for range 6 {
		ns = append(ns, 66+r.IntN(300))
	}
	return ns
}

// TestElementwiseShapes runs every kernel over lengths 0..65 and random
// longer ones at offsets 0 and 1 with NaN guard bands around each output,
// checks the inputs are unchanged and the outputs match the reference
// within the bounds above.
func TestElementwiseShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	forEachImpl(t, func(t *testing.T) {
		for _, n := range shapeLengths(r) {
			for off := 0; off < 2; off++ {
				for _, k := range unaryKernels {
					x := randSlice(r, n+off, -30, 30)[off:]
					if n > 0 {
						x[r.IntN(n)] = specials[r.IntN(len(specials))]
					}
					x0 := append([]float64(nil), x...)
					want := make([]float64, n)
					k.ref(want, x)
					g := newGuarded(n, off)
					k.f(g.data(), x)
					name := fmt.Sprintf("%s n=%d off=%d", k.name, n, off)
					g.check(t, name)
					if !sameSlice(x, x0) {
						t.Fatalf("%s: input modified", name)
					}
					for i := range want {
						if u := ulps(g.data()[i], want[i]); u > k.ulp {
							t.Fatalf("%s: element %d (x = %g): got %g, want %g (%g ulp)", name, i, x[i], g.data()[i], want[i], u)
						}
					}
				}
				for _, k := range fusedKernels {
					checkFused(t, r, k, n, off)
				}
			}
		}
	})
}

func checkFused(t *testing.T, r *rand.Rand, k fusedKernel, n, off int) {
	t.Helper()
	in := fusedInputs(r, k.nin, n+off)
	for j := range in {
		in[j] = in[j][off:]
	}
	var saved [][]float64
	for _, s := range in {
		saved = append(saved, append([]float64(nil), s...))
	}
	want := [2][]float64{make([]float64, n), make([]float64, n)}
	k.ref(want, in)
	g0, g1 := newGuarded(n, off), newGuarded(n, 1-off)
	k.run([2][]float64{g0.data(), g1.data()}, in)
	name := fmt.Sprintf("%s n=%d off=%d", k.name, n, off)
	g0.check(t, name+" output 0")
	g1.check(t, name+" output 1")
	for j := range in {
		if !sameSlice(in[j], saved[j]) {
			t.Fatalf("%s: input %d modified", name, j)
		}
	}
	got := [2][]float64{g0.data(), g1.data()}
	for i := 0; i < n; i++ {
		tol := k.tol(in, i)
		for o := 0; o < 2; o++ {
			gv, wv := got[o][i], want[o][i]
			if math.IsNaN(wv) || math.IsInf(wv, 0) {
				if !(math.IsNaN(gv) && math.IsNaN(wv)) && gv != wv {
					t.Fatalf("%s: output %d element %d (x = %g): got %g, want %g", name, o, i, in[0][i], gv, wv)
				}
				continue
			}
			if !(math.Abs(gv-wv) <= tol[o]) {
				t.Fatalf("%s: output %d element %d (x = %g): got %g, want %g (tolerance %g)", name, o, i, in[0][i], gv, wv, tol[o])
			}
		}
	}
}

func TestElementwiseShortPanics(t *testing.T) {
	x := make([]float64, 5)
	short := make([]float64, 4)
	cases := []struct {
		name string
		f    func()
	}{
		{"Exp", func() { Exp(short, x) }},
		{"Tanh", func() { Tanh(short, x) }},
		{"SoftplusJVP", func() { SoftplusJVP(x, x, x, short) }},
		{"TanhJVPReverse", func() { TanhJVPReverse(x, x, x, x, x, short) }},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			msg := capturePanic(c.f)
			want := "kernels." + c.name + ": len(output) = 4, need at least 5"
			if msg != want {
				t.Errorf("%s with a short slice: panic %q, want %q", c.name, msg, want)
			}
		}
	})
}

// capturePanic runs f and returns the panic message ("" if none).
func capturePanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// FuzzElementwise checks every elementwise kernel at a fuzzed point and
// values derived from it and the other arguments, 19 in all, so that whole
// vectors of every tier and a tail are exercised, against its reference
// within the bounds above.
func FuzzElementwise(f *testing.F) {
	for _, v := range specials {
		f.Add(v, 1.0, -0.5, 2.0)
	}
	f.Add(0.3, -1.0, 0.25, 3.0)
	f.Fuzz(func(t *testing.T, x, dx, gy, gdy float64) {
		xs := []float64{x, x / 3, -x, x * 1.5, dx}
		dxs := []float64{dx, gy, gdy, 1, dx}
		gys := []float64{gy, gdy, dx, -1, gy}
		gdys := []float64{gdy, dx, gy, 0.5, gdy}
		for len(xs) < 19 {
			i := len(xs)
			xs = append(xs, xs[i-5]*2+xs[i-4])
			dxs = append(dxs, dxs[i-3])
			gys = append(gys, -gys[i-2])
			gdys = append(gdys, gdys[i-5]/2)
		}
		n := len(xs)
		got, want := make([]float64, n), make([]float64, n)
		for _, k := range unaryKernels {
			k.f(got, xs)
			k.ref(want, xs)
			for i := range xs {
				if u := ulps(got[i], want[i]); u > k.ulp {
					t.Fatalf("%s(%g) = %g, reference %g: %g ulp", k.name, xs[i], got[i], want[i], u)
				}
			}
		}
		for _, k := range fusedKernels {
			in := [][]float64{xs, dxs, gys, gdys}[:k.nin]
			gotp := [2][]float64{make([]float64, n), make([]float64, n)}
			wantp := [2][]float64{make([]float64, n), make([]float64, n)}
			k.run(gotp, in)
			k.ref(wantp, in)
			for i := 0; i < n; i++ {
				tol := k.tol(in, i)
				for o := 0; o < 2; o++ {
					gv, wv := gotp[o][i], wantp[o][i]
					if math.IsNaN(wv) || math.IsInf(wv, 0) || math.IsInf(tol[o], 0) || math.IsNaN(tol[o]) {
						continue
					}
					if !(math.Abs(gv-wv) <= tol[o]) {
						t.Fatalf("%s output %d at x = %g: got %g, want %g (tolerance %g)", k.name, o, xs[i], gv, wv, tol[o])
					}
				}
			}
		}
	})
}
