//go:build purego || !amd64

package kernels

// Without the assembly every lse kernel is its reference.

func logSumExp(rows, cols int, x, out []float64) {
	logSumExpRef(rows, cols, x, out)
}

func gmmLogDensity(n, d, k int, z, mu, logw, out, work []float64) {
	gmmLogDensityRef(n, d, k, z, mu, logw, out, work)
}
