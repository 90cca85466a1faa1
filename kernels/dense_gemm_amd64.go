//go:build !purego

package kernels

import (
	"math"
	"runtime"
	"sync"
)

// gemmBlocking is one tier's packed GEMM (Goto's algorithm): C is updated in
// micro-tiles of mr x nr by the tier's micro-kernel, from a packed mc x kc
// block of op(A) (kept in L2) and a packed kc x nc block of op(B) (one
// kc x nr panel of it in L1 or L2 while the kernel sweeps down the A block,
// the whole block in L3). Transposes are absorbed by the packing, which
// pads partial panels with zeros.
type gemmBlocking struct {
	tier       tier // whose micro-kernel
	mr, nr     int  // the register tile
	kc, mc, nc int  // the cache blocks
}

// The AVX2 tier's register tile, that of gemmKernel4x12 (12 ymm
// accumulators).
const (
	gemmMR = 4
	gemmNR = 12
)

// gemmAVX2 is the AVX2 tier's blocking around gemmKernel4x12: the 256 x 12
// panel of B (24 KiB) stays in L1 while 4 x 256 panels of A stream through,
// and the 96 x 256 block of A (192 KiB) stays in L2.
var gemmAVX2 = gemmBlocking{tier: tierAVX2, mr: gemmMR, nr: gemmNR, kc: 256, mc: 96, nc: 4092}

// gemmAVX512 is the AVX-512 tier's blocking around gemmKernel8x24AVX512,
// derived for Zen 4 (32 KiB of L1d and 1 MiB of L2 per core, 32 MiB of L3
// shared) and checked on one by measurement (thread CPU time, fastest of 30
// to 40 calls, in one process with the variants alternating):
//
//   - The tile, 8x24: 24 zmm accumulators, 3 registers for a row of the B
//     panel and 5 for broadcasts of A, all 32. A k-step loads 3 vectors
//     and broadcasts 8 values for 24 FMAs: 0.46 loads per FMA, where the
//     AVX2 tier's 4x12 ymm tile needs 0.58 per FMA of half the width. With
//     the panels in L1, the 8x24, 6x32, 12x16, 14x16, 9x24 and 4x48 tiles
//     all run at the core's peak (58.2 to 58.8 GFLOP/s, as fast as a loop
//     of independent FMAs); on packed 1024^3 operands 8x24 and 6x32 lead
//     (55.6 GFLOP/s each), and 8x24, being 8 columns narrower, wastes
//     less at the right edge of small products. Prefetching the panels in
//     software lost 1 to 2 %: the hardware prefetchers follow them.
//   - kc = 512: the panels of one kernel call (A 8 x 512: 32 KiB, B 512 x
//     24: 96 KiB) do not fit in L1 together, and need not: at 256 bytes per
//     k-step, which takes 24 cycles of FMAs, they stream from L2 at about
//     11 bytes a cycle, well within its bandwidth. So kc is chosen large,
//     to spread the load and store of the C tile and the call over more
//     FMAs: 1024^3 at kc 256 ran at 53.9 GFLOP/s, 512 at 55.0, 768 at 55.2.
//   - mc = 96: the A block, 96 x 512 (384 KiB), stays in L2 while every B
//     panel of the block is swept against it, beside that panel (96 KiB)
//     and the tiles of C; 48, 96 and 144 ran alike (55.0, 55.0, 55.1).
//   - nc = 2040: the B block, 512 x 2040 (8 MiB), a quarter of the L3 that
//     the cores share, whose panels come from L3 once per A block; on the
//     convolution-shaped 64 x 16384 x 585, nc 1020, 2040 and 4080 ran
//     alike (40.9, 39.9, 39.0 GFLOP/s, bound by packing B from memory).
//
// Both tiers split each dimension into blocks of even size (evenBlock).
var gemmAVX512 = gemmBlocking{tier: tierAVX512, mr: 8, nr: 24, kc: 512, mc: 96, nc: 2040}

// gemmWork is the packing workspace of one GEMM call.
type gemmWork struct {
	a    []float64                // packed block of op(A), up to mc x kc
	b    []float64                // packed block of op(B), up to kc x nc
	tile [gemmMR * gemmNR]float64 // the AVX2 tier's edge tiles
}

