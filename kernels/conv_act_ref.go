package kernels

// The reference of the fused kernel is the composition it replaces: the
// convolution's reference, then the activation's elementwise references
// row by row, exactly as a layer computed them before the fusion. It runs
// an image at a time so that its scratch (from work) holds one image.

// row is the elementwise reference of an activation on one row.
func (a Activation) row(y, x []float64) {
	if a == ActTanh {
		tanhRef(y, x)
		return
	}
	softplusRef(y, x)
}

// jvpRow is the reference of the activation's primal and tangent.
func (a Activation) jvpRow(y, dy, x, dx []float64) {
	if a == ActTanh {
		tanhJVPRef(y, dy, x, dx)
		return
	}
	softplusJVPRef(y, dy, x, dx)
}

// convForwardActRef is the reference for ConvForwardAct; nil a or da are
// formed in work.
func convForwardActRef(s ConvShape, act Activation, k int, x, dx convImages, w, b, a, da []float64, y, dy convImages, work []float64) {
	hw := s.H * s.W
	one := s
	one.N = 1
	for n := 0; n < s.N; n++ {
		an, dan := work[:s.Cout*hw], work[s.Cout*hw:][:k*s.Cout*hw]
		if a != nil {
			an = a[n*s.Cout*hw:]
		}
		if da != nil {
			dan = da[n*k*s.Cout*hw:]
		}
		convForwardRef(one, x.image(n), w, b, compact(one, an, s.Cout))
		for j := 0; j < k; j++ {
			convForwardRef(one, dx.image(n*k+j), w, nil, compact(one, dan[j*s.Cout*hw:], s.Cout))
		}
		for o := 0; o < s.Cout; o++ {
			for i := 0; i < s.H; i++ {
				ar := an[o*hw+i*s.W:][:s.W]
				yr := y.channel(n, o)[i*y.row:][:s.W]
				if k == 0 {
					act.row(yr, ar)
				}
				for j := 0; j < k; j++ {
					dar := dan[(j*s.Cout+o)*hw+i*s.W:][:s.W]
					dyr := dy.channel(n*k+j, o)[i*dy.row:][:s.W]
					act.jvpRow(yr, dyr, ar, dar)
				}
			}
		}
	}
}
