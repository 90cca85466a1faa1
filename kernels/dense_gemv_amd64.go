//go:build !purego

package kernels

import "math"

// gemvAsm computes y = alpha*A*x + beta*y four rows at a time with
// gemvN4AVX2, for arguments already validated by Gemv.
func gemvAsm(m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	x = x[:n]
	i := 0
	for ; i+4 <= m; i += 4 {
		s0, s1, s2, s3 := gemvN4AVX2(a[i*lda:], lda, x)
		yi := y[i : i+4]
		yi[0] = scaleAdd(alpha, s0, beta, yi[0])
		yi[1] = scaleAdd(alpha, s1, beta, yi[1])
		yi[2] = scaleAdd(alpha, s2, beta, yi[2])
		yi[3] = scaleAdd(alpha, s3, beta, yi[3])
	}
	for ; i < m; i++ {
		y[i] = scaleAdd(alpha, dot(a[i*lda:i*lda+n], x), beta, y[i])
	}
}

// gemvTransAsm computes y = alpha*A^T*x + beta*y by accumulating A^T*x in a
// kept workspace with gemvTAVX2, for arguments already validated by Gemv.
func gemvTransAsm(m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	w := gemvIdle.get()
	defer gemvIdle.put(w)
	t := grow(w, n)
	clear(t)
	gemvTAVX2(a, lda, x[:m], t)
	for j, s := range t {
		y[j] = scaleAdd(alpha, s, beta, y[j])
	}
}

// gemvIdle holds the accumulators of gemvTransAsm between calls.
var gemvIdle = newIdleList[[]float64]()

// scaleAdd returns alpha*s + beta*y rounded as the reference does, without
// reading y when beta is 0.
func scaleAdd(alpha, s, beta, y float64) float64 {
	if beta == 0 {
		return alpha * s
	}
	return math.FMA(alpha, s, beta*y)
}
