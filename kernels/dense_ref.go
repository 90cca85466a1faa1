package kernels

import "math"

// gemmRef is the reference for Gemm: the textbook triple loop, each product
// accumulated with one rounding (math.FMA) in increasing k.
func gemmRef(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s = math.FMA(av, bv, s)
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = math.FMA(alpha, s, beta*c[i*ldc+j])
			}
		}
	}
}

// gemvRef is the reference for Gemv.
func gemvRef(trans bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	rows, cols := m, n
	if trans {
		rows, cols = n, m
	}
	for i := 0; i < rows; i++ {
		var s float64
		for j := 0; j < cols; j++ {
			var av float64
			if trans {
				av = a[j*lda+i]
			} else {
				av = a[i*lda+j]
			}
			s = math.FMA(av, x[j], s)
		}
		if beta == 0 {
			y[i] = alpha * s
		} else {
			y[i] = math.FMA(alpha, s, beta*y[i])
		}
	}
}

// dotRef is the reference for Dot.
func dotRef(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		s = math.FMA(v, y[i], s)
	}
	return s
}

// axpyRef is the reference for Axpy.
func axpyRef(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] = math.FMA(alpha, v, y[i])
	}
}

// sumSqRef is the reference for SumSq.
func sumSqRef(x []float64) float64 {
	var s float64
	for _, v := range x {
		s = math.FMA(v, v, s)
	}
	return s
}
