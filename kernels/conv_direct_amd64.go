//go:build !purego

package kernels

// The implicit-GEMM convolution behind ConvForward and ConvBackwardData:
// out[n][o] = bias[o] + sum over c, p, q of wt[o][c][p][q] * in[n][c] shifted
// by (p - pad, q - pad), for cin input and cout output channels, read
// through the padded layout with a table of tap offsets. On the avx2 tier
// the tile kernels compute 16 consecutive output pixels of one row for
// blocks of up to 3 output channels from packed weight panels; the avx512
// tier's are in conv_avx512_amd64.go. For 3 x 3 kernels the r3 tile
// kernels of both tiers take the taps a kernel row at a time (one offset
// per row, constant displacements for its three taps), in the same order,
// so with the same rounding, as the general ones.

// tileWidth is the number of output pixels per tile kernel call.
const tileWidth = 16

// tileSlack is the number of elements after the padded input that a tile
// reaching past the right edge of the last row may read (their results are
// discarded): up to 16 on the avx2 tier, up to 4 on the avx512 tier (a
// vector of 8 starting at a multiple of 8 below the width W, rounded up to
// 4 in the layout).
const tileSlack = tileWidth

// directWorkLen is the work the implicit GEMM of either tier needs for cin
// input and cout output channels: the tap table, the packed weights, the
// padded input of one image, a tile of outputs for the right edge (avx2),
// the vector table of one image (avx512) and a zero bias.
func directWorkLen(s ConvShape, cin, cout int) int {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	return kk + cout*kk + cin*l.plane + tileSlack + cout*tileWidth + tableLen(1, s.H, s.W) + cout
}

// directWork splits work as directWorkLen counts it.
type directWork struct {
	tab, table       []int
	panels, in, tile []float64
	zeroBias         []float64
}

func splitDirectWork(s ConvShape, cin, cout int, work []float64) directWork {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	nt := tableLen(1, s.H, s.W)
	var d directWork
	d.tab = intsIn(work, kk)
	work = work[kk:]
	d.panels, work = work[:cout*kk], work[cout*kk:]
	d.in, work = work[:cin*l.plane+tileSlack], work[cin*l.plane+tileSlack:]
	d.tile, work = work[:cout*tileWidth], work[cout*tileWidth:]
	d.table = intsIn(work, nt)
	work = work[nt:]
	d.zeroBias = work[:cout]
	return d
}

// implicitGEMMFunc is one tier's implicit GEMM: it packs the weights
// wt.at(o, k) of cout output channels by cin*K*K reduction indices into
// d.panels and computes out (N images of cout channels) from in (N images
// of cin channels), with the tap table already in d.
type implicitGEMMFunc func(s ConvShape, cin, cout int, in, bias, out []float64, d directWork, wt gemmWeights)

// tileBlocks splits cout output channels into n3 blocks of 3 followed by
// the blocks of sizes rest (each 1 or 2; 0 marks an unused entry), avoiding
// blocks of 1 where it can since they run at half speed.
func tileBlocks(cout int) (n3 int, rest [2]int) {
	switch cout % 3 {
	case 0:
		return cout / 3, rest
	case 2:
		return cout / 3, [2]int{2, 0}
	}
	if cout == 1 {
		return 0, [2]int{1, 0}
	}
	return cout/3 - 1, [2]int{2, 2}
}

// gemmWeights are the weights of an implicit GEMM, wt(o, k) for output
// channel o and reduction index k = (c*K + p)*K + q: those of the forward
// convolution, w[o][c][p][q], or with flip set those of the data gradient,
// w transposed in the channels and flipped in both kernel axes,
// wt[c][o][p][q] = w[o][c][K-1-p][K-1-q], where w has cin input channels.
type gemmWeights struct {
	w        []float64
	cin, kk2 int // the input channels of w and the taps of a kernel, K*K
	flip     bool
}

// at returns wt(o, k).
func (g gemmWeights) at(o, k int) float64 {
	if !g.flip {
		return g.w[o*g.cin*g.kk2+k]
	}
	// o is an input channel of w, k/kk2 an output channel.
	wo, t := k/g.kk2, k%g.kk2
	return g.w[(wo*g.cin+o)*g.kk2+g.kk2-1-t]
}

