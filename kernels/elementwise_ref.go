package kernels

import "math"

// The references below define the elementwise kernels in terms of the math
// package; the assembly is held to them within the ULP bounds stated in the
// tests.

func expRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Exp(v)
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
		s := sigmoidScalar(v)
		dst[i] = s * (1 - s)
	}
}

func tanhRef(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}

func tanhPrimeRef(dst, x []float64) {
	for i, v := range x {
		t := math.Tanh(v)
		dst[i] = 1 - t*t
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
		gx[i] = s*gy[i] + s*(1-s)*dx[i]*gdy[i]
		gdx[i] = s * gdy[i]
	}
}

func tanhJVPRef(y, dy, x, dx []float64) {
	for i, v := range x {
		t := math.Tanh(v)
		y[i] = t
		dy[i] = (1 - t*t) * dx[i]
	}
}

func tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy []float64) {
	for i, v := range x {
		t := math.Tanh(v)
		d := 1 - t*t
		gx[i] = d*gy[i] - 2*t*d*dx[i]*gdy[i]
		gdx[i] = d * gdy[i]
	}
}
