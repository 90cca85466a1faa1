package kernels

import "fmt"

// The convolutions on the padded layout (see Padded): a chain of layers
// keeps its activations padded from one layer to the next, each writing
// its output straight into the interior of the next one's input, so that
// no layer copies its input into the layout the assembly reads.

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
