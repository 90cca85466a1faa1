//go:build !purego

package kernels

// The dense kernels' dispatch. The avx512 tier has its own GEMM (micro-
// kernels, packing and rank-one update) and GEMV; for dot, axpy and the sum
// of squares it runs the AVX2 kernels, which it matches (see vecMinLen).
// Every tier runs the reference below the size thresholds.

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
	//
	// These three have no AVX-512 kernel: on the Zen 4 they were measured on
	// (AMD EPYC, family 25 model 17, 512-bit operations in two 256-bit
	// halves), an AVX-512 version with opmask tails gained nothing. Long
	// vectors are bound by the loads and stores (dot and axpy move 16 or 24
	// bytes per FMA; from L2 up both tiers run at the same bandwidth:
	// 4096 elements 0.95-1.01x, 65536 1.01-1.02x, 2^20 0.86-0.98x), and
	// short ones by the call, the reduction and the tail (8 to 100
	// elements: 0.79-1.06x, an axpy with a masked-store tail as low as
	// 0.25x, for a masked store whose 64 bytes overlap the next loads
	// stalls them). Fastest of 200 timings per tier, alternating in one
	// process.
	vecMinLen = 8
	// gemvTMaxElems is the largest m*n for which the AVX-512 transposed
	// GEMV runs when A is wider than 64 columns. That kernel holds a block
	// of 64 columns of the result in registers and sweeps down all rows of
	// A for each block: one sweep when n <= 64 (4096x64: 1.23x the AVX2
	// kernel), but past 64 columns the sweeps stride across A, which pays
	// while A stays in L2 (256x256: 1.05x) and not beyond (512x512: 0.98x,
	// 1024x1024: 0.90x, 2048x2048: 0.73x), where the AVX2 kernel, which
	// streams A row by row, runs instead.
	gemvTMaxElems = 1 << 16
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
	case tierAVX512:
		if m*n < gemvMinElems {
			break
		}
		if !trans {
			gemvNAVX512(a, lda, x[:n], y[:m], alpha, beta)
			return
		}
		if n <= 64 || m*n <= gemvTMaxElems {
			gemvTAVX512(a, lda, x[:m], y[:n], alpha, beta)
			return
		}
		gemvTransAsm(m, n, alpha, a, lda, x, beta, y)
		return
	case tierAVX2:
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
	case tierAVX512, tierAVX2: // AVX2 in both: see vecMinLen
		if len(x) >= vecMinLen {
			return dotAVX2(x, y)
		}
	}
	return dotRef(x, y)
}

func axpy(alpha float64, x, y []float64) {
	switch active {
	case tierAVX512, tierAVX2: // AVX2 in both: see vecMinLen
		if len(x) >= vecMinLen {
			axpyAVX2(alpha, x, y)
			return
		}
	}
	axpyRef(alpha, x, y)
}

func sumSq(x []float64) float64 {
	switch active {
	case tierAVX512, tierAVX2: // AVX2 in both: see vecMinLen
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

// gemmRank1AVX512 sets c[i*ldc+j] = a[i*astride]*b[j] + beta*c[i*ldc+j]
// for i < m and j < len(b), with beta*c rounded first and then the product
// and the sum rounded once together, and c not read when beta is 0 (c gets
// the rounded product). The caller guarantees m >= 1,
// len(a) >= (m-1)*astride+1 and len(c) >= (m-1)*ldc+len(b).
//
//go:noescape
func gemmRank1AVX512(m int, a []float64, astride int, b, c []float64, ldc int, beta float64)

// gemvNAVX512 sets y[i] = alpha*s_i + beta*y[i], s_i = sum_j a[i*lda+j]*x[j]
// over j < len(x), for i < len(y), rounded as scaleAdd rounds and with y not
// read when beta is 0. Each s_i is summed in 16 partial sums, one rounding
// per product, then added pairwise. The caller guarantees
// len(a) >= (len(y)-1)*lda+len(x).
//
//go:noescape
func gemvNAVX512(a []float64, lda int, x, y []float64, alpha, beta float64)

// gemvTAVX512 sets y[j] = alpha*s_j + beta*y[j], s_j = sum_i x[i]*a[i*lda+j]
// over i < len(x), for j < len(y), rounded as scaleAdd rounds and with y not
// read when beta is 0. Each s_j is summed with one rounding per product in
// increasing i, as the reference sums it, except in a last block of at most
// 32 columns, which sums the even and the odd i apart and then adds the
// two. The caller guarantees len(a) >= (len(x)-1)*lda+len(y).
//
//go:noescape
func gemvTAVX512(a []float64, lda int, x, y []float64, alpha, beta float64)
