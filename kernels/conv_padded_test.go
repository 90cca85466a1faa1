package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// paddedBuf is a Padded batch inside a larger buffer laid out as a layer
// chain lays it out: every image has one plane before the kernel's planes
// (a time channel) and one after (a plane of ones, or anything), and
// Data starts at the second plane of the first image, at element offset
// off of the buffer (0 or 1, for unaligned data).
type paddedBuf struct {
	s      ConvShape
	buf    []float64
	p      Padded
	n, c   int // images, and the kernel's planes in each
	off    int
	before int // elements of buf before Data
}

// newPaddedBuf returns n images of c planes (and the two others) with
// every element NaN.
func newPaddedBuf(s ConvShape, n, c, off int) *paddedBuf {
	plane := s.PadPlane()
	b := &paddedBuf{s: s, n: n, c: c, off: off, before: off + plane}
	b.buf = make([]float64, off+s.PadLen(n, c+2)+plane)
	for i := range b.buf {
		b.buf[i] = math.NaN()
	}
	b.p = Padded{Data: b.buf[b.before:], C: c + 2}
	return b
}

// inputPaddedBuf returns a paddedBuf holding the compact images src in its
// c planes, zeros in their borders, and after them a plane of ones (with
// ones set) or of NaN; everything else NaN.
func inputPaddedBuf(s ConvShape, n, c int, src []float64, ones bool, off int) *paddedBuf {
	b := newPaddedBuf(s, n, c, off)
	plane, hw := s.PadPlane(), s.H*s.W
	for m := 0; m < n; m++ {
		for j := 0; j <= c; j++ {
			if j == c && !ones {
				break
			}
			pl := b.p.Data[(m*b.p.C+j)*plane:][:plane]
			clear(pl)
			for i := 0; i < s.H; i++ {
				for x := 0; x < s.W; x++ {
					v := 1.0
					if j < c {
						v = src[(m*c+j)*hw+i*s.W+x]
					}
					pl[s.PadOffset(i, x)] = v
				}
			}
		}
	}
	return b
}

// interior reports whether element e of Data (e >= -before) lies in the
// interior of one of the kernel's c planes of one of the n images, and
// returns its image, plane and pixel.
func (b *paddedBuf) interior(e int) (m, j, i, x int, ok bool) {
	if e < 0 {
		return 0, 0, 0, 0, false
	}
	plane := b.s.PadPlane()
	m, r := e/(b.p.C*plane), e%(b.p.C*plane)
	j, r = r/plane, r%plane
	if m >= b.n || j >= b.c {
		return 0, 0, 0, 0, false
	}
	l := layoutOf(b.s)
	i, x = r/l.wp-l.pad, r%l.wp-l.pad
	if i < 0 || i >= b.s.H || x < 0 || x >= b.s.W {
		return 0, 0, 0, 0, false
	}
	return m, j, i, x, true
}

// checkOut fails unless the interior of the kernel's planes holds values
// within tol of the compact images want and every other element is still
// NaN.
func (b *paddedBuf) checkOut(t *testing.T, name string, want []float64, tol func(idx int) float64) {
	t.Helper()
	hw := b.s.H * b.s.W
	for k, v := range b.buf {
		m, j, i, x, ok := b.interior(k - b.before)
		if !ok {
			if !math.IsNaN(v) {
				t.Fatalf("%s: element %d outside the planes' interiors written (%v)", name, k-b.before, v)
			}
			continue
		}
		idx := (m*b.c+j)*hw + i*b.s.W + x
		if d := math.Abs(v - want[idx]); !(d <= tol(idx)) {
			t.Fatalf("%s: image %d plane %d pixel (%d,%d) = %v, reference %v: |diff| %.3g > bound %.3g",
				name, m, j, i, x, v, want[idx], d, tol(idx))
		}
	}
}

// unchanged fails if an input buffer was modified (NaN bits included).
func unchanged(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if !sameSlice(got, want) {
		t.Fatalf("%s: input modified", name)
	}
}

