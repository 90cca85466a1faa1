package kernels

import "math"

// logSumExpRef is the reference for LogSumExp.
func logSumExpRef(rows, cols int, x, out []float64) {
	for r := 0; r < rows; r++ {
		row := x[r*cols : r*cols+cols]
		m := math.Inf(-1)
		for _, v := range row {
			if v > m || v != v {
				m = v
			}
		}
		if math.IsInf(m, 0) || m != m {
			out[r] = m
			continue
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - m)
		}
		out[r] = m + math.Log(s)
	}
}

// gmmLogDensityRef is the reference for GMMLogDensity: squared distances
// summed directly (not via |z|^2 - 2 z.mu + |mu|^2, which cancels badly far
// from the origin), then LogSumExp.
func gmmLogDensityRef(n, d, k int, z, mu, logw, out, work []float64) {
	for s := 0; s < n; s++ {
		zs := z[s*d : s*d+d]
		for j := 0; j < k; j++ {
			mj := mu[j*d : j*d+d]
			var q float64
			for i := range zs {
				e := zs[i] - mj[i]
				q = math.FMA(e, e, q)
			}
			work[s*k+j] = logw[j] - float64(q/2)
		}
	}
	logSumExpRef(n, k, work, out)
	c := float64(d) / 2 * Log2Pi
	for s := 0; s < n; s++ {
		out[s] -= c
	}
}