// packPanel stores the weights wt(o, k) of the block of mr output channels
// starting at o0, by kk reduction indices, as the tile kernels of both tiers
// read them: the panel at o0*kk holds wt(o0+r, k) at k*mr + r.
func packPanel(panels []float64, o0, mr, kk int, wt gemmWeights) {
	p := panels[o0*kk:][:mr*kk]
	for k := 0; k < kk; k++ {
		for r := 0; r < mr; r++ {
			p[k*mr+r] = wt.at(o0+r, k)
		}
	}
}

// packPanels packs the panels of cout output channels in the blocks of
// tileBlocks.
func packPanels(panels []float64, cout, kk int, wt gemmWeights) {
	n3, rest := tileBlocks(cout)
	o0 := 0
	for range n3 {
		packPanel(panels, o0, 3, kk, wt)
		o0 += 3
	}
	for _, mr := range rest {
		if mr == 0 {
			break
		}
		packPanel(panels, o0, mr, kk, wt)
		o0 += mr
	}
}

// implicitGEMM is the avx2 tier's implicitGEMMFunc.
func implicitGEMM(s ConvShape, cin, cout int, in, bias, out []float64, d directWork, wt gemmWeights) {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	packPanels(d.panels, cout, kk, wt)
	hw := s.H * s.W
	n3, rest := tileBlocks(cout)
	// Kernels three taps wide take the reduction a kernel row at a time.
	tile1, tile2, tile3, count := convTile1x16, convTile2x16, convTile3x16, kk
	if s.K == 3 {
		tile1, tile2, tile3, count = convTile1x16r3, convTile2x16r3, convTile3x16r3, kk/3
	}
	clear(d.in)
	// run computes one tile for all channels, channel o's row at dst[o*ldo:].
	run := func(b *float64, dst []float64, ldo int) {
		o0 := 0
		if n3 > 0 {
			tile3(&d.panels[0], &d.tab[0], count, b, &dst[0], ldo, &bias[0], n3)
			o0 = 3 * n3
		}
		for _, mr := range rest {
			if mr == 0 {
				break
			}
			a, o, bs := &d.panels[o0*kk], &dst[o0*ldo], &bias[o0]
			switch mr {
			case 1:
				tile1(a, &d.tab[0], count, b, o, ldo, bs, 1)
			case 2:
				tile2(a, &d.tab[0], count, b, o, ldo, bs, 1)
			}
			o0 += mr
		}
	}
	for n := 0; n < s.N; n++ {
		l.padImage(d.in, in[n*cin*hw:], cin, s.H, s.W)
		img := out[n*cout*hw:][:cout*hw]
		for i := 0; i < s.H; i++ {
			for j0 := 0; j0 < s.W; j0 += tileWidth {
				b := &d.in[i*l.wp+j0]
				if j0+tileWidth <= s.W {
					run(b, img[i*s.W+j0:], hw)
					continue
				}
				run(b, d.tile, tileWidth)
				w := s.W - j0
				for o := 0; o < cout; o++ {
					copy(img[o*hw+i*s.W+j0:][:w], d.tile[o*tileWidth:][:w])
				}
			}
		}
	}
}

// convForwardAsm is ConvForward on the assembly path, with the implicit
// GEMM of a tier.
func convForwardAsm(s ConvShape, x, w, b, y, work []float64, gemm implicitGEMMFunc) {
	d := splitDirectWork(s, s.Cin, s.Cout, work)
	layoutOf(s).tapOffsets(d.tab, s.K)
	gemm(s, s.Cin, s.Cout, x, b, y, d, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K})
}

// convBackwardDataAsm is ConvBackwardData on the assembly path: the
// convolution of dy with the weights transposed in the channels and flipped
// in both kernel axes.
func convBackwardDataAsm(s ConvShape, dy, w, dx, work []float64, gemm implicitGEMMFunc) {
	d := splitDirectWork(s, s.Cout, s.Cin, work)
	layoutOf(s).tapOffsets(d.tab, s.K)
	clear(d.zeroBias)
	gemm(s, s.Cout, s.Cin, dy, d.zeroBias, dx, d, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K, flip: true})
}
