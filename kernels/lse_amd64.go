//go:build !purego

package kernels

// The lse kernels, dispatched between assembly and reference.

//go:noescape
func lseAVX2(x, out []float64, cols int)

//go:noescape
func gmmDistAVX2(z, mu, logw, work []float64, d int)

//go:noescape
func gmm2AVX2(z, mu, logw, work, out []float64)

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
	m := 0
	if d == 2 {
		// Points in two dimensions, four at a time with the points in the
		// lanes; the rest as for any d.
		m = n &^ 3
		gmm2AVX2(z[:m*d], mu[:k*d], logw[:k], work[:m*k], out[:m])
	}
	gmmDistAVX2(z[m*d:n*d], mu[:k*d], logw[:k], work[m*k:n*k], d)
	lseAVX2(work[m*k:n*k], out[m:n], k)
	c := float64(d) / 2 * Log2Pi
	for s := range out[:n] {
		out[s] -= c
	}
}
