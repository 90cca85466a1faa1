//go:build !purego

package kernels

// The lse kernels' dispatch. Every tier above purego runs the AVX2 kernels
// (there are no AVX-512 lse kernels yet).

//go:noescape
func lseAVX2(x, out []float64, cols int)

//go:noescape
func gmmDistAVX2(z, mu, logw, work []float64, d int)

//go:noescape
func gmm2AVX2(z, mu, logw, work, out []float64)

func logSumExp(rows, cols int, x, out []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		lseAVX2(x[:rows*cols], out[:rows], cols)
		return
	}
	logSumExpRef(rows, cols, x, out)
}

func gmmLogDensity(n, d, k int, z, mu, logw, out, work []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		gmmLogDensityAsm(n, d, k, z, mu, logw, out, work)
		return
	}
	gmmLogDensityRef(n, d, k, z, mu, logw, out, work)
}

// gmmLogDensityAsm is GMMLogDensity on the AVX2 kernels.
func gmmLogDensityAsm(n, d, k int, z, mu, logw, out, work []float64) {
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
