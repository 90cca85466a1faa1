//go:build !purego

package kernels

// The elementwise kernels' dispatch. Every tier above purego runs the AVX2
// kernels (there are no AVX-512 elementwise kernels yet), at every length:
// the exported functions are called on whole layers, not single elements.
// The assembly functions take outputs and inputs of at least len(x)
// elements (the exported functions check this) and are held to the
// references within the ULP bounds stated in elementwise_test.go.

//go:noescape
func expAVX2(dst, x []float64)

//go:noescape
func log1pAVX2(dst, x []float64)

//go:noescape
func softplusAVX2(dst, x []float64)

//go:noescape
func sigmoidAVX2(dst, x []float64)

//go:noescape
func sigmoidPrimeAVX2(dst, x []float64)

//go:noescape
func tanhAVX2(dst, x []float64)

//go:noescape
func tanhPrimeAVX2(dst, x []float64)

//go:noescape
func softplusJVPAVX2(y, dy, x, dx []float64)

//go:noescape
func softplusJVPReverseAVX2(gx, gdx, x, dx, gy, gdy []float64)

//go:noescape
func tanhJVPAVX2(y, dy, x, dx []float64)

//go:noescape
func tanhJVPReverseAVX2(gx, gdx, x, dx, gy, gdy []float64)

func exp(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		expAVX2(dst, x)
		return
	}
	expRef(dst, x)
}

func log1p(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		log1pAVX2(dst, x)
		return
	}
	log1pRef(dst, x)
}

func softplus(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		softplusAVX2(dst, x)
		return
	}
	softplusRef(dst, x)
}

func sigmoid(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		sigmoidAVX2(dst, x)
		return
	}
	sigmoidRef(dst, x)
}

func sigmoidPrime(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		sigmoidPrimeAVX2(dst, x)
		return
	}
	sigmoidPrimeRef(dst, x)
}

func tanh(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		tanhAVX2(dst, x)
		return
	}
	tanhRef(dst, x)
}

func tanhPrime(dst, x []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		tanhPrimeAVX2(dst, x)
		return
	}
	tanhPrimeRef(dst, x)
}

func softplusJVP(y, dy, x, dx []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		softplusJVPAVX2(y, dy, x, dx)
		return
	}
	softplusJVPRef(y, dy, x, dx)
}

func tanhJVP(y, dy, x, dx []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		tanhJVPAVX2(y, dy, x, dx)
		return
	}
	tanhJVPRef(y, dy, x, dx)
}

func softplusJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		softplusJVPReverseAVX2(gx, gdx, x, dx, gy, gdy)
		return
	}
	softplusJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}

func tanhJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		tanhJVPReverseAVX2(gx, gdx, x, dx, gy, gdy)
		return
	}
	tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}