// runPaddedCase runs the padded kernels on c's data, checks them against
// the references, checks that the forward and data gradient give bit for
// bit what the compact kernels of the same tier give, and that the weight
// gradient without the bias gives the same weight gradient as with it.
func runPaddedCase(t *testing.T, c *convCase, off int) {
	t.Helper()
	s := c.s
	name := fmt.Sprintf("%+v off %d", s, off)
	x := inputPaddedBuf(s, s.N, s.Cin, c.x, true, off)
	dy := inputPaddedBuf(s, s.N, s.Cout, c.dy, false, 1-off)
	x0, dy0 := append([]float64(nil), x.buf...), append([]float64(nil), dy.buf...)
	work := newGuarded(s.WorkLen(), off)

	y := newGuarded(s.OutLen(), off)
	ConvForwardPadded(s, x.p, c.w, c.b, y.data(), work.data())
	y.check(t, name+" forward y")
	yc := make([]float64, s.OutLen())
	ConvForward(s, c.x, c.w, c.b, yc, make([]float64, s.WorkLen()))
	if !sameSlice(y.data(), yc) {
		t.Fatalf("%s: ConvForwardPadded differs from ConvForward", name)
	}
	want, abs := make([]float64, s.OutLen()), make([]float64, s.OutLen())
	refForward(s, c.x, c.w, c.b, want)
	refForward(s, c.ax, c.aw, c.ab, abs)
	checkClose(t, name+" forward y", y.data(), want, abs, s.Cin*s.K*s.K+1)

	dx := newGuarded(s.InLen(), off)
	ConvBackwardDataPadded(s, dy.p, c.w, dx.data(), work.data())
	dx.check(t, name+" data dx")
	dxc := make([]float64, s.InLen())
	ConvBackwardData(s, c.dy, c.w, dxc, make([]float64, s.WorkLen()))
	if !sameSlice(dx.data(), dxc) {
		t.Fatalf("%s: ConvBackwardDataPadded differs from ConvBackwardData", name)
	}

	dw := checkFilter(t, name, c, off, work, func(dw, db []float64) { ConvBackwardFilterPadded(s, x.p, dy.p, dw, db, work.data()) })
	dwn := append([]float64(nil), c.dw0...)
	ConvBackwardFilterPadded(s, x.p, dy.p, dwn, nil, work.data())
	if !sameSlice(dwn, dw) {
		t.Fatalf("%s: the weight gradient without the bias differs from the one with it", name)
	}
	unchanged(t, name+" x", x.buf, x0)
	unchanged(t, name+" dy", dy.buf, dy0)
}

func TestConvPaddedMatchesReference(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for i, s := range convShapes(r) {
			runPaddedCase(t, newConvCase(r, s), i%2)
		}
	})
}

// TestConvPad checks ConvPad and ConvPadFill write the interiors of their
// planes and nothing else.
func TestConvPad(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, s := range []ConvShape{{N: 3, H: 5, W: 7, K: 3}, {N: 2, H: 16, W: 16, K: 3}, {N: 2, H: 1, W: 1, K: 1}, {N: 1, H: 4, W: 9, K: 5}} {
		for off := 0; off < 2; off++ {
			const c = 3
			src := randSlice(r, s.N*c*s.H*s.W, -1, 1)
			b := newPaddedBuf(s, s.N, c, off)
			ConvPad(s, c, b.p, src)
			b.checkOut(t, fmt.Sprintf("ConvPad %+v", s), src, func(int) float64 { return 0 })
			f := newPaddedBuf(s, s.N, 1, off)
			ConvPadFill(s, f.p, 0.25)
			fill := make([]float64, s.N*s.H*s.W)
			for i := range fill {
				fill[i] = 0.25
			}
			f.checkOut(t, fmt.Sprintf("ConvPadFill %+v", s), fill, func(int) float64 { return 0 })
		}
	}
}

// actBounds are the constants of the fused kernels' bounds for an
// activation: the ULP bounds of act and act' (as the elementwise tests
// state them for the kernels the fusion replaces), of the reverse's sum,
// and a bound l1 on |act”| over the reals, which carries an error in the
// pre-activation into act'.
type actBounds struct {
	act    Activation
	name   string
	y, d   float64 // ULP bounds of act and of act' times a tangent
	rev    float64 // ULP bound of the reverse's gradient for one tangent
	l1     float64 // 1/4 for sigmoid', 4/(3 sqrt 3) < 0.77 for tanh''
	prime  func(float64) float64
	second func(float64) float64 // the factor of the reverse's tangent terms
}

var actCases = []actBounds{
	{ActSoftplus, "softplus", ulpSoftplus, ulpSigmoid + 1, ulpSigmoidPrime + 3, 0.25, sigmoidScalar, sigmoidPrimeScalar},
	{ActTanh, "tanh", ulpTanh + 1, ulpTanhPrime + 1, ulpTanhPrime + 5, 0.77,
		tanhPrimeScalar, func(v float64) float64 { return 2 * math.Tanh(v) * tanhPrimeScalar(v) }},
}

