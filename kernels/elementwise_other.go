//go:build purego || !amd64

package kernels

// Without the assembly every elementwise kernel is its reference.

func exp(dst, x []float64) { expRef(dst, x) }

func log1p(dst, x []float64) { log1pRef(dst, x) }

func softplus(dst, x []float64) { softplusRef(dst, x) }

func sigmoid(dst, x []float64) { sigmoidRef(dst, x) }

func sigmoidPrime(dst, x []float64) { sigmoidPrimeRef(dst, x) }

func tanh(dst, x []float64) { tanhRef(dst, x) }

func tanhPrime(dst, x []float64) { tanhPrimeRef(dst, x) }

func softplusJVP(y, dy, x, dx []float64) { softplusJVPRef(y, dy, x, dx) }

func tanhJVP(y, dy, x, dx []float64) { tanhJVPRef(y, dy, x, dx) }

func softplusJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	softplusJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}

func tanhJVPReverse(gx, gdx, x, dx, gy, gdy []float64) { tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy) }
