package kernels

// The elementwise kernels apply a scalar function to each element of x,
// writing dst[i] for i < len(x). dst (and every other output) must be at
// least as long as x; an output may be the same slice as an input of the same
// index, but must not otherwise overlap one. Accuracy against the reference
// is stated in elementwise_test.go.

func need1(kernel string, x []float64, outs ...[]float64) {
	for _, o := range outs {
		need(kernel, "output", len(o), len(x))
	}
}

// Exp computes dst[i] = e^x[i].
func Exp(dst, x []float64) { need1("Exp", x, dst); exp(dst, x) }

// Log1p computes dst[i] = log(1 + x[i]).
func Log1p(dst, x []float64) { need1("Log1p", x, dst); log1p(dst, x) }

// Softplus computes dst[i] = log(1 + e^x[i]).
func Softplus(dst, x []float64) { need1("Softplus", x, dst); softplus(dst, x) }

// Sigmoid computes dst[i] = 1 / (1 + e^-x[i]), the derivative of softplus.
func Sigmoid(dst, x []float64) { need1("Sigmoid", x, dst); sigmoid(dst, x) }

// SigmoidPrime computes dst[i] = s(1-s) with s = Sigmoid(x[i]), the second
// derivative of softplus.
func SigmoidPrime(dst, x []float64) { need1("SigmoidPrime", x, dst); sigmoidPrime(dst, x) }

// Tanh computes dst[i] = tanh(x[i]).
func Tanh(dst, x []float64) { need1("Tanh", x, dst); tanh(dst, x) }

// TanhPrime computes dst[i] = 1 - tanh(x[i])^2.
func TanhPrime(dst, x []float64) { need1("TanhPrime", x, dst); tanhPrime(dst, x) }

// SoftplusJVP computes the primal and tangent of softplus together:
// y[i] = softplus(x[i]) and dy[i] = sigmoid(x[i]) * dx[i].
func SoftplusJVP(y, dy, x, dx []float64) {
	need1("SoftplusJVP", x, y, dy, dx)
	softplusJVP(y, dy, x, dx[:len(x)])
}

// SoftplusJVPReverse is the reverse of SoftplusJVP: given the gradients gy
// and gdy with respect to its outputs, it writes those with respect to its
// inputs, gx[i] = sigmoid(x[i])*gy[i] + sigmoid'(x[i])*dx[i]*gdy[i] and
// gdx[i] = sigmoid(x[i])*gdy[i].
func SoftplusJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	need1("SoftplusJVPReverse", x, gx, gdx, dx, gy, gdy)
	softplusJVPReverse(gx, gdx, x, dx[:len(x)], gy[:len(x)], gdy[:len(x)])
}

// TanhJVP computes y[i] = tanh(x[i]) and dy[i] = (1 - y[i]^2) * dx[i].
func TanhJVP(y, dy, x, dx []float64) {
	need1("TanhJVP", x, y, dy, dx)
	tanhJVP(y, dy, x, dx[:len(x)])
}

// TanhJVPReverse is the reverse of TanhJVP: with t = tanh(x[i]),
// gx[i] = (1-t^2)*gy[i] - 2t(1-t^2)*dx[i]*gdy[i] and gdx[i] = (1-t^2)*gdy[i].
func TanhJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	need1("TanhJVPReverse", x, gx, gdx, dx, gy, gdy)
	tanhJVPReverse(gx, gdx, x, dx[:len(x)], gy[:len(x)], gdy[:len(x)])
}
