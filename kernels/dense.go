package kernels

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(A) is m x k (A is m x k with leading dimension lda, or k x m when transA),
// op(B) is k x n (B is k x n with leading dimension ldb, or n x k when
// transB) and C is m x n with leading dimension ldc. When beta is 0, C is
// overwritten without being read (NaNs in C do not propagate).
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if !(m >= 0 && n >= 0 && k >= 0) {
		badShape("Gemm", "m=%d n=%d k=%d", m, n, k)
	}
	if !(lda >= max(1, ac) && ldb >= max(1, bc) && ldc >= max(1, n)) {
		badShape("Gemm", "m=%d n=%d k=%d transA=%v transB=%v lda=%d ldb=%d ldc=%d", m, n, k, transA, transB, lda, ldb, ldc)
	}
	if m == 0 || n == 0 {
		return
	}
	need("Gemm", "c", len(c), (m-1)*ldc+n)
	if k > 0 {
		need("Gemm", "a", len(a), (ar-1)*lda+ac)
		need("Gemm", "b", len(b), (br-1)*ldb+bc)
	}
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Gemv computes y = alpha*op(A)*x + beta*y for a row-major m x n matrix A
// with leading dimension lda, where op(A) is A, or A transposed when trans.
// x has n elements (m when trans) and y has m (n when trans). When beta is 0,
// y is overwritten without being read.
func Gemv(trans bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	if !(m >= 0 && n >= 0 && lda >= max(1, n)) {
		badShape("Gemv", "m=%d n=%d lda=%d", m, n, lda)
	}
	lx, ly := n, m
	if trans {
		lx, ly = m, n
	}
	need("Gemv", "x", len(x), lx)
	need("Gemv", "y", len(y), ly)
	if m > 0 && n > 0 {
		need("Gemv", "a", len(a), (m-1)*lda+n)
	}
	gemv(trans, m, n, alpha, a, lda, x, beta, y)
}

// Dot returns sum_i x[i]*y[i] over the first len(x) elements.
func Dot(x, y []float64) float64 {
	need("Dot", "y", len(y), len(x))
	return dot(x, y[:len(x)])
}

// Axpy computes y[i] += alpha*x[i] for i < len(x).
func Axpy(alpha float64, x, y []float64) {
	need("Axpy", "y", len(y), len(x))
	axpy(alpha, x, y[:len(x)])
}

// SumSq returns sum_i x[i]*x[i].
func SumSq(x []float64) float64 {
	return sumSq(x)
}
