//go:build purego || !amd64

package kernels

// Without assembly every conv kernel is its reference.

func convWorkLen(s ConvShape) int { return 0 }

func convForward(s ConvShape, x, w, b, y, work []float64) { convForwardRef(s, x, w, b, y) }

func convBackwardData(s ConvShape, dy, w, dx, work []float64) { convBackwardDataRef(s, dy, w, dx) }

func convBackwardFilter(s ConvShape, x, dy, dw, db, work []float64) {
	convBackwardFilterRef(s, x, dy, dw, db)
}
