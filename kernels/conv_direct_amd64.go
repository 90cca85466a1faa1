//go:build !purego

package kernels

// The implicit-GEMM convolution behind ConvForward and ConvBackwardData and
// their padded and fused forms: out[n][o] = bias[o] + sum over c, p, q of
// wt[o][c][p][q] * in[n][c] shifted by (p - pad, q - pad), for cin input and
// cout output channels, read through the padded layout with a table of tap
// offsets. A gemmPass packs the weights and fills the tables once per call
// and then computes one image at a time, from a padded input (the caller's
// own, or a copy of a compact image in the work buffer) into a compact
// output. On the avx2 tier the tile kernels compute 16 consecutive output
// pixels of one row for blocks of up to 3 output channels from packed
// weight panels; the avx512 tier's are in conv_avx512_amd64.go. For 3 x 3
// kernels the r3 tile kernels of both tiers take the taps a kernel row at a
// time (one offset per row, constant displacements for its three taps), in
// the same order, so with the same rounding, as the general ones.

// tileWidth is the number of output pixels per tile kernel call.
const tileWidth = 16

// directWorkLen is the work the implicit GEMM of either tier needs for cin
// input and cout output channels: the tap table, the packed weights, the
// padded input of one image, a tile of outputs for the right edge (avx2),
// the vector table of one image (avx512) and a zero bias.
func directWorkLen(s ConvShape, cin, cout int) int {
	l := layoutOf(s)
	kk := cin * s.K * s.K
	return kk + cout*kk + cin*l.plane + padSlack + cout*tileWidth + tableLen(1, s.H, s.W) + cout
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
	d.in, work = work[:cin*l.plane+padSlack], work[cin*l.plane+padSlack:]
	d.tile, work = work[:cout*tileWidth], work[cout*tileWidth:]
	d.table = intsIn(work, nt)
	work = work[nt:]
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

// gemmWeights are the weights of an implicit GEMM, wt(o, k) for output
// channel o and reduction index k = (c*K + p)*K + q: those of the forward
// convolution, w[o][c][p][q], or with flip set those of the data gradient,
// w transposed in the channels and flipped in both kernel axes,
// wt[c][o][p][q] = w[o][c][K-1-p][K-1-q], where w has cin input channels.
// The GEMM's output channel o is channel o0+o of these.
type gemmWeights struct {
	w        []float64
	cin, kk2 int // the input channels of w and the taps of a kernel, K*K
	flip     bool
	o0       int
}

// at returns wt(o0+o, k).
func (g gemmWeights) at(o, k int) float64 {
	o += g.o0
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

// gemmPass is one call's implicit GEMM on one tier, its weights packed
// and its tables filled.
type gemmPass struct {
	s                   ConvShape
	l                   convLayout
	cin, cout           int
	kk, count           int // reduction indices; the tile kernels' count of them (kk/3 for r3)
	d                   directWork
	avx512              bool
	nf, nt              int // avx512: the vector table's full and all tiles
	n3                  int // avx2: tileBlocks
	rest                [2]int
	tile1, tile2, tile3 func(a *float64, tab *int, kk int, b *float64, out *float64, ldo int, bias *float64, nb int)
	tiles               *[tile512Rows + 1]tileFunc
}

// newGEMMPass prepares the implicit GEMM of cin input and cout output
// channels with weights wt on the tier t (avx2 or avx512).
func newGEMMPass(s ConvShape, cin, cout int, wt gemmWeights, d directWork, t tier) gemmPass {
	l := layoutOf(s)
	g := gemmPass{s: s, l: l, cin: cin, cout: cout, kk: cin * s.K * s.K, d: d, avx512: t == tierAVX512}
	g.count = g.kk
	l.tapOffsets(d.tab, s.K)
	if g.avx512 {
		for o0 := 0; o0 < cout; o0 += tile512Rows {
			packPanel(d.panels, o0, min(tile512Rows, cout-o0), g.kk, wt)
		}
		g.nf, g.nt = l.fillTable(d.table, 1, s.H, s.W, 0, compact(s, nil, cout))
		// Kernels three taps wide take the reduction a kernel row at a time.
		g.tiles = &tile512
		if s.K == 3 {
			g.tiles, g.count = &tile512r3, g.kk/3
		}
		return g
	}
	packPanels(d.panels, cout, g.kk, wt)
	g.n3, g.rest = tileBlocks(cout)
	g.tile1, g.tile2, g.tile3 = convTile1x16, convTile2x16, convTile3x16
	if s.K == 3 {
		g.tile1, g.tile2, g.tile3, g.count = convTile1x16r3, convTile2x16r3, convTile3x16r3, g.kk/3
	}
	return g
}

// image computes the cout compact output channels of one image,
// out[o*H*W:], from its cin input channels in the padded planes of in
// (which must reach padSlack elements past the last).
func (g *gemmPass) image(in, bias, out []float64) {
	s, l := g.s, g.l
	hw := s.H * s.W
	if g.avx512 {
		for o0 := 0; o0 < g.cout; o0 += tile512Rows {
			mr := min(tile512Rows, g.cout-o0)
			g.tiles[mr](&g.d.panels[o0*g.kk], &g.d.tab[0], g.count, &in[0], &g.d.table[0], g.nf, g.nt-g.nf, &out[o0*hw], hw, &bias[o0])
		}
		return
	}
	// run computes one tile for all channels, channel o's row at dst[o*ldo:].
	run := func(b *float64, dst []float64, ldo int) {
		o0 := 0
		if g.n3 > 0 {
			g.tile3(&g.d.panels[0], &g.d.tab[0], g.count, b, &dst[0], ldo, &bias[0], g.n3)
			o0 = 3 * g.n3
		}
		for _, mr := range g.rest {
			if mr == 0 {
				break
			}
			a, o, bs := &g.d.panels[o0*g.kk], &dst[o0*ldo], &bias[o0]
			switch mr {
			case 1:
				g.tile1(a, &g.d.tab[0], g.count, b, o, ldo, bs, 1)
			case 2:
				g.tile2(a, &g.d.tab[0], g.count, b, o, ldo, bs, 1)
			}
			o0 += mr
		}
	}
	img := out[:g.cout*hw]
	for i := 0; i < s.H; i++ {
		for j0 := 0; j0 < s.W; j0 += tileWidth {
			b := &in[i*l.wp+j0]
			if j0+tileWidth <= s.W {
				run(b, img[i*s.W+j0:], hw)
				continue
			}
			run(b, g.d.tile, tileWidth)
			w := s.W - j0
			for o := 0; o < g.cout; o++ {
				copy(img[o*hw+i*s.W+j0:][:w], g.d.tile[o*tileWidth:][:w])
			}
		}
	}
}

// padIn copies one compact image of cin channels into the padded input of
// the work buffer (whose borders the caller has cleared) and returns it.
func (g *gemmPass) padIn(src []float64) []float64 {
	if g.avx512 {
		g.l.padImage512(g.d.in, src, g.cin, g.s.H, g.s.W)
	} else {
		g.l.padImage(g.d.in, src, g.cin, g.s.H, g.s.W)
	}
	return g.d.in
}

// convForwardAsm is ConvForward on the assembly path of tier t, with x
// compact (padded image by image into the work buffer) or, when x is nil,
// padded in xp.
func convForwardAsm(s ConvShape, x []float64, xp Padded, w, b, y, work []float64, t tier) {
	d := splitDirectWork(s, s.Cin, s.Cout, work)
	g := newGEMMPass(s, s.Cin, s.Cout, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K}, d, t)
	hw, plane := s.H*s.W, g.l.plane
	if x != nil {
		clear(d.in)
	}
	for n := 0; n < s.N; n++ {
		var in []float64
		if x != nil {
			in = g.padIn(x[n*s.Cin*hw:])
		} else {
			in = xp.Data[n*xp.C*plane:]
		}
		g.image(in, b, y[n*s.Cout*hw:])
	}
}

// convBackwardDataAsm is ConvBackwardData on the assembly path: the
// convolution of dy (compact, or padded in dyp when dy is nil) with the
// weights transposed in the channels and flipped in both kernel axes.
func convBackwardDataAsm(s ConvShape, dy []float64, dyp Padded, w, dx, work []float64, t tier) {
	d := splitDirectWork(s, s.Cout, s.Cin, work)
	g := newGEMMPass(s, s.Cout, s.Cin, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K, flip: true}, d, t)
	hw, plane := s.H*s.W, g.l.plane
	clear(d.zeroBias)
	if dy != nil {
		clear(d.in)
	}
	for n := 0; n < s.N; n++ {
		var in []float64
		if dy != nil {
			in = g.padIn(dy[n*s.Cout*hw:])
		} else {
			in = dyp.Data[n*dyp.C*plane:]
		}
		g.image(in, d.zeroBias, dx[n*s.Cin*hw:])
	}
}

