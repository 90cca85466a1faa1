package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is a Gaussian fit of a set of feature vectors: their mean and
// covariance (n-1 denominator).
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
}

// FitGaussian fits a Gaussian to n feature vectors of dimension d, stored
// row-major in x. n must be at least 2.
func FitGaussian(x []float64, n, d int) (Gaussian, error) {
	if n < 2 || d < 1 || len(x) != n*d {
		return Gaussian{}, fmt.Errorf("fit Gaussian: %d values for %d vectors of dimension %d (need at least 2 vectors)", len(x), n, d)
	}
	mean := make([]float64, d)
	for i := range n {
		for j := range d {
			v := x[i*d+j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Gaussian{}, fmt.Errorf("fit Gaussian: vector %d, coordinate %d is %v", i, j, v)
			}
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	c := make([]float64, n*d)
	for i := range n {
		for j := range d {
			c[i*d+j] = x[i*d+j] - mean[j]
		}
	}
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), mat.NewDense(n, d, c).T())
	return Gaussian{Mean: mean, Cov: cov}, nil
}

// sqrtSym returns the symmetric square root of a symmetric positive
// semi-definite matrix from its eigendecomposition; eigenvalues below zero
// (rounding of a singular matrix) are taken as zero.
func sqrtSym(a mat.Symmetric) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		return nil, fmt.Errorf("symmetric eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	n := len(vals)
	scaled := mat.NewDense(n, n, nil)
	for j, v := range vals {
		s := math.Sqrt(math.Sqrt(max(v, 0))) // L^1/4
		for i := range n {
			scaled.Set(i, j, q.At(i, j)*s)
		}
	}
	out := mat.NewSymDense(n, nil)
	out.SymOuterK(1, scaled) // (Q L^1/4)(Q L^1/4)^T = Q L^1/2 Q^T, exactly symmetric
	return out, nil
}

// FrechetDistance returns the squared Frechet (2-Wasserstein) distance
// between two Gaussians: ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1^1/2 S2
// S1^1/2)^1/2), with symmetric square roots from eigendecompositions.
func FrechetDistance(g1, g2 Gaussian) (float64, error) {
	d := len(g1.Mean)
	if len(g2.Mean) != d || g1.Cov.SymmetricDim() != d || g2.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("Frechet distance: dimensions %d and %d differ", d, len(g2.Mean))
	}
	var dist float64
	for i := range d {
		dist += (g1.Mean[i] - g2.Mean[i]) * (g1.Mean[i] - g2.Mean[i])
	}
	r1, err := sqrtSym(g1.Cov)
	if err != nil {
		return 0, fmt.Errorf("Frechet distance: square root of the first covariance: %w", err)
	}
	var m mat.Dense
	m.Mul(r1, g2.Cov)
	m.Mul(&m, r1)
	inner := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			inner.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	root, err := sqrtSym(inner)
	if err != nil {
		return 0, fmt.Errorf("Frechet distance: square root of S1^1/2 S2 S1^1/2: %w", err)
	}
	return dist + mat.Trace(g1.Cov) + mat.Trace(g2.Cov) - 2*mat.Trace(root), nil
}

// FeatureFD fits Gaussians to two feature sets (row-major, n1 and n2
// vectors of dimension d) and returns their Frechet distance. Reported as
// "FD (classifier features)" when the features come from Classifier.
func FeatureFD(a []float64, n1 int, b []float64, n2, d int) (float64, error) {
	g1, err := FitGaussian(a, n1, d)
	if err != nil {
		return 0, fmt.Errorf("first set: %w", err)
	}
	g2, err := FitGaussian(b, n2, d)
	if err != nil {
		return 0, fmt.Errorf("second set: %w", err)
	}
	return FrechetDistance(g1, g2)
}

// KID returns the kernel distance between two feature sets (row-major, n1
// and n2 vectors of dimension d): the unbiased estimate of the squared
// maximum mean discrepancy under the cubic polynomial kernel
// k(x, y) = (x.y/d + 1)^3 of Binkowski et al. (2018), "KID" when the
// features are Inception's. Unlike the Frechet distance it has no bias
// that depends on the sample sizes, so it compares across them; it can
// come out slightly negative when the two sets are alike. Both sets need
// at least two vectors.
func KID(a []float64, n1 int, b []float64, n2, d int) (float64, error) {
	if n1 < 2 || n2 < 2 || d < 1 || len(a) != n1*d || len(b) != n2*d {
		return 0, fmt.Errorf("KID: %d and %d values for %d and %d vectors of dimension %d (need at least 2 of each)", len(a), len(b), n1, n2, d)
	}
	for _, x := range [][]float64{a, b} {
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("KID: vector %d, coordinate %d is %v", i/d, i%d, v)
			}
		}
	}
	k := func(x, y []float64) float64 {
		var dot float64
		for i := range x {
			dot += x[i] * y[i]
		}
		t := dot/float64(d) + 1
		return t * t * t
	}
	within := func(x []float64, n int) float64 {
		var s float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				s += k(x[i*d:(i+1)*d], x[j*d:(j+1)*d])
			}
		}
		return 2 * s / float64(n*(n-1))
	}
	var cross float64
	for i := range n1 {
		for j := range n2 {
			cross += k(a[i*d:(i+1)*d], b[j*d:(j+1)*d])
		}
	}
	return within(a, n1) + within(b, n2) - 2*cross/float64(n1*n2), nil
}
