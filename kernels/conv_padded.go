package kernels

import "fmt"

// The convolutions on the padded layout (see Padded): a chain of layers
// keeps its activations padded from one layer to the next, each writing
// its output straight into the interior of the next one's input, so that
// no layer copies its input into the layout the assembly reads. The fused
// kernels ConvForwardAct and ConvBackwardDataAct apply an activation, with
// its tangents and its reverse, to the tiles of a convolution's output as
// they are formed.

// Activation is the activation function of the fused convolution kernels.
type Activation uint8

const (
	// ActSoftplus is softplus, act(x) = log(1 + e^x), whose derivatives
	// are Sigmoid and SigmoidPrime.
	ActSoftplus Activation = iota
	// ActTanh is tanh, whose derivative is TanhPrime.
	ActTanh
)

func (a Activation) valid() bool { return a == ActSoftplus || a == ActTanh }

// needPadded panics, naming the kernel, when p cannot hold n images of at
// least c planes each, with the slack after the last plane that the
// kernels may read when read is set.
func needPadded(kernel, name string, s ConvShape, p Padded, n, c int, read bool) {
	if n == 0 || c == 0 {
		return
	}
	if p.C < c {
		panic(fmt.Sprintf("kernels.%s: %s.C = %d, need at least %d", kernel, name, p.C, c))
	}
	want := ((n-1)*p.C + c) * s.PadPlane()
	if read {
		want += padSlack
	}
	if len(p.Data) < want {
		panic(fmt.Sprintf("kernels.%s: len(%s.Data) = %d, need at least %d", kernel, name, len(p.Data), want))
	}
}

// ActWorkLen is the length of the work buffer of ConvForwardAct and
// ConvBackwardDataAct with k tangents per image (it also serves every
// other kernel of the shape).
func (s ConvShape) ActWorkLen(k int) int {
	hw := s.H * s.W
	return s.WorkLen() + (1+k)*max(s.Cin, s.Cout)*hw + 2*s.W
}

// ConvPad copies the c channels of each of the s.N compact (NCHW) images of
// src into the interiors of the first c planes of dst's images.
func ConvPad(s ConvShape, c int, dst Padded, src []float64) {
	s.check("ConvPad")
	need("ConvPad", "src", len(src), s.N*c*s.H*s.W)
	needPadded("ConvPad", "dst", s, dst, s.N, c, false)
	l := layoutOf(s)
	for n := 0; n < s.N; n++ {
		l.padImage(dst.Data[n*dst.C*l.plane:], src[n*c*s.H*s.W:], c, s.H, s.W)
	}
}

// ConvPadFill sets the interior of the first plane of each of dst's s.N
// images to v: the time channel of a concatenated input, or the plane of
// ones that ConvBackwardFilterPadded reads.
func ConvPadFill(s ConvShape, dst Padded, v float64) {
	s.check("ConvPadFill")
	needPadded("ConvPadFill", "dst", s, dst, s.N, 1, false)
	l := layoutOf(s)
	for n := 0; n < s.N; n++ {
		p := dst.Data[n*dst.C*l.plane:]
		for i := 0; i < s.H; i++ {
			row := p[(i+l.pad)*l.wp+l.pad:][:s.W]
			for j := range row {
				row[j] = v
			}
		}
	}
}

// ConvForwardPadded is ConvForward with its input x in the padded layout
// (the first s.Cin planes of each image read); y is compact as in
// ConvForward. work must have at least s.WorkLen() elements.
func ConvForwardPadded(s ConvShape, x Padded, w, b, y, work []float64) {
	s.check("ConvForwardPadded")
	needPadded("ConvForwardPadded", "x", s, x, s.N, s.Cin, true)
	need("ConvForwardPadded", "w", len(w), s.WeightLen())
	need("ConvForwardPadded", "b", len(b), s.Cout)
	need("ConvForwardPadded", "y", len(y), s.OutLen())
	need("ConvForwardPadded", "work", len(work), s.WorkLen())
	convForwardPadded(s, x, w, b, y, work)
}

// ConvForwardAct is a convolution followed by an activation, with k tangents
// per image carried through both, on the padded layout: for the s.N images
// of x
//
//	a = ConvForward(x, w, b), y = act(a),
//
// and for the k tangents of each image (image n's j-th is image n*k+j of
// dx, da and dy)
//
//	da = ConvForward(dx, w, 0), dy = act'(a) da.
//
// x and dx are padded, their first s.Cin planes read; y and dy are padded,
// the interiors of their first s.Cout planes written. a (s.OutLen()) and
// da (k*s.OutLen()) are compact; either may be nil when the pre-activations
// are not wanted. work must have at least s.ActWorkLen(k) elements. The
// results are those of ConvForward followed by Softplus and SoftplusJVP
// (or Tanh and TanhJVP), within the bounds of those kernels.
func ConvForwardAct(s ConvShape, act Activation, k int, x, dx Padded, w, b, a, da []float64, y, dy Padded, work []float64) {
	const name = "ConvForwardAct"
	s.check(name)
	if !act.valid() || k < 0 {
		badShape(name, "activation %d, k=%d", act, k)
	}
	needPadded(name, "x", s, x, s.N, s.Cin, true)
	needPadded(name, "dx", s, dx, s.N*k, s.Cin, true)
	need(name, "w", len(w), s.WeightLen())
	need(name, "b", len(b), s.Cout)
	if a != nil {
		need(name, "a", len(a), s.OutLen())
	}
	if da != nil {
		need(name, "da", len(da), k*s.OutLen())
	}
	needPadded(name, "y", s, y, s.N, s.Cout, false)
	needPadded(name, "dy", s, dy, s.N*k, s.Cout, false)
	need(name, "work", len(work), s.ActWorkLen(k))
	convForwardAct(s, act, k, x, dx, w, b, a, da, y, dy, work)
}