// first returns a pointer to v's first element, or nil for an empty v
// (which the kernels given it do not read).
func first(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}

// convForwardActAsm is ConvForwardAct on the assembly path: per image the
// pre-activation and its tangents (in a and da, or in the work buffer),
// then the activation's kernel over them into the padded outputs.
func convForwardActAsm(s ConvShape, act Activation, k int, x, dx Padded, w, b, a, da []float64, y, dy Padded, work []float64, t tier) {
	d := splitDirectWork(s, s.Cin, s.Cout, work)
	g := newGEMMPass(s, s.Cin, s.Cout, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K}, d, t)
	hw, l := s.H*s.W, g.l
	clear(d.zeroBias)
	scratch := work[convWorkLen(s):]
	prim, epi := actKernel(act, t), actJVPKernel(act, t)
	for n := 0; n < s.N; n++ {
		an, dan := scratch[:s.Cout*hw], scratch[s.Cout*hw:][:k*s.Cout*hw]
		if a != nil {
			an = a[n*s.Cout*hw:]
		}
		if da != nil {
			dan = da[n*k*s.Cout*hw:][:k*s.Cout*hw]
		}
		g.image(x.Data[n*x.C*l.plane:], b, an)
		for j := 0; j < k; j++ {
			g.image(dx.Data[(n*k+j)*dx.C*l.plane:], d.zeroBias, dan[j*s.Cout*hw:])
		}
		py := &y.Data[n*y.C*l.plane+l.origin()]
		if k == 0 {
			prim(&an[0], py, s.Cout, s.H, s.W, l.wp, l.plane)
			continue
		}
		epi(&an[0], &dan[0], k, s.Cout*hw, py, &dy.Data[n*k*dy.C*l.plane+l.origin()], dy.C*l.plane,
			s.Cout, s.H, s.W, l.wp, l.plane)
	}
}

