package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSummarise(t *testing.T) {
	s, err := Summarise([]float64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	// mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, /3.
	if s.Mean != 2.5 || math.Abs(s.Std-math.Sqrt(5.0/3)) > 1e-15 || s.N != 4 {
		t.Errorf("got %+v", s)
	}
	if s, _ := Summarise([]float64{7}); s.Std != 0 || s.Mean != 7 {
		t.Errorf("single value: %+v", s)
	}
	if _, err := Summarise([]float64{1, math.NaN()}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Summarise(nil); err == nil {
		t.Error("no values accepted")
	}
}

// TestAUROC checks hand-counted cases: of the |in| |ood| pairs, count those
// with ood > in as 1 and ties as 1/2.
func TestAUROC(t *testing.T) {
	cases := []struct {
		in, ood []float64
		want    float64
	}{
		{[]float64{1, 2}, []float64{3, 4}, 1},
		{[]float64{3, 4}, []float64{1, 2}, 0},
		{[]float64{1, 1}, []float64{1, 1, 1}, 0.5},
		// pairs (in, ood): (1,2)>, (1,3)>, (3,2)<, (3,3)= -> (2 + 0.5)/4
		{[]float64{1, 3}, []float64{2, 3}, 2.5 / 4},
		// in {0, 2, 2}, ood {2, 5}: ood 2 beats 0, ties 2 and 2 -> 1 + 1;
		// ood 5 beats all 3 -> total 5 of 6.
		{[]float64{0, 2, 2}, []float64{2, 5}, 5.0 / 6},
		{[]float64{math.Inf(-1)}, []float64{math.Inf(1)}, 1},
	}
	for _, c := range cases {
		got, err := AUROC(c.in, c.ood)
		if err != nil || got != c.want {
			t.Errorf("AUROC(%v, %v) = %v, %v; want %v", c.in, c.ood, got, err, c.want)
		}
	}
	// Against the pair count on random integer scores (many ties).
	rng := rand.New(rand.NewPCG(1, 1))
	in, ood := make([]float64, 200), make([]float64, 150)
	for i := range in {
		in[i] = float64(rng.IntN(20))
	}
	for i := range ood {
		ood[i] = float64(rng.IntN(20) + 3)
	}
	var pairs float64
	for _, a := range in {
		for _, b := range ood {
			switch {
			case b > a:
				pairs++
			case b == a:
				pairs += 0.5
			}
		}
	}
	if got, _ := AUROC(in, ood); got != pairs/(200*150) {
		t.Errorf("random ties: %v, pair count %v", got, pairs/(200*150))
	}
	if _, err := AUROC(nil, []float64{1}); err == nil {
		t.Error("empty set accepted")
	}
	if _, err := AUROC([]float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("NaN accepted")
	}
}

func gaussianSample(rng *rand.Rand, n int, mean, std []float64) []float64 {
	d := len(mean)
	x := make([]float64, n*d)
	for i := range n {
		for j := range d {
			x[i*d+j] = mean[j] + std[j]*rng.NormFloat64()
		}
	}
	return x
}

// TestFrechet: identical sets give 0 up to rounding; shifting a set by s
// gives ||s||^2 (same covariance: the trace terms cancel exactly in exact
// arithmetic); Gaussians with diagonal covariances give sum (s1-s2)^2 over
// the standard deviations, checked on the closed form directly (exact
// Gaussian objects) and on a correlated case via rotation invariance.
// Tolerances: the traces are O(d * max variance) = O(10) and the eigen
// solver is backward stable, so rounding is about 1e-13; we allow 1e-9.
func TestFrechet(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	const n, d = 500, 5
	x := gaussianSample(rng, n, []float64{0, 1, 2, 3, 4}, []float64{1, 2, 0.5, 1, 3})
	fd, err := FeatureFD(x, n, x, n, d)
	if err != nil || math.Abs(fd) > 1e-9 {
		t.Errorf("identical sets: %v, %v", fd, err)
	}
	shift := []float64{0.5, -1, 2, 0, 0.25}
	y := make([]float64, len(x))
	var want float64
	for i := range y {
		y[i] = x[i] + shift[i%d]
	}
	for _, s := range shift {
		want += s * s
	}
	fd, _ = FeatureFD(x, n, y, n, d)
	if math.Abs(fd-want) > 1e-9 {
		t.Errorf("shifted set: %v, want %v", fd, want)
	}
	diag := func(m []float64, s []float64) Gaussian {
		c := mat.NewSymDense(len(s), nil)
		for i, v := range s {
			c.SetSym(i, i, v*v)
		}
		return Gaussian{Mean: m, Cov: c}
	}
	s1, s2 := []float64{1, 2, 3, 0.5}, []float64{2, 2, 1, 0}
	zero := make([]float64, 4)
	fd, err = FrechetDistance(diag(zero, s1), diag([]float64{1, 0, 0, 0}, s2))
	want = 1 + 1 + 0 + 4 + 0.25
	if err != nil || math.Abs(fd-want) > 1e-9 {
		t.Errorf("diagonal: %v, want %v (%v)", fd, want, err)
	}
	// Rotating both covariances by the same orthogonal R keeps the
	// distance: R = rotation by 0.3 rad in the (0, 1) plane.
	rot := mat.NewDense(4, 4, nil)
	for i := range 4 {
		rot.Set(i, i, 1)
	}
	c, s := math.Cos(0.3), math.Sin(0.3)
	rot.Set(0, 0, c)
	rot.Set(0, 1, -s)
	rot.Set(1, 0, s)
	rot.Set(1, 1, c)
	rotate := func(g Gaussian) Gaussian {
		var m mat.Dense
		m.Mul(rot, g.Cov)
		m.Mul(&m, rot.T())
		out := mat.NewSymDense(4, nil)
		for i := range 4 {
			for j := i; j < 4; j++ {
				out.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
			}
		}
		return Gaussian{Mean: g.Mean, Cov: out}
	}
	fd, _ = FrechetDistance(rotate(diag(zero, s1)), rotate(diag([]float64{1, 0, 0, 0}, s2)))
	if math.Abs(fd-want) > 1e-9 {
		t.Errorf("rotated diagonal: %v, want %v", fd, want)
	}
	if _, err := FeatureFD(x, n, x[:d], 1, d); err == nil {
		t.Error("single vector accepted")
	}
}

// TestKID checks the estimator on a hand computation and its lack of
// bias: over many pairs of small sets from one distribution its mean is 0
// within 4 standard errors, while the Frechet distance of the same pairs
// is biased upwards; a shifted distribution gives a mean well above 0.
func TestKID(t *testing.T) {
	// d = 1, k(x, y) = (xy + 1)^3: within {1, 2} k = 27; within {0, 1}
	// k = 1; across 1 + 8 + 1 + 27 = 37, so 27 + 1 - 2*37/4 = 9.5.
	if got, err := KID([]float64{1, 2}, 2, []float64{0, 1}, 2, 1); err != nil || math.Abs(got-9.5) > 1e-12 {
		t.Errorf("KID of {1, 2} and {0, 1}: %v (%v), want 9.5", got, err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const reps, n, d = 300, 20, 3
	ones := []float64{1, 1, 1}
	var same, shifted, fd []float64
	for range reps {
		x := gaussianSample(rng, n, []float64{0, 0, 0}, ones)
		y := gaussianSample(rng, n, []float64{0, 0, 0}, ones)
		z := gaussianSample(rng, n, []float64{0.7, 0, 0}, ones)
		k, err := KID(x, n, y, n, d)
		if err != nil {
			t.Fatal(err)
		}
		same = append(same, k)
		k, _ = KID(x, n, z, n, d)
		shifted = append(shifted, k)
		f, _ := FeatureFD(x, n, y, n, d)
		fd = append(fd, f)
	}
	se := func(xs []float64) (float64, float64) {
		s, _ := Summarise(xs)
		return s.Mean, s.Std / math.Sqrt(float64(len(xs)))
	}
	if m, e := se(same); math.Abs(m) > 4*e {
		t.Errorf("KID of one distribution: mean %v over %d pairs, standard error %v: biased", m, reps, e)
	}
	if m, e := se(shifted); m < 4*e {
		t.Errorf("KID of shifted distributions: mean %v, standard error %v: not above 0", m, e)
	}
	if m, e := se(fd); m < 4*e {
		t.Errorf("FD of one distribution from %d vectors: mean %v, standard error %v; expected its upward bias", n, m, e)
	}
	if _, err := KID([]float64{1}, 1, []float64{0, 1}, 2, 1); err == nil {
		t.Error("single vector accepted")
	}
	if _, err := KID([]float64{1, math.NaN()}, 2, []float64{0, 1}, 2, 1); err == nil {
		t.Error("NaN accepted")
	}
}
