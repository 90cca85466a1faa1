//go:build !purego

package kernels

// The lse kernels' dispatch: each tier runs its own kernels. The AVX2
// two-dimensional mixture kernel takes four points at a time, the rest
// going through the general one; the AVX-512 one takes every point, the
// last n%8 under opmasks.

//go:noescape
func lseAVX2(x, out []float64, cols int)

//go:noescape
func gmmDistAVX2(z, mu, logw, work []float64, d int)

//go:noescape
func gmm2AVX2(z, mu, logw, work, out []float64)

// lseAVX512 computes LogSumExp on the len(out) rows of cols > 0 columns
// of x: out[r] = log(sum_c exp(x[r*cols+c])).
//
//go:noescape
func lseAVX512(x, out []float64, cols int)

// gmmDistAVX512 computes, for the k = len(logw) rows mu_j of mu and the
// len(work)/k rows z_s of z (d columns each),
// work[s*k+j] = logw[j] - |z_s - mu_j|^2/2.
//
//go:noescape
func gmmDistAVX512(z, mu, logw, work []float64, d int)

// gmm2AVX512 computes GMMLogDensity for d = 2 on n = len(out) points
// without the constant: work[s*k+j] = logw[j] - |z_s - mu_j|^2/2 and
// out[s] = log sum_j exp(work[s*k+j]), with k = len(logw).
//
//go:noescape
func gmm2AVX512(z, mu, logw, work, out []float64)

func logSumExp(rows, cols int, x, out []float64) {
	switch active {
	case tierAVX512:
		lseAVX512(x[:rows*cols], out[:rows], cols)
		return
	case tierAVX2:
		lseAVX2(x[:rows*cols], out[:rows], cols)
		return
	}
	logSumExpRef(rows, cols, x, out)
}

func gmmLogDensity(n, d, k int, z, mu, logw, out, work []float64) {
	switch active {
	case tierAVX512:
		if d == 2 {
			gmm2AVX512(z[:n*d], mu[:k*d], logw[:k], work[:n*k], out[:n])
		} else {
			gmmDistAVX512(z[:n*d], mu[:k*d], logw[:k], work[:n*k], d)
			lseAVX512(work[:n*k], out[:n], k)
		}
		subtractNormalizer(d, out[:n])
		return
	case tierAVX2:
		gmmLogDensityAVX2(n, d, k, z, mu, logw, out, work)
		return
	}
	gmmLogDensityRef(n, d, k, z, mu, logw, out, work)
}

// gmmLogDensityAVX2 is GMMLogDensity on the AVX2 kernels.
func gmmLogDensityAVX2(n, d, k int, z, mu, logw, out, work []float64) {
	m := 0
	if d == 2 {
		// Points in two dimensions, four at a time with the points in the
		// lanes; the rest as for any d.
		m = n &^ 3
		gmm2AVX2(z[:m*d], mu[:k*d], logw[:k], work[:m*k], out[:m])
	}
	gmmDistAVX2(z[m*d:n*d], mu[:k*d], logw[:k], work[m*k:n*k], d)
	lseAVX2(work[m*k:n*k], out[m:n], k)
	subtractNormalizer(d, out[:n])
}

// subtractNormalizer subtracts (d/2) log(2 pi), the normalising constant of
// a d-dimensional unit-covariance Gaussian, from each element of out.
func subtractNormalizer(d int, out []float64) {
	c := float64(d) / 2 * Log2Pi
	for s := range out {
		out[s] -= c
	}
}
