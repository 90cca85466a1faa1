package cnf

import "math/rand/v2"

// probesPerSample is the number of probe vectors per sample the trace
// estimator needs: none for an analytic exact trace, one for Hutchinson's
// estimator, d unit vectors for an exact trace from Jacobian-vector
// products. jacobian says whether the Jacobian's Frobenius norm is
// integrated too (which an analytic exact trace also gives without probes).
func probesPerSample(trace string, d int, analytic bool) int {
	switch {
	case trace != TraceExact:
		return 1
	case analytic:
		return 0
	default:
		return d
	}
}

// drawProbes fills probe (n samples of k vectors of length d) for the
// estimator: Rademacher (+-1 with equal probability) or standard Gaussian
// noise for Hutchinson's estimator, drawn from rng; the unit vectors
// e_1..e_d for the exact trace (k = d).
func drawProbes(trace string, rng *rand.Rand, probe []float64, k, d int) {
	switch trace {
	case TraceRademacher:
		for i := range probe {
			probe[i] = float64(2*int(rng.Uint64()>>63)) - 1
		}
	case TraceGaussian:
		for i := range probe {
			probe[i] = rng.NormFloat64()
		}
	default:
		clear(probe)
		for s := 0; s < len(probe)/(k*d); s++ {
			for j := 0; j < k; j++ {
				probe[(s*k+j)*d+j] = 1
			}
		}
	}
}
