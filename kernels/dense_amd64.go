//go:build !purego

package kernels

// The dense kernels' dispatch. Every tier above purego runs the AVX2
// kernels (there are no AVX-512 dense kernels yet), and every tier runs the
// reference below the size thresholds.

// Size thresholds below which the reference runs: there the call into
// assembly (never inlined) and, for GEMM, the packing of the operands cost
// more than the vector code saves.
const (
	// gemmMinFlops is the least m*n*k for the packed assembly GEMM.
	gemmMinFlops = 4 * 4 * 8
	// gemvMinElems is the least m*n for the assembly GEMV.
	gemvMinElems = 32
	// vecMinLen is the least length for the assembly dot, axpy and sum of
	// squares.
	vecMinLen = 8
)

func gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	switch active {
	case tierAVX512, tierAVX2:
		if k == 1 && !transB && alpha == 1 && n >= vecMinLen {
			gemmRank1(transA, m, n, a, lda, b, beta, c, ldc)
			return
		}
		if k > 0 && m*n*k >= gemmMinFlops {
			gemmPacked(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
	}
	gemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemv(trans bool, m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if m*n >= gemvMinElems {
			if trans {
				gemvTransAsm(m, n, alpha, a, lda, x, beta, y)
			} else {
				gemvAsm(m, n, alpha, a, lda, x, beta, y)
			}
			return
		}
	}
	gemvRef(trans, m, n, alpha, a, lda, x, beta, y)
}

func dot(x, y []float64) float64 {
	switch active {
	case tierAVX512, tierAVX2:
		if len(x) >= vecMinLen {
			return dotAVX2(x, y)
		}
	}
	return dotRef(x, y)
}

func axpy(alpha float64, x, y []float64) {
	switch active {
	case tierAVX512, tierAVX2:
		if len(x) >= vecMinLen {
			axpyAVX2(alpha, x, y)
			return
		}
	}
	axpyRef(alpha, x, y)
}

func sumSq(x []float64) float64 {
	switch active {
	case tierAVX512, tierAVX2:
		if len(x) >= vecMinLen {
			return sumSqAVX2(x)
		}
	}
	return sumSqRef(x)
}

// gemmKernel4x12 computes, for packed panels a (kc x 4, element (i, p) at
// a[p*4+i]) and b (kc x 12, element (p, j) at b[p*12+j]), the 4x12 tile
// c[i*ldc+j] = alpha*sum_p a[p*4+i]*b[p*12+j] + beta*c[i*ldc+j]; when beta
// is 0, c is written without being read. The caller guarantees
// len(a) >= 4*kc, len(b) >= 12*kc and len(c) >= 3*ldc+12.
//
//go:noescape
func gemmKernel4x12(kc int, a, b, c []float64, ldc int, alpha, beta float64)

// gemvN4AVX2 returns the dot products with x of the four rows of A that
// start at a[0], a[lda], a[2*lda] and a[3*lda], each of length len(x). The
// caller guarantees len(a) >= 3*lda+len(x).
//
//go:noescape
func gemvN4AVX2(a []float64, lda int, x []float64) (s0, s1, s2, s3 float64)

// gemvTAVX2 adds sum_i x[i]*a[i*lda+j] to t[j] for every j < len(t), over
// i < len(x) in increasing order, each product added with one rounding. The
// caller guarantees len(a) >= (len(x)-1)*lda+len(t).
//
//go:noescape
func gemvTAVX2(a []float64, lda int, x []float64, t []float64)

// dotAVX2 returns sum_i x[i]*y[i] over i < len(x); len(y) >= len(x).
//
//go:noescape
func dotAVX2(x, y []float64) float64

// sumSqAVX2 returns sum_i x[i]*x[i].
//
//go:noescape
func sumSqAVX2(x []float64) float64

// axpyAVX2 sets y[i] = alpha*x[i] + y[i] (one rounding) for i < len(x);
// len(y) >= len(x).
//
//go:noescape
func axpyAVX2(alpha float64, x, y []float64)
