package cnf

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/kernels"
)

// base is the distribution at t1: a mixture of k unit-covariance Gaussians
// in R^d with means mu (k x d) and weights softmax(logits). A Gaussian base
// is the case k = 1.
type base struct {
	k, d   int
	mu     []float64 // k*d (a view into the parameter vector when learnable)
	logits []float64 // k (likewise)

	logw []float64 // normalised log-weights, refreshed by norm
	lse  []float64 // log-sum-exp of the logits (one element)
	work []float64 // n*k scratch for the mixture
}

func newBase(k, d int, mu, logits []float64) *base {
	return &base{k: k, d: d, mu: mu, logits: logits, logw: make([]float64, k), lse: make([]float64, 1)}
}

// norm refreshes the normalised log-weights logw = logits - LSE(logits).
func (b *base) norm() {
	kernels.LogSumExp(1, b.k, b.logits, b.lse)
	for j := range b.logw {
		b.logw[j] = b.logits[j] - b.lse[0]
	}
}

func (b *base) scratch(n int) []float64 {
	if len(b.work) < n*b.k {
		b.work = make([]float64, n*b.k)
	}
	return b.work[:n*b.k]
}

// checkLabels reports the first label outside 0..k-1.
func (b *base) checkLabels(labels []int) error {
	for i, y := range labels {
		if y < 0 || y >= b.k {
			return fmt.Errorf("label %d of sample %d is outside the base's components 0..%d", y, i, b.k-1)
		}
	}
	return nil
}

// logDensity writes log p_u(z_s) for each row of z (n x d) into out: under
// the sample's own component log w_y + log N(z; mu_y, I) when labels is
// non-nil, under the whole mixture otherwise.
func (b *base) logDensity(z []float64, labels []int, out []float64) {
	n, d := len(out), b.d
	b.norm()
	if labels == nil {
		kernels.GMMLogDensity(n, d, b.k, z, b.mu, b.logw, out, b.scratch(n))
		return
	}
	c := -0.5 * float64(d) * kernels.Log2Pi
	for s, y := range labels {
		zs, m := z[s*d:s*d+d], b.mu[y*d:y*d+d]
		var q float64
		for i := range zs {
			r := zs[i] - m[i]
			q = math.FMA(r, r, q)
		}
		out[s] = b.logw[y] - 0.5*q + c
	}
}

// logDensityGrad adds, for the scalar sum_s g[s] log p_u(z_s) scored as in
// logDensity (which must have been called last with the same z and labels),
// the gradient with respect to z into gz (n x d), and, when gmu and
// glogits are non-nil, those with respect to the means and logits.
func (b *base) logDensityGrad(z []float64, labels []int, logp, g, gz, gmu, glogits []float64) {
	n, d := len(g), b.d
	for s := 0; s < n; s++ {
		zs, gzs := z[s*d:s*d+d], gz[s*d:s*d+d]
		for j := 0; j < b.k; j++ {
			// Responsibility of component j for sample s.
			var r float64
			switch {
			case labels != nil && labels[s] == j:
				r = 1
			case labels != nil:
				continue
			default:
				r = math.Exp(b.work[s*b.k+j] - logp[s] - 0.5*float64(d)*kernels.Log2Pi)
			}
			w := g[s] * r
			m := b.mu[j*d : j*d+d]
			for i := range zs {
				diff := zs[i] - m[i]
				gzs[i] -= w * diff
				if gmu != nil {
					gmu[j*d+i] += w * diff
				}
			}
			if glogits != nil {
				glogits[j] += w
			}
		}
		if glogits != nil {
			for j := 0; j < b.k; j++ {
				glogits[j] -= g[s] * math.Exp(b.logw[j])
			}
		}
	}
}

// sample draws n points into out (n x d): from component class, or from
// the mixture when class < 0.
func (b *base) sample(class int, rng *rand.Rand, out []float64) {
	b.norm()
	d := b.d
	for s := 0; s < len(out)/d; s++ {
		j := class
		if j < 0 {
			j = b.pick(rng.Float64())
		}
		m := b.mu[j*d : j*d+d]
		for i := 0; i < d; i++ {
			out[s*d+i] = m[i] + rng.NormFloat64()
		}
	}
}

// pick returns the component whose cumulative weight interval holds u.
func (b *base) pick(u float64) int {
	var c float64
	for j, lw := range b.logw {
		c += math.Exp(lw)
		if u < c {
			return j
		}
	}
	return b.k - 1
}
