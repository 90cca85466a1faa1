package kernels

import "math"

// The references below define the elementwise kernels in terms of the math
// package; the assembly is held to them within the ULP bounds stated in the
// tests. Sums of products are written with explicit float64 conversions so
// that no build fuses them into FMAs: the references round the same way
// everywhere.

// e709 is e^709 rounded to float64 (0.21 ulp from exact).
const e709 = 8.218407461554972e+307

// expScalar is e^v. math.Exp alone is not the same function on every build:
// the amd64 assembly of math.Exp returns +Inf for v in (709.436, 709.7827],
// where e^v is finite, while other builds return it. Above 709, e^v is
// therefore e^(v-709) (v-709 exact) times e^709, within 2 ulp.
func expScalar(v float64) float64 {
	if v > 709 {
		return math.Exp(v-709) * e709
	}
	return math.Exp(v)
}

func expRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = expScalar(v)
	}
}

func log1pRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Log1p(v)
	}
}

// softplusScalar is log(1 + e^v) without overflow: v + log1p(e^-v) for v > 0.
func softplusScalar(v float64) float64 {
	if v > 0 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}

// sigmoidScalar is 1/(1+e^-v) without overflow.
func sigmoidScalar(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// sigmoidPrimeScalar is s(1-s) = e/(1+e)^2 with e = e^-|v|, which has no
// cancellation where s is near 1 (1 - s computed directly would lose every
// digit for v above about 37).
func sigmoidPrimeScalar(v float64) float64 {
	e := math.Exp(-math.Abs(v))
	return e / ((1 + e) * (1 + e))
}

// tanhPrimeScalar is 1 - tanh(v)^2 = 1/cosh(v)^2, without the cancellation
// of 1 - t*t where |t| is near 1.
func tanhPrimeScalar(v float64) float64 {
	c := math.Cosh(v)
	return 1 / c / c
}

func softplusRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = softplusScalar(v)
	}
}

func sigmoidRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = sigmoidScalar(v)
	}
}

func sigmoidPrimeRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = sigmoidPrimeScalar(v)
	}
}

func tanhRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}

func tanhPrimeRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = tanhPrimeScalar(v)
	}
}

func softplusJVPRef(y, dy, x, dx []float64) {
	for i, v := range x {
		s := sigmoidScalar(v)
		y[i] = softplusScalar(v)
		dy[i] = s * dx[i]
	}
}

func softplusJVPReverseRef(gx, gdx, x, dx, gy, gdy []float64) {
	for i, v := range x {
		s := sigmoidScalar(v)
		gx[i] = float64(s*gy[i]) + float64(sigmoidPrimeScalar(v)*dx[i]*gdy[i])
		gdx[i] = s * gdy[i]
	}
}

func tanhJVPRef(y, dy, x, dx []float64) {
	for i, v := range x {
		y[i] = math.Tanh(v)
		dy[i] = tanhPrimeScalar(v) * dx[i]
	}
}

func tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy []float64) {
	for i, v := range x {
		t := math.Tanh(v)
		d := tanhPrimeScalar(v)
		gx[i] = float64(d*gy[i]) - float64(2*t*d*dx[i]*gdy[i])
		gdx[i] = d * gdy[i]
	}
}
