//go:build !purego

package kernels

// The elementwise kernels, dispatched between assembly and reference. The
// assembly functions take outputs and inputs of at least len(x) elements
// (the exported wrappers check this) and are held to the references within
// the ULP bounds stated in elementwise_test.go.

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

// unaryImpl returns the kernel that runs asm when the assembly is in use and
// ref otherwise.
func unaryImpl(asm, ref func(dst, x []float64)) func(dst, x []float64) {
	return func(dst, x []float64) {
		if useAsm {
			asm(dst, x)
			return
		}
		ref(dst, x)
	}
}

func jvpImpl(asm, ref func(y, dy, x, dx []float64)) func(y, dy, x, dx []float64) {
	return func(y, dy, x, dx []float64) {
		if useAsm {
			asm(y, dy, x, dx)
			return
		}
		ref(y, dy, x, dx)
	}
}

func reverseImpl(asm, ref func(gx, gdx, x, dx, gy, gdy []float64)) func(gx, gdx, x, dx, gy, gdy []float64) {
	return func(gx, gdx, x, dx, gy, gdy []float64) {
		if useAsm {
			asm(gx, gdx, x, dx, gy, gdy)
			return
		}
		ref(gx, gdx, x, dx, gy, gdy)
	}
}

var (
	exp                = unaryImpl(expAVX2, expRef)
	log1p              = unaryImpl(log1pAVX2, log1pRef)
	softplus           = unaryImpl(softplusAVX2, softplusRef)
	sigmoid            = unaryImpl(sigmoidAVX2, sigmoidRef)
	sigmoidPrime       = unaryImpl(sigmoidPrimeAVX2, sigmoidPrimeRef)
	tanh               = unaryImpl(tanhAVX2, tanhRef)
	tanhPrime          = unaryImpl(tanhPrimeAVX2, tanhPrimeRef)
	softplusJVP        = jvpImpl(softplusJVPAVX2, softplusJVPRef)
	softplusJVPReverse = reverseImpl(softplusJVPReverseAVX2, softplusJVPReverseRef)
	tanhJVP            = jvpImpl(tanhJVPAVX2, tanhJVPRef)
	tanhJVPReverse     = reverseImpl(tanhJVPReverseAVX2, tanhJVPReverseRef)
)