// convBackwardDataActAsm is ConvBackwardDataAct on the assembly path: per
// image the data gradients of the data channels and of their tangents in
// the work buffer, then the activation's reverse over them into the padded
// outputs.
func convBackwardDataActAsm(s ConvShape, act Activation, k int, gy, gdy Padded, w, p, dp []float64, gp, gdp, x, dx Padded, work []float64, t tier) {
	pc := s.Cin - 1
	if pc == 0 {
		return
	}
	d := splitDirectWork(s, s.Cout, pc, work)
	g := newGEMMPass(s, s.Cout, pc, gemmWeights{w: w, cin: s.Cin, kk2: s.K * s.K, flip: true, o0: 1}, d, t)
	hw, l := s.H*s.W, g.l
	clear(d.zeroBias)
	gs := work[convWorkLen(s):][:(1+k)*pc*hw]
	epi := actReverseKernel(act, t)
	for n := 0; n < s.N; n++ {
		g.image(gy.Data[n*gy.C*l.plane:], d.zeroBias, gs)
		for j := 0; j < k; j++ {
			g.image(gdy.Data[(n*k+j)*gdy.C*l.plane:], d.zeroBias, gs[(1+j)*pc*hw:])
		}
		var pdp, pgdp, pdx *float64
		if k > 0 {
			pdp = &dp[n*k*pc*hw]
			pgdp = &gdp.Data[n*k*gdp.C*l.plane+l.origin()]
			pdx = &dx.Data[n*k*dx.C*l.plane+l.origin()]
		}
		epi(&p[n*pc*hw], pdp, k, pc*hw, &gs[0], first(gs[pc*hw:]),
			&gp.Data[n*gp.C*l.plane+l.origin()], pgdp, gdp.C*l.plane,
			&x.Data[n*x.C*l.plane+l.origin()], pdx, dx.C*l.plane,
			pc, s.H, s.W, l.wp, l.plane)
	}
}