// actCase is one fused-kernel case: shape, tangents, activation and
// random data, the pre-activations scaled so that they reach where the
// activations saturate.
type actCase struct {
	s      ConvShape
	k      int
	ab     actBounds
	w, b   []float64
	x, dx  []float64 // compact inputs of the forward
	gy, gd []float64 // compact output gradients of the reverse
	p, dp  []float64 // compact pre-activations (Cin-1 channels) and tangents
}

func newActCase(r *rand.Rand, s ConvShape, k int, ab actBounds) *actCase {
	hw := s.H * s.W
	scale := []float64{1, 8, 30}[r.IntN(3)]
	return &actCase{s: s, k: k, ab: ab,
		w:  randSlice(r, s.WeightLen(), -1, 1),
		b:  randSlice(r, s.Cout, -scale, scale),
		x:  randSlice(r, s.N*s.Cin*hw, -scale, scale),
		dx: randSlice(r, s.N*k*s.Cin*hw, -1, 1),
		gy: randSlice(r, s.N*s.Cout*hw, -1, 1),
		gd: randSlice(r, s.N*k*s.Cout*hw, -1, 1),
		p:  randSlice(r, s.N*max(0, s.Cin-1)*hw, -scale, scale),
		dp: randSlice(r, s.N*k*max(0, s.Cin-1)*hw, -1, 1),
	}
}

// runForwardAct checks ConvForwardAct against the composition it replaces,
// computed on compact images: the reference convolution, then the
// activation's elementwise references. With a and da not wanted (noPre)
// it checks that nothing else is written either.
//
// Bounds: the pre-activations a' and a (kernel and reference) differ by at
// most da = convTol(Cin*K*K+1, S) (S from the absolute values, as in
// runConvCase), the tangents by dd = convTol(Cin*K*K, S'). Then
// |y' - y| <= |act(a') - act(a)| + B_y ulp <= da + B_y ulp (|act'| <= 1),
// and dy' - dy = act'(a') da' - act'(a) da (each within B_d ulp) differs
// by at most dd + l1 * da * |da'| + B_d ulp (|act'| <= 1, |act”| <= l1).
func runForwardAct(t *testing.T, c *actCase, off int, noPre bool) {
	t.Helper()
	s, k, ab := c.s, c.k, c.ab
	hw := s.H * s.W
	name := fmt.Sprintf("ConvForwardAct %s %+v k=%d off %d", ab.name, s, k, off)
	x := inputPaddedBuf(s, s.N, s.Cin, c.x, false, off)
	dx := inputPaddedBuf(s, s.N*k, s.Cin, c.dx, false, 1-off)
	x0, dx0 := append([]float64(nil), x.buf...), append([]float64(nil), dx.buf...)
	y, dy := newPaddedBuf(s, s.N, s.Cout, off), newPaddedBuf(s, s.N*k, s.Cout, 1-off)
	a, da := newGuarded(s.OutLen(), off), newGuarded(k*s.OutLen(), 1-off)
	work := newGuarded(s.ActWorkLen(k), off)
	pa, pda := a.data(), da.data()
	if noPre {
		pa, pda = nil, nil
	}
	ConvForwardAct(s, ab.act, k, x.p, dx.p, c.w, c.b, pa, pda, y.p, dy.p, work.data())
	a.check(t, name+" a")
	da.check(t, name+" da")
	work.check(t, name+" work")
	unchanged(t, name+" x", x.buf, x0)
	unchanged(t, name+" dx", dx.buf, dx0)

	sk := s
	sk.N = s.N * k
	wa, sa := make([]float64, s.OutLen()), make([]float64, s.OutLen())
	refForward(s, c.x, c.w, c.b, wa)
	refForward(s, absSlice(c.x), absSlice(c.w), absSlice(c.b), sa)
	wd, sd := make([]float64, sk.OutLen()), make([]float64, sk.OutLen())
	refForward(sk, c.dx, c.w, make([]float64, s.Cout), wd)
	refForward(sk, absSlice(c.dx), absSlice(c.w), make([]float64, s.Cout), sd)
	n := s.Cin * s.K * s.K
	if noPre {
		for i, v := range a.data() {
			if !math.IsNaN(v) {
				t.Fatalf("%s: a[%d] written without a", name, i)
			}
		}
		for i, v := range da.data() {
			if !math.IsNaN(v) {
				t.Fatalf("%s: da[%d] written without da", name, i)
			}
		}
	} else {
		checkClose(t, name+" a", a.data(), wa, sa, n+1)
		checkClose(t, name+" da", da.data(), wd, sd, n)
	}
	wy, wdy := make([]float64, s.OutLen()), make([]float64, sk.OutLen())
	for m := 0; m < s.N; m++ {
		img := wa[m*s.Cout*hw:][:s.Cout*hw]
		if k == 0 {
			ab.act.row(wy[m*s.Cout*hw:], img)
		}
		for j := 0; j < k; j++ {
			o := (m*k + j) * s.Cout * hw
			ab.act.jvpRow(wy[m*s.Cout*hw:], wdy[o:], img, wd[o:][:s.Cout*hw])
		}
	}
	y.checkOut(t, name+" y", wy, func(i int) float64 {
		ea := convTol(n+1, sa[i])
		return ulpTol(math.Abs(wy[i])+ea, ab.y, 1) + ea
	})
	dy.checkOut(t, name+" dy", wdy, func(i int) float64 {
		m := i / (k * s.Cout * hw)
		ai := m*s.Cout*hw + i%(s.Cout*hw)
		ea, ed := convTol(n+1, sa[ai]), convTol(n, sd[i])
		e := ed + ab.l1*ea*(math.Abs(wd[i])+ed)
		return ulpTol(math.Abs(wdy[i])+e, ab.d+1, math.Abs(wd[i])+ed) + e
	})
}

