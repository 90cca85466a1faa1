//go:build !purego

package kernels

// The dense kernels' dispatch. The avx512 tier has its own GEMM (micro-
// kernels, packing and rank-one update) and runs the AVX2 kernels for the
// rest. Every tier
// runs the reference below the size thresholds.

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
	case tierAVX512:
		if k == 1 && !transB && alpha == 1 && n >= vecMinLen {
			astride := lda
			if transA {
				astride = 1 // op(A)[i, 0] = a[0*lda+i]
			}
			gemmRank1AVX512(m, a, astride, b[:n], c, ldc, beta)
			return
		}
		if k > 0 && m*n*k >= gemmMinFlops {
			gemmPacked(&gemmAVX512, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
	case tierAVX2:
		if k == 1 && !transB && alpha == 1 && n >= vecMinLen {
			gemmRank1(transA, m, n, a, lda, b, beta, c, ldc)
			return
		}
		if k > 0 && m*n*k >= gemmMinFlops {
			gemmPacked(&gemmAVX2, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
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

// gemmKernel8x24AVX512 computes, for packed panels a (kc x 8, element
// (i, p) at a[p*8+i]) and b (kc x 24, element (p, j) at b[p*24+j]), the
// 8x24 tile c[i*ldc+j] = alpha*sum_p a[p*8+i]*b[p*24+j] + beta*c[i*ldc+j]
// for i < rows and j < cols, and touches no other element of c; when beta is
// 0, c is written without being read. The caller guarantees 1 <= rows <= 8,
// 1 <= cols <= 24, len(a) >= 8*kc, len(b) >= 24*kc and
// len(c) >= (rows-1)*ldc+cols.
//
//go:noescape
func gemmKernel8x24AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// gemmKernel8x16AVX512 is gemmKernel8x24AVX512 for cols <= 16: it computes
// the tile's first 16 columns alone.
//
//go:noescape
func gemmKernel8x16AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// gemmKernel8x8AVX512 is gemmKernel8x24AVX512 for cols <= 8: it computes
// the tile's first 8 columns alone.
//
//go:noescape
func gemmKernel8x8AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// gemmKernel4x24AVX512 is gemmKernel8x24AVX512 for rows <= 4: it computes
// the tile's first 4 rows alone.
//
//go:noescape
func gemmKernel4x24AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// gemmKernel4x16AVX512 is gemmKernel8x24AVX512 for rows <= 4 and
// cols <= 16: it computes the tile's first 4 rows and 16 columns alone.
//
//go:noescape
func gemmKernel4x16AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// gemmKernel4x8AVX512 is gemmKernel8x24AVX512 for rows <= 4 and cols <= 8:
// it computes the tile's first 4 rows and 8 columns alone.
//
//go:noescape
func gemmKernel4x8AVX512(kc int, a, b, c []float64, ldc int, alpha, beta float64, rows, cols int)

// packTranspose8AVX512 sets dst[p*stride+i] = src[i*ld+p] for p < kc and
// i < rows, and dst[p*stride+i] = 0 for rows <= i < 8: up to 8 rows of src,
// interleaved. The caller guarantees 1 <= rows <= 8, stride >= 8,
// len(src) >= (rows-1)*ld+kc and len(dst) >= (kc-1)*stride+8.
//
//go:noescape
func packTranspose8AVX512(kc int, src []float64, ld, rows int, dst []float64, stride int)

// packCopy8AVX512 sets dst[p*8+j] = src[p*ld+j] for p < kc and j < cols,
// and dst[p*8+j] = 0 for cols <= j < 8. The caller guarantees
// 1 <= cols <= 8, len(src) >= (kc-1)*ld+cols and len(dst) >= 8*kc.
//
//go:noescape
func packCopy8AVX512(kc int, src []float64, ld, cols int, dst []float64)

// packCopy24AVX512 sets dst[p*24+j] = src[p*ld+j] for p < kc and j < cols,
// and dst[p*24+j] = 0 for cols <= j < 24. The caller guarantees
// 1 <= cols <= 24, len(src) >= (kc-1)*ld+cols and len(dst) >= 24*kc.
//
//go:noescape
func packCopy24AVX512(kc int, src []float64, ld, cols int, dst []float64)

// gemmRank1AVX512 sets c[i*ldc+j] = a[i*astride]*b[j] + beta*c[i*ldc+j]
// for i < m and j < len(b), with beta*c rounded first and then the product
// and the sum rounded once together, and c not read when beta is 0 (c gets
// the rounded product). The caller guarantees m >= 1,
// len(a) >= (m-1)*astride+1 and len(c) >= (m-1)*ldc+len(b).
//
//go:noescape
func gemmRank1AVX512(m int, a []float64, astride int, b, c []float64, ldc int, beta float64)

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
