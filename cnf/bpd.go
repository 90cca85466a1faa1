package cnf

import (
	"math"
	"math/rand/v2"
)

// preprocess maps data x (n x D) to the flow's space in place, adding the
// log-determinant of the map to logdet (n): for 8-bit images, dequantise
// x -> (x + u)/256 with u ~ U[0,1) from rng (the 1/256 scale is accounted
// for in bits/dim, not here), then optionally y = logit(alpha + (1-2 alpha) x)
// with log|dy/dx| = log(1-2 alpha) - log s - log(1-s), s = alpha + (1-2 alpha) x.
func (p PreprocessConfig) apply(x []float64, d int, rng *rand.Rand, logdet []float64) {
	if !p.Dequantize {
		return
	}
	for i := range x {
		x[i] = (x[i] + rng.Float64()) / 256
	}
	if !p.Logit {
		return
	}
	scale := 1 - 2*p.Alpha
	lscale := math.Log(scale)
	for s := range logdet {
		var ld float64
		for i := s * d; i < (s+1)*d; i++ {
			v := p.Alpha + scale*x[i]
			lv, l1v := math.Log(v), math.Log1p(-v)
			x[i] = lv - l1v
			ld += lscale - lv - l1v
		}
		logdet[s] += ld
	}
}

// invert maps points of the flow's space (n x D) back to data units in
// place: the inverse logit, then x*256 clipped to [0, 256) for 8-bit images.
func (p PreprocessConfig) invert(x []float64) {
	if !p.Dequantize {
		return
	}
	for i, v := range x {
		if p.Logit {
			v = (1/(1+math.Exp(-v)) - p.Alpha) / (1 - 2*p.Alpha)
		}
		x[i] = min(max(v*256, 0), math.Nextafter(256, 0))
	}
}

// BitsPerDim converts a log-likelihood logp of one point of d dimensions to
// bits per dimension. For dequantised 8-bit data (dequantized true), logp
// is the density of the point scaled to [0, 1) and the result is
// -(logp/d - log 256)/log 2, the bits/dim of the 0..255 pixel values; for
// continuous data it is -logp/(d log 2).
func BitsPerDim(logp float64, d int, dequantized bool) float64 {
	perDim := logp / float64(d)
	if dequantized {
		perDim -= math.Log(256)
	}
	return -perDim / math.Ln2
}