// runBackwardDataAct checks ConvBackwardDataAct against the composition it
// replaces, on compact images: the reference data gradient of the data
// channels, then the activation's elementwise reverse (the later tangents'
// terms added one by one) and its JVP for the recomputed outputs.
//
// Bounds: the data gradients g' and g differ by at most eg =
// convTol(Cout*K*K, S) and the tangents' by ed_j. The activation's inputs
// p and dp are the same on both sides, so
// |gp' - gp| <= |act'| eg + sum |c dp_j| ed_j + (B + k) ulp of the terms'
// sum of magnitudes, with c the factor of the tangent terms; gdp_j =
// act' gd_j within |act'| ed_j + (B_d+1) ulp; x and dx as the elementwise
// JVP.
func runBackwardDataAct(t *testing.T, c *actCase, off int) {
	t.Helper()
	s, k, ab := c.s, c.k, c.ab
	hw, pc := s.H*s.W, s.Cin-1
	name := fmt.Sprintf("ConvBackwardDataAct %s %+v k=%d off %d", ab.name, s, k, off)
	gy := inputPaddedBuf(s, s.N, s.Cout, c.gy, false, off)
	gd := inputPaddedBuf(s, s.N*k, s.Cout, c.gd, false, 1-off)
	gy0, gd0 := append([]float64(nil), gy.buf...), append([]float64(nil), gd.buf...)
	p0, dp0 := append([]float64(nil), c.p...), append([]float64(nil), c.dp...)
	gp, gdp := newPaddedBuf(s, s.N, pc, off), newPaddedBuf(s, s.N*k, pc, 1-off)
	x, dx := newPaddedBuf(s, s.N, pc, 1-off), newPaddedBuf(s, s.N*k, pc, off)
	work := newGuarded(s.ActWorkLen(k), off)
	ConvBackwardDataAct(s, ab.act, k, gy.p, gd.p, c.w, c.p, c.dp, gp.p, gdp.p, x.p, dx.p, work.data())
	work.check(t, name+" work")
	unchanged(t, name+" gy", gy.buf, gy0)
	unchanged(t, name+" gdy", gd.buf, gd0)
	unchanged(t, name+" p", c.p, p0)
	unchanged(t, name+" dp", c.dp, dp0)

	// The reference data gradients of every input channel, then the data
	// channels' (1..Cin-1) picked out.
	sk := s
	sk.N = s.N * k
	full := func(s ConvShape, g, w []float64) []float64 {
		dx := make([]float64, s.InLen())
		refData(s, g, w, dx)
		out := make([]float64, s.N*pc*hw)
		for m := 0; m < s.N; m++ {
			copy(out[m*pc*hw:][:pc*hw], dx[(m*s.Cin+1)*hw:])
		}
		return out
	}
	aw := absSlice(c.w)
	wg, sg := full(s, c.gy, c.w), full(s, absSlice(c.gy), aw)
	wgd, sgd := full(sk, c.gd, c.w), full(sk, absSlice(c.gd), aw)
	n := s.Cout * s.K * s.K
	wgp, wgdp := make([]float64, s.N*pc*hw), make([]float64, sk.N*pc*hw)
	wx, wdx := make([]float64, s.N*pc*hw), make([]float64, sk.N*pc*hw)
	tmp, zeros := make([]float64, pc*hw), make([]float64, pc*hw)
	for m := 0; m < s.N; m++ {
		o := m * pc * hw
		pm, gm := c.p[o:][:pc*hw], wg[o:][:pc*hw]
		if k == 0 {
			ab.act.primeRow(wgp[o:], pm, gm)
			ab.act.row(wx[o:], pm)
		}
		for j := 0; j < k; j++ {
			oj := (m*k + j) * pc * hw
			dpj, gdj := c.dp[oj:][:pc*hw], wgd[oj:][:pc*hw]
			if j == 0 {
				ab.act.reverseRow(wgp[o:], wgdp[oj:], pm, dpj, gm, gdj)
			} else {
				ab.act.reverseRow(tmp, wgdp[oj:], pm, dpj, zeros, gdj)
				for e, v := range tmp {
					wgp[o+e] += v
				}
			}
			ab.act.jvpRow(wx[o:], wdx[oj:], pm, dpj)
		}
	}
	gp.checkOut(t, name+" gp", wgp, func(i int) float64 {
		m, e := i/(pc*hw), i%(pc*hw)
		v := c.p[i]
		d, c2 := math.Abs(ab.prime(v)), math.Abs(ab.second(v))
		eg := convTol(n, sg[i])
		mag, err, scale := d*math.Abs(wg[i]), d*eg, math.Abs(wg[i])+eg
		for j := 0; j < k; j++ {
			oj := (m*k+j)*pc*hw + e
			ed := convTol(n, sgd[oj])
			gd := math.Abs(wgd[oj]) + ed
			mag += c2 * math.Abs(c.dp[oj]) * math.Abs(wgd[oj])
			err += c2 * math.Abs(c.dp[oj]) * ed
			scale += 2 * (math.Abs(c.dp[oj])*gd + gd)
		}
		return ulpTol(mag+err, ab.rev+float64(k), scale) + err
	})
	gdp.checkOut(t, name+" gdp", wgdp, func(i int) float64 {
		m, e := i/(k*pc*hw), i%(pc*hw)
		d := math.Abs(ab.prime(c.p[m*pc*hw+e]))
		ed := convTol(n, sgd[i])
		return ulpTol(d*(math.Abs(wgd[i])+ed), ab.d+1, math.Abs(wgd[i])+ed) + d*ed
	})
	x.checkOut(t, name+" x", wx, func(i int) float64 { return ulpTol(wx[i], ab.y, 1) })
	dx.checkOut(t, name+" dx", wdx, func(i int) float64 { return ulpTol(wdx[i], ab.d, math.Abs(c.dp[i])) })
}

