//go:build !purego

package kernels

// The implicit-GEMM convolution behind ConvForward and ConvBackwardData:
// out[n][o] = bias[o] + sum over c, p, q of wt[o][c][p][q] * in[n][c] shifted
// by (p - pad, q - pad), for cin input and cout output channels. The tile
// kernels compute 16 consecutive output pixels of one row for blocks of up
// to 3 output channels from packed weight panels, reading the input through
// the padded layout with a table of tap offsets. For 3 x 3 kernels the r3
// tile kernels take the taps a kernel row at a time (one offset per row,
// constant displacements for its three taps), in the same order, so with
// the same rounding, as the general ones.

// tileWidth is the number of output pixels per tile kernel call.
const tileWidth = 16

// tileSlack is the number of elements after the padded input that a tile
// reaching past the right edge of the last row may read (their results are
// discarded).
const tileSlack = tileWidth

// directWorkLen is the work the implicit GEMM needs for cin input and cout
// output channels: the tap table, the packed weights, the padded input of
// one image, a tile of outputs for the right edge and a zero bias.
func directWorkLen(s ConvShape, cin, cout int) int {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	return kk + cout*kk + cin*l.plane + tileSlack + cout*tileWidth + cout
}

// directWork splits work as directWorkLen counts it.
type directWork struct {
	tab              []int
	panels, in, tile []float64
	zeroBias         []float64
}

func splitDirectWork(s ConvShape, cin, cout int, work []float64) directWork {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	var d directWork
	d.tab = intsIn(work, kk)
	work = work[kk:]
	d.panels, work = work[:cout*kk], work[cout*kk:]
	d.in, work = work[:cin*l.plane+tileSlack], work[cin*l.plane+tileSlack:]
	d.tile, work = work[:cout*tileWidth], work[cout*tileWidth:]
	d.zeroBias = work[:cout]
	return d
}

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

// packPanels stores the weights wt(o, k) of cout output channels by kk
// reduction indices as the tile kernels read them: for each block of mr
// channels starting at o0, the panel at o0*kk holds wt(o0+r, k) at k*mr + r.
func packPanels(panels []float64, cout, kk int, wt func(o, k int) float64) {
	n3, rest := tileBlocks(cout)
	o0 := 0
	pack := func(mr int) {
		p := panels[o0*kk:][:mr*kk]
		for k := 0; k < kk; k++ {
			for r := 0; r < mr; r++ {
				p[k*mr+r] = wt(o0+r, k)
			}
		}
		o0 += mr
	}
	for range n3 {
		pack(3)
	}
	for _, mr := range rest {
		if mr == 0 {
			break
		}
		pack(mr)
	}
}

// implicitGEMM computes out (N images of cout channels) from in (N images
// of cin channels) with the panels and tap table already in d.
func implicitGEMM(s ConvShape, cin, cout int, in, bias, out []float64, d directWork) {
	l := layoutOf(s)
	kk := cin * s.K * s.K
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

// convForwardAsm is ConvForward on the assembly path.
func convForwardAsm(s ConvShape, x, w, b, y, work []float64) {
	d := splitDirectWork(s, s.Cin, s.Cout, work)
	kk := s.Cin * s.K * s.K
	layoutOf(s).tapOffsets(d.tab, s.K)
	packPanels(d.panels, s.Cout, kk, func(o, k int) float64 { return w[o*kk+k] })
	implicitGEMM(s, s.Cin, s.Cout, x, b, y, d)
}

// convBackwardDataAsm is ConvBackwardData on the assembly path: the
// convolution of dy with the weights transposed in the channels and flipped
// in both kernel axes, wt[c][o][p][q] = w[o][c][K-1-p][K-1-q].
func convBackwardDataAsm(s ConvShape, dy, w, dx, work []float64) {
	d := splitDirectWork(s, s.Cout, s.Cin, work)
	kk2 := s.K * s.K
	layoutOf(s).tapOffsets(d.tab, s.K)
	packPanels(d.panels, s.Cin, s.Cout*kk2, func(c, k int) float64 {
		o, t := k/kk2, k%kk2
		return w[(o*s.Cin+c)*kk2+kk2-1-t]
	})
	clear(d.zeroBias)
	implicitGEMM(s, s.Cout, s.Cin, dy, d.zeroBias, dx, d)
}
