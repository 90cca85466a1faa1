package kernels

// ConvShape describes a batched 2-D convolution with stride 1 and zero
// padding K/2 on every side ("same" size output), in NCHW layout: input
// x[N][Cin][H][W], weights w[Cout][Cin][K][K], bias b[Cout], output
// y[N][Cout][H][W]. K must be odd.
type ConvShape struct {
	N, Cin, Cout, H, W, K int
}

func (s ConvShape) check(kernel string) {
	if !(s.N >= 0 && s.Cin >= 0 && s.Cout >= 0 && s.H >= 0 && s.W >= 0 && s.K >= 1 && s.K%2 == 1) {
		badShape(kernel, "N=%d Cin=%d Cout=%d H=%d W=%d K=%d (K must be odd and positive)", s.N, s.Cin, s.Cout, s.H, s.W, s.K)
	}
}

// InLen is the length of the input x (and of its gradient).
func (s ConvShape) InLen() int { return s.N * s.Cin * s.H * s.W }

// OutLen is the length of the output y (and of its gradient).
func (s ConvShape) OutLen() int { return s.N * s.Cout * s.H * s.W }

// WeightLen is the length of the weights w.
func (s ConvShape) WeightLen() int { return s.Cout * s.Cin * s.K * s.K }

// WorkLen is the length of the scratch buffer the convolution kernels need
// (the same for all three). The kernels overwrite its contents; concurrent
// calls are safe when each has its own work buffer.
func (s ConvShape) WorkLen() int { return convWorkLen(s) }

// FLOPs is the nominal floating-point operation count of one forward pass,
// 2*N*H*W*Cout*Cin*K*K (the same for each of the two gradients).
func (s ConvShape) FLOPs() float64 {
	return 2 * float64(s.N) * float64(s.H*s.W) * float64(s.Cout) * float64(s.Cin*s.K*s.K)
}

// ConvForward computes y[n][o][i][j] = b[o] + sum over c, p, q of
// x[n][c][i+p-K/2][j+q-K/2] * w[o][c][p][q], with x taken as 0 outside the
// image. y is overwritten. work must have at least s.WorkLen() elements.
func ConvForward(s ConvShape, x, w, b, y, work []float64) {
	s.check("ConvForward")
	need("ConvForward", "x", len(x), s.InLen())
	need("ConvForward", "w", len(w), s.WeightLen())
	need("ConvForward", "b", len(b), s.Cout)
	need("ConvForward", "y", len(y), s.OutLen())
	need("ConvForward", "work", len(work), s.WorkLen())
	convForward(s, x, w, b, y, work)
}

// ConvBackwardData computes the gradient with respect to the input,
// dx[n][c][i][j] = sum over o, p, q of dy[n][o][i-p+K/2][j-q+K/2] * w[o][c][p][q]
// (dy taken as 0 outside the image). dx is overwritten.
func ConvBackwardData(s ConvShape, dy, w, dx, work []float64) {
	s.check("ConvBackwardData")
	need("ConvBackwardData", "dy", len(dy), s.OutLen())
	need("ConvBackwardData", "w", len(w), s.WeightLen())
	need("ConvBackwardData", "dx", len(dx), s.InLen())
	need("ConvBackwardData", "work", len(work), s.WorkLen())
	convBackwardData(s, dy, w, dx, work)
}

// ConvBackwardFilter accumulates the gradients with respect to the weights
// and bias: dw[o][c][p][q] += sum over n, i, j of
// dy[n][o][i][j] * x[n][c][i+p-K/2][j+q-K/2], and db[o] += sum over n, i, j of
// dy[n][o][i][j]. dw and db are added to, not overwritten, so that callers
// can sum the gradients of several batches or split a batch.
func ConvBackwardFilter(s ConvShape, x, dy, dw, db, work []float64) {
	s.check("ConvBackwardFilter")
	need("ConvBackwardFilter", "x", len(x), s.InLen())
	need("ConvBackwardFilter", "dy", len(dy), s.OutLen())
	need("ConvBackwardFilter", "dw", len(dw), s.WeightLen())
	need("ConvBackwardFilter", "db", len(db), s.Cout)
	need("ConvBackwardFilter", "work", len(work), s.WorkLen())
	convBackwardFilter(s, x, dy, dw, db, work)
}