// actShapes are the fused kernels' test shapes: widths around the vector
// widths (4 and 8 for the activation kernels, whose avx512 rows go in
// groups of 16; 8 and 16 for the tiles), the conv16 layers at batch 1,
// channel counts around the tiles' blocks, and every kernel size.
func actShapes(r *rand.Rand) []ConvShape {
	shapes := []ConvShape{
		{N: 1, Cin: 65, Cout: 64, H: 16, W: 16, K: 3},
		{N: 2, Cin: 2, Cout: 7, H: 16, W: 16, K: 3},
		{N: 1, Cin: 8, Cout: 1, H: 16, W: 16, K: 3},
		{N: 3, Cin: 6, Cout: 5, H: 1, W: 1, K: 1},
		{N: 1, Cin: 1, Cout: 3, H: 3, W: 3, K: 3},
		{N: 0, Cin: 3, Cout: 3, H: 3, W: 3, K: 3},
		{N: 2, Cin: 3, Cout: 3, H: 0, W: 3, K: 3},
	}
	for _, w := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 25, 31, 32, 33} {
		c := []int{2, 3, 5, 6, 7, 8, 13}
		shapes = append(shapes, ConvShape{N: 1 + r.IntN(2), Cin: c[r.IntN(len(c))], Cout: c[r.IntN(len(c))],
			H: 1 + r.IntN(5), W: w, K: []int{1, 3, 5}[r.IntN(3)]})
	}
	return shapes
}

func TestConvActMatchesReference(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		for i, s := range actShapes(r) {
			for _, ab := range actCases {
				k := []int{0, 1, 1, 2, 3}[r.IntN(5)]
				c := newActCase(r, s, k, ab)
				runForwardAct(t, c, i%2, false)
				runForwardAct(t, c, 1-i%2, true)
				runBackwardDataAct(t, c, i%2)
			}
		}
	})
}

