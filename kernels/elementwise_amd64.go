//go:build !purego

package kernels

// The elementwise kernels' dispatch: each tier runs its own kernels, at
// every length (the exported functions are called on whole layers, not
// single elements). The assembly functions take outputs and inputs of at
// least len(x) elements (the exported functions check this) and are held to
// the references within the ULP bounds stated in elementwise_test.go.

//go:noescape
func expAVX2(dst, x []float64)

// expAVX512 computes, for i < len(x), dst[i] = e^x[i].
//
//go:noescape
func expAVX512(dst, x []float64)

//go:noescape
func log1pAVX2(dst, x []float64)

// log1pAVX512 computes, for i < len(x), dst[i] = log(1 + x[i]).
//
//go:noescape
func log1pAVX512(dst, x []float64)

//go:noescape
func softplusAVX2(dst, x []float64)

// softplusAVX512 computes, for i < len(x), dst[i] = log(1 + e^x[i]).
//
//go:noescape
func softplusAVX512(dst, x []float64)

//go:noescape
func sigmoidAVX2(dst, x []float64)

// sigmoidAVX512 computes, for i < len(x), dst[i] = 1/(1 + e^-x[i]).
//
//go:noescape
func sigmoidAVX512(dst, x []float64)

//go:noescape
func sigmoidPrimeAVX2(dst, x []float64)

// sigmoidPrimeAVX512 computes, for i < len(x), dst[i] = s(1-s) with s = sigmoid(x[i]).
//
//go:noescape
func sigmoidPrimeAVX512(dst, x []float64)

//go:noescape
func tanhAVX2(dst, x []float64)

// tanhAVX512 computes, for i < len(x), dst[i] = tanh(x[i]).
//
//go:noescape
func tanhAVX512(dst, x []float64)

//go:noescape
func tanhPrimeAVX2(dst, x []float64)

// tanhPrimeAVX512 computes, for i < len(x), dst[i] = 1 - tanh(x[i])^2.
//
//go:noescape
func tanhPrimeAVX512(dst, x []float64)

//go:noescape
func softplusJVPAVX2(y, dy, x, dx []float64)

// softplusJVPAVX512 computes, for i < len(x), y[i] = softplus(x[i]) and dy[i] = sigmoid(x[i])*dx[i].
//
//go:noescape
func softplusJVPAVX512(y, dy, x, dx []float64)

//go:noescape
func softplusJVPReverseAVX2(gx, gdx, x, dx, gy, gdy []float64)

// softplusJVPReverseAVX512 computes, for i < len(x), gx[i] = sigmoid(x[i])*gy[i] + sigmoid'(x[i])*dx[i]*gdy[i] and gdx[i] = sigmoid(x[i])*gdy[i].
//
//go:noescape
func softplusJVPReverseAVX512(gx, gdx, x, dx, gy, gdy []float64)

//go:noescape
func tanhJVPAVX2(y, dy, x, dx []float64)

// tanhJVPAVX512 computes, for i < len(x), y[i] = tanh(x[i]) and dy[i] = (1 - y[i]^2)*dx[i].
//
//go:noescape
func tanhJVPAVX512(y, dy, x, dx []float64)

//go:noescape
func tanhJVPReverseAVX2(gx, gdx, x, dx, gy, gdy []float64)

// tanhJVPReverseAVX512 computes, for i < len(x), with t = tanh(x[i]), gx[i] = (1-t^2)*gy[i] - 2t(1-t^2)*dx[i]*gdy[i] and gdx[i] = (1-t^2)*gdy[i].
//
//go:noescape
func tanhJVPReverseAVX512(gx, gdx, x, dx, gy, gdy []float64)

func exp(dst, x []float64) {
	switch active {
	case tierAVX512:
		expAVX512(dst, x)
		return
	case tierAVX2:
		expAVX2(dst, x)
		return
	}
	expRef(dst, x)
}

func log1p(dst, x []float64) {
	switch active {
	case tierAVX512:
		log1pAVX512(dst, x)
		return
	case tierAVX2:
		log1pAVX2(dst, x)
		return
	}
	log1pRef(dst, x)
}

func softplus(dst, x []float64) {
	switch active {
	case tierAVX512:
		softplusAVX512(dst, x)
		return
	case tierAVX2:
		softplusAVX2(dst, x)
		return
	}
	softplusRef(dst, x)
}

func sigmoid(dst, x []float64) {
	switch active {
	case tierAVX512:
		sigmoidAVX512(dst, x)
		return
	case tierAVX2:
		sigmoidAVX2(dst, x)
		return
	}
	sigmoidRef(dst, x)
}

func sigmoidPrime(dst, x []float64) {
	switch active {
	case tierAVX512:
		sigmoidPrimeAVX512(dst, x)
		return
	case tierAVX2:
		sigmoidPrimeAVX2(dst, x)
		return
	}
	sigmoidPrimeRef(dst, x)
}

func tanh(dst, x []float64) {
	switch active {
	case tierAVX512:
		tanhAVX512(dst, x)
		return
	case tierAVX2:
		tanhAVX2(dst, x)
		return
	}
	tanhRef(dst, x)
}

func tanhPrime(dst, x []float64) {
	switch active {
	case tierAVX512:
		tanhPrimeAVX512(dst, x)
		return
	case tierAVX2:
		tanhPrimeAVX2(dst, x)
		return
	}
	tanhPrimeRef(dst, x)
}

func softplusJVP(y, dy, x, dx []float64) {
	switch active {
	case tierAVX512:
		softplusJVPAVX512(y, dy, x, dx)
		return
	case tierAVX2:
		softplusJVPAVX2(y, dy, x, dx)
		return
	}
	softplusJVPRef(y, dy, x, dx)
}

func tanhJVP(y, dy, x, dx []float64) {
	switch active {
	case tierAVX512:
		tanhJVPAVX512(y, dy, x, dx)
		return
	case tierAVX2:
		tanhJVPAVX2(y, dy, x, dx)
		return
	}
	tanhJVPRef(y, dy, x, dx)
}

func softplusJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	switch active {
	case tierAVX512:
		softplusJVPReverseAVX512(gx, gdx, x, dx, gy, gdy)
		return
	case tierAVX2:
		softplusJVPReverseAVX2(gx, gdx, x, dx, gy, gdy)
		return
	}
	softplusJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}

func tanhJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	switch active {
	case tierAVX512:
		tanhJVPReverseAVX512(gx, gdx, x, dx, gy, gdy)
		return
	case tierAVX2:
		tanhJVPReverseAVX2(gx, gdx, x, dx, gy, gdy)
		return
	}
	tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}
