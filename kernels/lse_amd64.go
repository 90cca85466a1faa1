//go:build !purego

package kernels

// The lse kernels, dispatched between assembly and reference.

//go:noescape
func lseAVX2(x, out []float64, cols int)

//go:noescape
func gmmDistAVX2(z, mu, logw, work []float64, d int)

func logSumExp(rows, cols int, x, out []float64) {
	if !useAsm {
		logSumExpRef(rows, cols, x, out)
		return
	}
	lseAVX2(x[:rows*cols], out[:rows], cols)
}

func gmmLogDensity(n, d, k int, z, mu, logw, out, work []float64) {
	if !useAsm {
		gmmLogDensityRef(n, d, k, z, mu, logw, out, work)
		return
	}
	gmmDistAVX2(z[:n*d], mu[:k*d], logw[:k], work[:n*k], d)
	lseAVX2(work[:n*k], out[:n], k)
	c := float64(d) / 2 * Log2Pi
	for s := range out[:n] {
		out[s] -= c
	}
}