// compact returns the interiors of the kernel's planes of b's images as
// compact (NCHW) images.
func (b *paddedBuf) compact() []float64 {
	s, hw, plane := b.s, b.s.H*b.s.W, b.s.PadPlane()
	out := make([]float64, b.n*b.c*hw)
	for m := 0; m < b.n; m++ {
		for j := 0; j < b.c; j++ {
			for i := 0; i < s.H; i++ {
				for x := 0; x < s.W; x++ {
					out[(m*b.c+j)*hw+i*s.W+x] = b.p.Data[(m*b.p.C+j)*plane+s.PadOffset(i, x)]
				}
			}
		}
	}
	return out
}

// unfusedForward is what ConvForwardAct replaces, run on the tier in use:
// ConvForwardPadded for the pre-activations and their tangents, then
// Softplus or Tanh without tangents, SoftplusJVP or TanhJVP with them.
func unfusedForward(c *actCase, x, dx Padded) (a, da, y, dy []float64) {
	s, k := c.s, c.k
	sk := s
	sk.N = s.N * k
	n := s.Cout * s.H * s.W
	work := make([]float64, s.WorkLen()+sk.WorkLen())
	a, da = make([]float64, s.OutLen()), make([]float64, sk.OutLen())
	ConvForwardPadded(s, x, c.w, c.b, a, work)
	ConvForwardPadded(sk, dx, c.w, make([]float64, s.Cout), da, work)
	y, dy = make([]float64, s.OutLen()), make([]float64, sk.OutLen())
	for m := 0; m < s.N; m++ {
		am, ym := a[m*n:][:n], y[m*n:][:n]
		switch {
		case k == 0 && c.ab.act == ActTanh:
			Tanh(ym, am)
		case k == 0:
			Softplus(ym, am)
		}
		for j := 0; j < k; j++ {
			o := (m*k + j) * n
			if c.ab.act == ActTanh {
				TanhJVP(ym, dy[o:][:n], am, da[o:][:n])
			} else {
				SoftplusJVP(ym, dy[o:][:n], am, da[o:][:n])
			}
		}
	}
	return a, da, y, dy
}

// unfusedReverse is what ConvBackwardDataAct replaces (k >= 1), run on the
// tier in use: ConvBackwardDataPadded, then per image the reverse of the
// JVP for the first tangent, and for each later one the reverse against a
// zero gradient added by Axpy, as a chain of unfused kernels forms them;
// and the JVP for the recomputed outputs.
func unfusedReverse(c *actCase, gy, gdy Padded) (gp, gdp, x, dx []float64) {
	s, k := c.s, c.k
	sk := s
	sk.N = s.N * k
	hw, pc := s.H*s.W, s.Cin-1
	n := pc * hw
	work := make([]float64, s.WorkLen()+sk.WorkLen())
	g, gd := make([]float64, s.InLen()), make([]float64, sk.InLen())
	ConvBackwardDataPadded(s, gy, c.w, g, work)
	ConvBackwardDataPadded(sk, gdy, c.w, gd, work)
	gp, gdp = make([]float64, s.N*n), make([]float64, sk.N*n)
	x, dx = make([]float64, s.N*n), make([]float64, sk.N*n)
	tmp, zeros := make([]float64, n), make([]float64, n)
	for m := 0; m < s.N; m++ {
		pm, gm, gpm := c.p[m*n:][:n], g[(m*s.Cin+1)*hw:][:n], gp[m*n:][:n]
		for j := 0; j < k; j++ {
			o := (m*k + j) * n
			dpj, gdj, gdpj := c.dp[o:][:n], gd[((m*k+j)*s.Cin+1)*hw:][:n], gdp[o:][:n]
			rev, jvp := SoftplusJVPReverse, SoftplusJVP
			if c.ab.act == ActTanh {
				rev, jvp = TanhJVPReverse, TanhJVP
			}
			if j == 0 {
				rev(gpm, gdpj, pm, dpj, gm, gdj)
			} else {
				rev(tmp, gdpj, pm, dpj, zeros, gdj)
				Axpy(1, tmp, gpm)
			}
			jvp(x[m*n:][:n], dx[o:][:n], pm, dpj)
		}
	}
	return gp, gdp, x, dx
}

