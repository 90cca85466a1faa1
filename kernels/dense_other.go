//go:build purego || !amd64

package kernels

// Without the assembly every dense kernel is its reference.

func gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemv(trans bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	gemvRef(trans, m, n, alpha, a, lda, x, beta, y)
}

func dot(x, y []float64) float64 { return dotRef(x, y) }

func axpy(alpha float64, x, y []float64) { axpyRef(alpha, x, y) }

func sumSq(x []float64) float64 { return sumSqRef(x) }
