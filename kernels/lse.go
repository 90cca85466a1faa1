package kernels

import "math"

// LogSumExp computes out[r] = log(sum_c exp(x[r*cols+c])) for each of the
// rows rows of a row-major rows x cols matrix, shifting by the row maximum so
// that no magnitude overflows or underflows. A row of -Inf gives -Inf; a row
// containing +Inf gives +Inf; a NaN gives NaN. cols must be positive.
func LogSumExp(rows, cols int, x, out []float64) {
	if !(rows >= 0 && cols > 0) {
		badShape("LogSumExp", "rows=%d cols=%d", rows, cols)
	}
	need("LogSumExp", "x", len(x), rows*cols)
	need("LogSumExp", "out", len(out), rows)
	logSumExp(rows, cols, x, out)
}

// Log2Pi is log(2 pi).
var Log2Pi = math.Log(2 * math.Pi)

// GMMLogDensity computes, for each of the n rows z_s of z (n x d), the
// log-density of the mixture of k unit-covariance Gaussians with means mu
// (k x d) and log-weights logw (k):
//
//	out[s] = log sum_j exp(logw[j] - |z_s - mu_j|^2/2) - (d/2) log(2 pi).
//
// On return work[s*k+j] holds logw[j] - |z_s - mu_j|^2/2, from which the
// responsibilities exp(work[s*k+j] - out[s] - (d/2) log(2 pi)) follow.
// work must have at least n*k elements.
func GMMLogDensity(n, d, k int, z, mu, logw, out, work []float64) {
	if !(n >= 0 && d > 0 && k > 0) {
		badShape("GMMLogDensity", "n=%d d=%d k=%d", n, d, k)
	}
	need("GMMLogDensity", "z", len(z), n*d)
	need("GMMLogDensity", "mu", len(mu), k*d)
	need("GMMLogDensity", "logw", len(logw), k)
	need("GMMLogDensity", "out", len(out), n)
	need("GMMLogDensity", "work", len(work), n*k)
	gmmLogDensity(n, d, k, z, mu, logw, out, work)
}