// TestConvActMatchesUnfused checks that on every tier the fused kernels
// give bit for bit what the kernels they replace give on the same tier
// (unfusedForward, unfusedReverse): each tier's activation kernels do the
// arithmetic of its elementwise kernels, and its padded convolutions that
// of its compact ones, so that a chain of layers on the fused kernels
// computes the numbers the unfused chain computed. The reverse is checked
// with tangents, the form the flows use.
func TestConvActMatchesUnfused(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(17, 18))
		for i, s := range actShapes(r) {
			for _, ab := range actCases {
				for k := 0; k <= 3; k++ {
					name := fmt.Sprintf("%s %+v k=%d", ab.name, s, k)
					c := newActCase(r, s, k, ab)
					off := (i + k) % 2
					x := inputPaddedBuf(s, s.N, s.Cin, c.x, false, off)
					dx := inputPaddedBuf(s, s.N*k, s.Cin, c.dx, false, 1-off)
					wa, wda, wy, wdy := unfusedForward(c, x.p, dx.p)
					for _, rec := range []bool{false, true} {
						y, dy := newPaddedBuf(s, s.N, s.Cout, off), newPaddedBuf(s, s.N*k, s.Cout, 1-off)
						var a, da []float64
						if rec {
							a, da = make([]float64, s.OutLen()), make([]float64, k*s.OutLen())
						}
						ConvForwardAct(s, ab.act, k, x.p, dx.p, c.w, c.b, a, da, y.p, dy.p, make([]float64, s.ActWorkLen(k)))
						if rec && (!sameSlice(a, wa) || !sameSlice(da, wda)) {
							t.Fatalf("ConvForwardAct %s: pre-activations differ from ConvForwardPadded's", name)
						}
						if !sameSlice(y.compact(), wy) || !sameSlice(dy.compact(), wdy) {
							t.Fatalf("ConvForwardAct %s (records %v): outputs differ from the unfused kernels'", name, rec)
						}
					}
					if k == 0 || s.Cin < 2 {
						continue
					}
					pc := s.Cin - 1
					gy := inputPaddedBuf(s, s.N, s.Cout, c.gy, false, off)
					gd := inputPaddedBuf(s, s.N*k, s.Cout, c.gd, false, 1-off)
					wgp, wgdp, wx, wdx := unfusedReverse(c, gy.p, gd.p)
					gp, gdp := newPaddedBuf(s, s.N, pc, off), newPaddedBuf(s, s.N*k, pc, 1-off)
					xr, dxr := newPaddedBuf(s, s.N, pc, 1-off), newPaddedBuf(s, s.N*k, pc, off)
					ConvBackwardDataAct(s, ab.act, k, gy.p, gd.p, c.w, c.p, c.dp, gp.p, gdp.p, xr.p, dxr.p, make([]float64, s.ActWorkLen(k)))
					for _, o := range []struct {
						what      string
						got, want []float64
					}{{"gp", gp.compact(), wgp}, {"gdp", gdp.compact(), wgdp}, {"x", xr.compact(), wx}, {"dx", dxr.compact(), wdx}} {
						if !sameSlice(o.got, o.want) {
							t.Fatalf("ConvBackwardDataAct %s: %s differs from the unfused kernels'", name, o.what)
						}
					}
				}
			}
		}
	})
}