// grow returns (*buf)[:n], replacing *buf by a larger slice first if need be.
func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = MakeFloats(n)
	}
	return (*buf)[:n]
}

// idleList keeps the work buffers of finished calls for the next ones: a
// call takes the one given back last (the likeliest to be in cache and
// large enough), or makes one when none is idle, and gives it back, so that
// calls in steady state allocate nothing and concurrent calls each have
// their own. A sync.Pool would drop them at every other garbage collection,
// and the next call would make its buffers again (megabytes, for GEMM);
// this list keeps up to GOMAXPROCS (at start-up) of them for the life of
// the process.
type idleList[T any] struct {
	mu sync.Mutex
	vs []*T
}

func newIdleList[T any]() *idleList[T] {
	return &idleList[T]{vs: make([]*T, 0, runtime.GOMAXPROCS(0))}
}

func (l *idleList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.vs)
	if n == 0 {
		return new(T)
	}
	v := l.vs[n-1]
	l.vs = l.vs[:n-1]
	return v
}

func (l *idleList[T]) put(v *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.vs) < cap(l.vs) {
		l.vs = append(l.vs, v)
	}
}

// gemmIdle holds the GEMM packing workspaces, each as large as the largest
// blocks it has packed (at most 8 MiB for B and 384 KiB for A).
var gemmIdle = newIdleList[gemmWork]()

