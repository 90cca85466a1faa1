package train

import "math"

// GradNorm is the Euclidean norm of g, summed in index order so that the
// same gradient always gives the same bits.
func GradNorm(g []float64) float64 {
	var s float64
	for _, v := range g {
		s += v * v
	}
	return math.Sqrt(s)
}

// ClipNorm scales g so that its norm is at most maxNorm and returns the norm
// before clipping. maxNorm <= 0 leaves g unchanged.
func ClipNorm(g []float64, maxNorm float64) float64 {
	n := GradNorm(g)
	if maxNorm > 0 && n > maxNorm {
		s := maxNorm / n
		for i := range g {
			g[i] *= s
		}
	}
	return n
}