// TestConvPaddedPanics checks that bad arguments panic naming the kernel
// before anything is written.
func TestConvPaddedPanics(t *testing.T) {
	s := ConvShape{N: 2, Cin: 3, Cout: 4, H: 5, W: 6, K: 3}
	const k = 1
	plane := s.PadPlane()
	mk := func(n int) []float64 { return make([]float64, n) }
	pad := func(n, c int) Padded { return Padded{Data: mk(s.PadLen(n, c)), C: c} }
	w, b := mk(s.WeightLen()), mk(s.Cout)
	x, dx := pad(s.N, s.Cin), pad(s.N*k, s.Cin)
	work := mk(s.ActWorkLen(k))
	nan := func() Padded {
		p := pad(s.N*k, s.Cout+1)
		for i := range p.Data {
			p.Data[i] = math.NaN()
		}
		return p
	}
	for _, tc := range []struct {
		name, want string
		run        func(y Padded)
	}{
		{"ConvForwardAct", "x.C = 2", func(y Padded) {
			ConvForwardAct(s, ActSoftplus, k, Padded{Data: x.Data, C: 2}, dx, w, b, nil, nil, y, y, work)
		}},
		{"ConvForwardAct", "len(dx.Data)", func(y Padded) {
			ConvForwardAct(s, ActSoftplus, k, x, Padded{Data: dx.Data[:plane], C: s.Cin}, w, b, nil, nil, y, y, work)
		}},
		{"ConvForwardAct", "len(work)", func(y Padded) {
			ConvForwardAct(s, ActSoftplus, k, x, dx, w, b, nil, nil, y, y, work[:len(work)-1])
		}},
		{"ConvForwardAct", "activation 7", func(y Padded) {
			ConvForwardAct(s, 7, k, x, dx, w, b, nil, nil, y, y, work)
		}},
		{"ConvForwardAct", "len(da)", func(y Padded) {
			ConvForwardAct(s, ActTanh, k, x, dx, w, b, mk(s.OutLen()), mk(s.OutLen()-1), y, y, work)
		}},
		{"ConvBackwardDataAct", "len(p)", func(y Padded) {
			ConvBackwardDataAct(s, ActSoftplus, k, pad(s.N, s.Cout), pad(s.N, s.Cout), w, mk(1), mk(s.N*2*30), y, y, y, y, work)
		}},
		{"ConvBackwardDataAct", "gy.C = 3", func(y Padded) {
			ConvBackwardDataAct(s, ActSoftplus, k, pad(s.N, 3), pad(s.N, s.Cout), w, mk(s.N*2*30), mk(s.N*2*30), y, y, y, y, work)
		}},
		{"ConvBackwardFilterPadded", "not a plane of ones", func(y Padded) {
			ConvBackwardFilterPadded(s, pad(s.N, s.Cin+1), pad(s.N, s.Cout), mk(s.WeightLen()), mk(s.Cout), mk(s.WorkLen()))
		}},
		{"ConvForwardPadded", "len(y)", func(y Padded) {
			ConvForwardPadded(s, x, w, b, mk(s.OutLen()-1), mk(s.WorkLen()))
		}},
		{"ConvForwardPadded", "x.C = 2", func(y Padded) {
			ConvForwardPadded(s, Padded{Data: x.Data, C: 2}, w, b, y.Data, mk(s.WorkLen()))
		}},
		{"ConvBackwardDataPadded", "len(dy.Data)", func(y Padded) {
			ConvBackwardDataPadded(s, Padded{Data: x.Data[:s.PadPlane()], C: s.Cout}, w, y.Data, mk(s.WorkLen()))
		}},
		{"ConvPad", "len(src)", func(y Padded) { ConvPad(s, 2, y, mk(1)) }},
	} {
		forEachImpl(t, func(t *testing.T) {
			y := nan()
			msg := capturePanic(func() { tc.run(y) })
			if !strings.Contains(msg, "kernels."+tc.name) || !strings.Contains(msg, tc.want) {
				t.Fatalf("%s: panic %q, want one naming the kernel and %q", tc.name, msg, tc.want)
			}
			for i, v := range y.Data {
				if !math.IsNaN(v) {
					t.Fatalf("%s (%s): output element %d written before the panic", tc.name, tc.want, i)
				}
			}
		})
	}
}

// FuzzConvAct checks the fused kernels of every tier against the
// composition they replace on shapes, tangent counts and data drawn from
// the fuzzer's input (work bounded as in FuzzConv).
func FuzzConvAct(f *testing.F) {
	f.Add(uint8(1), uint8(2), uint8(3), uint8(5), uint8(6), uint8(1), uint8(1), uint8(0), uint64(1))
	f.Add(uint8(2), uint8(9), uint8(7), uint8(16), uint8(16), uint8(1), uint8(2), uint8(1), uint64(2))
	f.Add(uint8(1), uint8(4), uint8(1), uint8(1), uint8(1), uint8(0), uint8(0), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, n, cin, cout, h, w, k, kp, act uint8, seed uint64) {
		s := ConvShape{N: int(n % 3), Cin: 1 + int(cin%20), Cout: int(cout % 20),
			H: int(h % 18), W: int(w % 26), K: 2*int(k%3) + 1}
		tangents := int(kp % 4)
		for s.FLOPs()*float64(1+tangents) > fuzzConvFLOPs && s.N > 1 {
			s.N--
		}
		for s.FLOPs()*float64(1+tangents) > fuzzConvFLOPs {
			if s.Cin > s.Cout {
				s.Cin = 1 + s.Cin/2
			} else {
				s.Cout /= 2
			}
		}
		ab := actCases[int(act)%len(actCases)]
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		forEachImpl(t, func(t *testing.T) {
			c := newActCase(r, s, tangents, ab)
			runForwardAct(t, c, int(seed%2), seed%3 == 0)
			runBackwardDataAct(t, c, int(seed%2))
		})
	})
}