// gemmPacked computes C = alpha*op(A)*op(B) + beta*C for k > 0 with the
// micro-kernel of bl, for arguments already validated by Gemm.
func gemmPacked(bl *gemmBlocking, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	w := gemmIdle.get()
	defer gemmIdle.put(w)
	ncb, kcb, mcb := evenBlock(n, bl.nc, bl.nr), evenBlock(k, bl.kc, 1), evenBlock(m, bl.mc, bl.mr)
	for jc := 0; jc < n; jc += ncb {
		nc := min(ncb, n-jc)
		ncp := roundUp(nc, bl.nr)
		for pc := 0; pc < k; pc += kcb {
			kc := min(kcb, k-pc)
			bp := grow(&w.b, kc*ncp)
			if bl.tier == tierAVX512 {
				packBAVX512(transB, b, ldb, pc, jc, kc, nc, bp)
			} else {
				packB(transB, b, ldb, pc, jc, kc, nc, bp)
			}
			// Later k-blocks add to what the first one wrote.
			betaK := beta
			if pc > 0 {
				betaK = 1
			}
			for ic := 0; ic < m; ic += mcb {
				mc := min(mcb, m-ic)
				ap := grow(&w.a, kc*roundUp(mc, bl.mr))
				if bl.tier == tierAVX512 {
					packAAVX512(transA, a, lda, ic, pc, mc, kc, ap)
				} else {
					packA(transA, a, lda, ic, pc, mc, kc, ap)
				}
				gemmMacro(bl, w, mc, nc, kc, alpha, ap, bp, betaK, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// evenBlock returns the block size that splits n into as few blocks of at
// most limit (a multiple of unit) as it can, all of about the same size, a
// multiple of unit: k = 585 with kc 512 goes in blocks of 293 and 292
// rather than 512 and 73, whose short calls would pay the tiles' loads and
// stores of C for few products.
func evenBlock(n, limit, unit int) int {
	blocks := (n + limit - 1) / limit
	return roundUp((n+blocks-1)/blocks, unit)
}

// gemmMacro updates the mc x nc block of C at c from packed blocks ap and
// bp, tile by tile with the micro-kernel of bl. The AVX-512 kernels clip the
// tiles that stick out of C, and those with 4 rows or 16 columns or fewer
// go to a kernel that computes no more than them; the AVX2 kernel's tiles
// that stick out of C go through w.tile.
func gemmMacro(bl *gemmBlocking, w *gemmWork, mc, nc, kc int, alpha float64, ap, bp []float64, beta float64, c []float64, ldc int) {
	mr, nr := bl.mr, bl.nr
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		bpan := bp[jr*kc : (jr+nr)*kc]
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			apan := ap[ir*kc : (ir+mr)*kc]
			if bl.tier == tierAVX512 {
				ct := c[ir*ldc+jr : (ir+rows-1)*ldc+jr+cols]
				switch {
				case rows > 4 && cols > 16:
					gemmKernel8x24AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				case rows > 4 && cols > 8:
					gemmKernel8x16AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				case rows > 4:
					gemmKernel8x8AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				case cols > 16:
					gemmKernel4x24AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				case cols > 8:
					gemmKernel4x16AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				default:
					gemmKernel4x8AVX512(kc, apan, bpan, ct, ldc, alpha, beta, rows, cols)
				}
				continue
			}
			if rows == gemmMR && cols == gemmNR {
				gemmKernel4x12(kc, apan, bpan, c[ir*ldc+jr:], ldc, alpha, beta)
				continue
			}
			gemmKernel4x12(kc, apan, bpan, w.tile[:], gemmNR, 1, 0)
			for i := 0; i < rows; i++ {
				row := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				t := w.tile[i*gemmNR : i*gemmNR+cols]
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

// packRows is how many rows of op(A)^T or op(B) the AVX-512 tier's
// copying packers take from every panel in turn: a few rows read in order
// across the whole block, rather than a whole panel's rows at a stride of
// ld (1.8x faster for a 293 x 2040 block of a 16384-wide B).
const packRows = 8

// packAAVX512 is packA for the AVX-512 tier's 8-row panels, in assembly.
func packAAVX512(transA bool, a []float64, lda, ic, pc, mc, kc int, ap []float64) {
	const mr = 8
	if transA {
		// op(A)[i, p] = a[p*lda+i]: row p of the block is a[(pc+p)*lda+ic:].
		packCopyPanels(mr, a, lda, pc*lda+ic, kc, mc, ap)
		return
	}
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		src := (ic+ir)*lda + pc
		packTranspose8AVX512(kc, a[src:src+(rows-1)*lda+kc], lda, rows, ap[ir*kc:(ir+mr)*kc], mr)
	}
}

// packBAVX512 is packB for the AVX-512 tier's 24-column panels, in assembly.
func packBAVX512(transB bool, b []float64, ldb, pc, jc, kc, nc int, bp []float64) {
	const nr = 24
	if !transB {
		packCopyPanels(nr, b, ldb, pc*ldb+jc, kc, nc, bp)
		return
	}
	// op(B)[p, j] = b[j*ldb+p]: the columns of a panel are rows of b,
	// interleaved eight at a time.
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		dst := bp[jr*kc : (jr+nr)*kc]
		if cols < nr {
			clear(dst)
		}
		for g := 0; g < cols; g += 8 {
			rows := min(8, cols-g)
			src := (jc+jr+g)*ldb + pc
			packTranspose8AVX512(kc, b[src:src+(rows-1)*ldb+kc], ldb, rows, dst[g:], nr)
		}
	}
}

// packCopyPanels copies kc rows of n elements, row p at src[off+p*ld:],
// into panels of w (8 or 24) columns, element (p, j) of panel jr/w at
// dst[jr*kc+p*w+j-jr], padding the last panel with zeros: packRows rows at
// a time across all panels.
func packCopyPanels(w int, src []float64, ld, off, kc, n int, dst []float64) {
	for p := 0; p < kc; p += packRows {
		pk := min(packRows, kc-p)
		for jr := 0; jr < n; jr += w {
			cols := min(w, n-jr)
			s := off + p*ld + jr
			rows, panel := src[s:s+(pk-1)*ld+cols], dst[jr*kc+p*w:(jr+w)*kc]
			if w == 8 {
				packCopy8AVX512(pk, rows, ld, cols, panel)
			} else {
				packCopy24AVX512(pk, rows, ld, cols, panel)
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
// a row of n) in the AVX2 tier: the rank-one update, one axpy of B into each
// row of C, where the packed path would pack both operands for a single
// multiply (the avx512 tier has gemmRank1AVX512). Each
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
