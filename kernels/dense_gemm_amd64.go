//go:build !purego

package kernels

import (
	"math"
	"sync"
)

// Blocking of the packed GEMM (Goto's algorithm): C is updated in micro-tiles
// of gemmMR x gemmNR by gemmKernel4x12, from a packed gemmMC x gemmKC block of
// op(A) (kept in L2) and a packed gemmKC x gemmNC block of op(B) (one
// gemmKC x gemmNR panel of it in L1 while the kernel sweeps down the A block).
// Transposes are absorbed by the packing, which also pads partial panels
// with zeros.
const (
	gemmMR = 4
	gemmNR = 12
	gemmKC = 256
	gemmMC = 96
	gemmNC = 4092
)

// gemmWork is the packing workspace of one GEMM call.
type gemmWork struct {
	a    []float64 // packed block of op(A), gemmMC x gemmKC
	b    []float64 // packed block of op(B), grown up to gemmKC x gemmNC
	tile [gemmMR * gemmNR]float64
}

// gemmPool keeps workspaces between calls, so that steady-state calls do not
// allocate and concurrent calls each get their own.
var gemmPool = sync.Pool{New: func() any {
	return &gemmWork{a: make([]float64, gemmMC*gemmKC)}
}}

// gemmPacked computes C = alpha*op(A)*op(B) + beta*C for k > 0 with the
// assembly micro-kernel, for arguments already validated by Gemm.
func gemmPacked(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	w := gemmPool.Get().(*gemmWork)
	defer gemmPool.Put(w)
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		ncp := roundUp(nc, gemmNR)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			if cap(w.b) < kc*ncp {
				w.b = MakeFloats(kc * ncp)
			}
			bp := w.b[:kc*ncp]
			packB(transB, b, ldb, pc, jc, kc, nc, bp)
			// Later k-blocks add to what the first one wrote.
			betaK := beta
			if pc > 0 {
				betaK = 1
			}
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				ap := w.a[:kc*roundUp(mc, gemmMR)]
				packA(transA, a, lda, ic, pc, mc, kc, ap)
				gemmMacro(w, mc, nc, kc, alpha, ap, bp, betaK, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// gemmMacro updates the mc x nc block of C at c from packed blocks ap and bp,
// tile by tile; tiles that stick out of C go through w.tile.
func gemmMacro(w *gemmWork, mc, nc, kc int, alpha float64, ap, bp []float64, beta float64, c []float64, ldc int) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		bpan := bp[jr*kc : (jr+gemmNR)*kc]
		for ir := 0; ir < mc; ir += gemmMR {
			mr := min(gemmMR, mc-ir)
			apan := ap[ir*kc : (ir+gemmMR)*kc]
			if mr == gemmMR && nr == gemmNR {
				gemmKernel4x12(kc, apan, bpan, c[ir*ldc+jr:], ldc, alpha, beta)
				continue
			}
			gemmKernel4x12(kc, apan, bpan, w.tile[:], gemmNR, 1, 0)
			for i := 0; i < mr; i++ {
				row := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+nr]
				t := w.tile[i*gemmNR : i*gemmNR+nr]
				if beta == 0 {
					for j := range row {
						row[j] = alpha * t[j]
					}
				} else {
					for j := range row {
						row[j] = math.FMA(alpha, t[j], beta*row[j])
					}
				}
			}
		}
	}
}

// packA copies the mc x kc block of op(A) at (ic, pc) into ap as panels of
// gemmMR rows, element (i, p) of a panel at p*gemmMR+i, padding with zeros.
func packA(transA bool, a []float64, lda, ic, pc, mc, kc int, ap []float64) {
	for ir := 0; ir < mc; ir += gemmMR {
		mr := min(gemmMR, mc-ir)
		dst := ap[ir*kc : (ir+gemmMR)*kc]
		switch {
		case transA:
			// op(A)[i, p] = a[p*lda+i]: each p gives mr consecutive elements.
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+ir:]
				d := dst[p*gemmMR : p*gemmMR+gemmMR]
				if mr == gemmMR {
					d[0], d[1], d[2], d[3] = src[0], src[1], src[2], src[3]
					continue
				}
				clear(d)
				copy(d, src[:mr])
			}
		case mr == gemmMR:
			r0 := a[(ic+ir)*lda+pc:][:kc]
			r1 := a[(ic+ir+1)*lda+pc:][:kc]
			r2 := a[(ic+ir+2)*lda+pc:][:kc]
			r3 := a[(ic+ir+3)*lda+pc:][:kc]
			for p := range r0 {
				d := dst[p*gemmMR : p*gemmMR+gemmMR]
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
			}
		default:
			clear(dst)
			for i := 0; i < mr; i++ {
				r := a[(ic+ir+i)*lda+pc:][:kc]
				for p, v := range r {
					dst[p*gemmMR+i] = v
				}
			}
		}
	}
}

// packB copies the kc x nc block of op(B) at (pc, jc) into bp as panels of
// gemmNR columns, element (p, j) of a panel at p*gemmNR+j, padding with zeros.
func packB(transB bool, b []float64, ldb, pc, jc, kc, nc int, bp []float64) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		dst := bp[jr*kc : (jr+gemmNR)*kc]
		switch {
		case transB:
			// op(B)[p, j] = b[j*ldb+p]: each j gives kc consecutive elements.
			if nr < gemmNR {
				clear(dst)
			}
			for j := 0; j < nr; j++ {
				src := b[(jc+jr+j)*ldb+pc:][:kc]
				for p, v := range src {
					dst[p*gemmNR+j] = v
				}
			}
		case nr == gemmNR:
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+jr:]
				*(*[gemmNR]float64)(dst[p*gemmNR:]) = *(*[gemmNR]float64)(src)
			}
		default:
			clear(dst)
			for p := 0; p < kc; p++ {
				copy(dst[p*gemmNR:p*gemmNR+nr], b[(pc+p)*ldb+jc+jr:][:nr])
			}
		}
	}
}

// gemmRank1 computes C = op(A)*B + beta*C for k = 1 (op(A) a column of m, B
// a row of n): the rank-one update, one axpy of B into each row of C, where
// the packed path would pack both operands for a single multiply. Each
// element gets a[i]*b[j] + beta*c[i][j], the product and the sum rounded
// once together. Callers pass alpha = 1: scaling a[i] by alpha first could
// overflow where the reference's alpha*(a[i]*b[j]) does not.
func gemmRank1(transA bool, m, n int, a []float64, lda int, b []float64, beta float64, c []float64, ldc int) {
	b = b[:n]
	for i := 0; i < m; i++ {
		var ai float64
		if transA {
			ai = a[i] // op(A)[i, 0] = a[0*lda+i]
		} else {
			ai = a[i*lda]
		}
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row) // C is not read when beta is 0
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
		axpyAVX2(ai, b, row)
	}
}
