package kernels

// The references of the fused kernels are the compositions they replace:
// the convolution's reference, then the activation's elementwise
// references row by row, exactly as a layer computed them before the
// fusion. They run an image at a time so that their scratch (from work)
// holds one image.

// actRow is the elementwise reference of an activation on one row.
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

// reverseRow is the reference of the reverse of jvpRow.
func (a Activation) reverseRow(gx, gdx, x, dx, gy, gdy []float64) {
	if a == ActTanh {
		tanhJVPReverseRef(gx, gdx, x, dx, gy, gdy)
		return
	}
	softplusJVPReverseRef(gx, gdx, x, dx, gy, gdy)
}

// primeRow writes gx = act'(x) gy, the reverse of row.
func (a Activation) primeRow(gx, x, gy []float64) {
	if a == ActTanh {
		tanhPrimeRef(gx, x)
	} else {
		sigmoidRef(gx, x)
	}
	for i, g := range gy[:len(x)] {
		gx[i] *= g
	}
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

// convBackwardDataActRef is the reference for ConvBackwardDataAct: the
// gradients of the data channels formed in work an image at a time, then
// the activation's reverse, the gradients of later tangents added to gp
// one after another.
func convBackwardDataActRef(s ConvShape, act Activation, k int, gy, gdy convImages, w, p, dp []float64, gp, gdp, x, dx convImages, work []float64) {
	hw := s.H * s.W
	pc := s.Cin - 1
	one := s
	one.N = 1
	g, gd := work[:pc*hw], work[pc*hw:][:k*pc*hw]
	tmp, zeros := work[(1+k)*pc*hw:][:s.W], work[(1+k)*pc*hw+s.W:][:s.W]
	clear(zeros)
	for n := 0; n < s.N; n++ {
		convBackwardDataRef(one, gy.image(n), w, compact(one, g, pc), 1, pc)
		for j := 0; j < k; j++ {
			convBackwardDataRef(one, gdy.image(n*k+j), w, compact(one, gd[j*pc*hw:], pc), 1, pc)
		}
		for c := 0; c < pc; c++ {
			for i := 0; i < s.H; i++ {
				at := c*hw + i*s.W
				pr, gr := p[n*pc*hw+at:][:s.W], g[at:][:s.W]
				gpr := gp.channel(n, c)[i*gp.row:][:s.W]
				xr := x.channel(n, c)[i*x.row:][:s.W]
				if k == 0 {
					act.primeRow(gpr, pr, gr)
					act.row(xr, pr)
				}
				for j := 0; j < k; j++ {
					dpr := dp[(n*k+j)*pc*hw+at:][:s.W]
					gdr := gd[j*pc*hw+at:][:s.W]
					gdpr := gdp.channel(n*k+j, c)[i*gdp.row:][:s.W]
					dxr := dx.channel(n*k+j, c)[i*dx.row:][:s.W]
					if j == 0 {
						act.reverseRow(gpr, gdpr, pr, dpr, gr, gdr)
					} else {
						act.reverseRow(tmp, gdpr, pr, dpr, zeros, gdr)
						for e, v := range tmp {
							gpr[e] += v
						}
					}
					act.jvpRow(xr, dxr, pr, dpr)
				}
			}
		}
	}
}