// ConvBackwardDataPadded is ConvBackwardData with the output gradient dy in
// the padded layout (the first s.Cout planes of each image read); dx is
// compact as in ConvBackwardData. work must have at least s.WorkLen()
// elements.
func ConvBackwardDataPadded(s ConvShape, dy Padded, w, dx, work []float64) {
	s.check("ConvBackwardDataPadded")
	needPadded("ConvBackwardDataPadded", "dy", s, dy, s.N, s.Cout, true)
	need("ConvBackwardDataPadded", "w", len(w), s.WeightLen())
	need("ConvBackwardDataPadded", "dx", len(dx), s.InLen())
	need("ConvBackwardDataPadded", "work", len(work), s.WorkLen())
	convBackwardDataPadded(s, dy, w, dx, work)
}

// ConvBackwardDataAct is the reverse of ConvForwardAct's activation fused
// with the data gradient of the convolution that follows it. That
// convolution's input is a constant channel and then the activation of the
// pre-activations p of the previous layer (P = s.Cin-1 channels), with the
// tangents dp:
//
//	x = [c, act(p)], dx_j = [0, act'(p) dp_j].
//
// Given the gradients gy and gdy (k per image) with respect to the
// convolution's outputs, with g = ConvBackwardData(gy, w) and
// gd_j = ConvBackwardData(gdy_j, w) on the P data channels (the constant
// channel's gradient is not formed), it writes the gradients with respect
// to p and dp,
//
//	gp = act'(p) g + sum over j of act''(p) dp_j gd_j,  gdp_j = act'(p) gd_j,
//
// and writes act(p) and act'(p) dp_j into the planes of x and dx they came
// from (pass x and dx from their second plane on), for the weight gradient
// that follows. p (s.N images of P channels) and dp (s.N*k images) are
// compact; gy and gdy are padded, their first s.Cout planes read; gp, gdp,
// x and dx are padded, the interiors of their first P planes written. work
// must have at least s.ActWorkLen(k) elements. The results are those of
// ConvBackwardData followed by SoftplusJVPReverse and SoftplusJVP (or their
// tanh forms), within the bounds of those kernels.
func ConvBackwardDataAct(s ConvShape, act Activation, k int, gy, gdy Padded, w, p, dp []float64, gp, gdp, x, dx Padded, work []float64) {
	const name = "ConvBackwardDataAct"
	s.check(name)
	if !act.valid() || k < 0 || s.Cin < 1 {
		badShape(name, "activation %d, k=%d, Cin=%d (need a constant channel)", act, k, s.Cin)
	}
	pc := s.Cin - 1
	hw := s.H * s.W
	needPadded(name, "gy", s, gy, s.N, s.Cout, true)
	needPadded(name, "gdy", s, gdy, s.N*k, s.Cout, true)
	need(name, "w", len(w), s.WeightLen())
	need(name, "p", len(p), s.N*pc*hw)
	need(name, "dp", len(dp), s.N*k*pc*hw)
	needPadded(name, "gp", s, gp, s.N, pc, false)
	needPadded(name, "gdp", s, gdp, s.N*k, pc, false)
	needPadded(name, "x", s, x, s.N, pc, false)
	needPadded(name, "dx", s, dx, s.N*k, pc, false)
	need(name, "work", len(work), s.ActWorkLen(k))
	convBackwardDataAct(s, act, k, gy, gdy, w, p, dp, gp, gdp, x, dx, work)
}

// ConvBackwardFilterPadded is ConvBackwardFilter with x and dy in the
// padded layout (the first s.Cin planes of x's images and s.Cout of dy's
// read). With db not nil, x's images must carry one more plane after their
// s.Cin channels whose interior is all ones (ConvPadFill writes it): the
// bias gradient is read through it. A nil db leaves the bias gradient out.
// dw and db are added to. work must have at least s.WorkLen() elements.
func ConvBackwardFilterPadded(s ConvShape, x, dy Padded, dw, db, work []float64) {
	const name = "ConvBackwardFilterPadded"
	s.check(name)
	xc := s.Cin
	if db != nil {
		xc++
	}
	needPadded(name, "x", s, x, s.N, xc, true)
	needPadded(name, "dy", s, dy, s.N, s.Cout, true)
	need(name, "dw", len(dw), s.WeightLen())
	if db != nil {
		need(name, "db", len(db), s.Cout)
		checkOnes(s, x)
	}
	need(name, "work", len(work), s.WorkLen())
	convBackwardFilterPadded(s, x, dy, dw, db, work)
}

// checkOnes panics unless the first pixel of the plane after each image's
// s.Cin channels is 1, as in a plane of ones.
func checkOnes(s ConvShape, x Padded) {
	if s.H == 0 || s.W == 0 {
		return
	}
	l := layoutOf(s)
	for n := 0; n < s.N; n++ {
		if x.Data[(n*x.C+s.Cin)*l.plane+l.origin()] != 1 {
			panic(fmt.Sprintf("kernels.ConvBackwardFilterPadded: plane %d of image %d of x is not a plane of ones", s.Cin, n))
		}
	}
}
