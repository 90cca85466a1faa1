//go:build purego || !amd64

package kernels

// Without assembly every conv kernel is its reference.

func convWorkLen(s ConvShape) int { return 0 }

func convForward(s ConvShape, x, w, b, y, work []float64) {
	convForwardRef(s, compact(s, x, s.Cin), w, b, compact(s, y, s.Cout))
}

func convBackwardData(s ConvShape, dy, w, dx, work []float64) {
	convBackwardDataRef(s, compact(s, dy, s.Cout), w, compact(s, dx, s.Cin), 0, s.Cin)
}

func convBackwardFilter(s ConvShape, x, dy, dw, db, work []float64) {
	convBackwardFilterRef(s, compact(s, x, s.Cin), compact(s, dy, s.Cout), dw, db)
}

func convForwardPadded(s ConvShape, x Padded, w, b, y, work []float64) {
	convForwardRef(s, padded(s, x), w, b, compact(s, y, s.Cout))
}

func convBackwardDataPadded(s ConvShape, dy Padded, w, dx, work []float64) {
	convBackwardDataRef(s, padded(s, dy), w, compact(s, dx, s.Cin), 0, s.Cin)
}

func convBackwardFilterPadded(s ConvShape, x, dy Padded, dw, db, work []float64) {
	convBackwardFilterRef(s, padded(s, x), padded(s, dy), dw, db)
}

func convForwardAct(s ConvShape, act Activation, k int, x, dx Padded, w, b, a, da []float64, y, dy Padded, work []float64) {
	convForwardActRef(s, act, k, padded(s, x), padded(s, dx), w, b, a, da, padded(s, y), padded(s, dy), work)
}

func convBackwardDataAct(s ConvShape, act Activation, k int, gy, gdy Padded, w, p, dp []float64, gp, gdp, x, dx Padded, work []float64) {
	convBackwardDataActRef(s, act, k, padded(s, gy), padded(s, gdy), w, p, dp, padded(s, gp), padded(s, gdp), padded(s, x), padded(s, dx), work)
}
