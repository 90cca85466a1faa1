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

// TestConvPaddedPanics checks that bad arguments panic naming the kernel
// before anything is written.
func TestConvPaddedPanics(t *testing.T) {
	s := ConvShape{N: 2, Cin: 3, Cout: 4, H: 5, W: 6, K: 3}
	mk := func(n int) []float64 { return make([]float64, n) }
	pad := func(n, c int) Padded { return Padded{Data: mk(s.PadLen(n, c)), C: c} }
	w, b := mk(s.WeightLen()), mk(s.Cout)
	x := pad(s.N, s.Cin)
	nan := func() Padded {
		p := pad(s.N, s.Cout+1)
		for i := range p.Data {
			p.Data[i] = math.NaN()
		}
		return p
	}
	for _, tc := range []struct {
		name, want string
		run        func(y Padded)
	}{
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
