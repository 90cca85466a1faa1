package experiment

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// qualityTestSet is a two-class set of test images: class 0 dark (pixel
// values 0..59), class 1 bright (200..255), n of each, interleaved.
func qualityTestSet(n int, seed uint64) *data.Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	set := &data.Set{Dim: 256, Image: true, Classes: []int{0, 1}, Test: data.Split{Dim: 256}}
	for i := range 2 * n {
		c := i % 2
		for range 256 {
			v := float64(rng.IntN(60))
			if c == 1 {
				v = float64(200 + rng.IntN(56))
			}
			set.Test.X = append(set.Test.X, v)
		}
		set.Test.Labels = append(set.Test.Labels, c)
		set.Test.N++
	}
	return set
}

// stored scales pixel rows to the [0, 1] of samples files.
func stored(x []float64, from, to int) [][]float64 {
	var rows [][]float64
	for i := from; i < to; i++ {
		r := make([]float64, 256)
		for j := range r {
			r[j] = x[i*256+j] / 256
		}
		rows = append(rows, r)
	}
	return rows
}

// TestSampleQualityIdentical: samples that are exactly the dequantised test
// images (same noise stream, scaled to [0, 1] and back, exact in binary)
// give FD 0 up to rounding. The covariance of 40 images in 32 dimensions
// is near-singular; eigenvalues that should be 0 come out of size
// eps*tr(S), and their clamped square roots of size sqrt(eps*tr(S)), so
// the trace of the square root can be off by up to d*sqrt(eps*tr(S)) per
// root: the test allows 4*d*sqrt(eps*tr(S)) for the two roots and both
// traces, with eps = 2^-52.
func TestSampleQualityIdentical(t *testing.T) {
	set := qualityTestSet(20, 7)
	c := metrics.NewClassifier(4, 8, 32, 3)
	u := Unit{Seed: 5}
	x := dequantised(set.Test.X, rand.New(rand.NewPCG(uint64(u.Seed), streams.StudyQuality)))
	smp := &Samples{Unconditional: stored(x, 0, set.Test.N)}
	var r RunResult
	if err := sampleQuality(c, set, smp, u, &r); err != nil {
		t.Fatal(err)
	}
	if r.FD == nil || r.FDSamples != 40 || r.FDTest != 40 || r.FDByClass != nil {
		t.Fatalf("FD %v over %d samples and %d test images, by class %v", r.FD, r.FDSamples, r.FDTest, r.FDByClass)
	}
	f, err := c.Features(x)
	if err != nil {
		t.Fatal(err)
	}
	g, err := metrics.FitGaussian(f, 40, c.F)
	if err != nil {
		t.Fatal(err)
	}
	tol := 4 * float64(c.F) * math.Sqrt(0x1p-52*mat.Trace(g.Cov))
	if math.Abs(*r.FD) > tol {
		t.Errorf("FD of the test images against themselves is %g, want 0 within %g", *r.FD, tol)
	}
}

// TestSampleQualityCounts: the real images are as many as the samples,
// a seeded subset of the test images, and the KID comes beside the FD.
func TestSampleQualityCounts(t *testing.T) {
	set := qualityTestSet(20, 7)
	c := metrics.NewClassifier(4, 8, 32, 3)
	gen := qualityTestSet(10, 8)
	x := dequantised(gen.Test.X, rand.New(rand.NewPCG(1, 1)))
	smp := &Samples{Unconditional: stored(x, 0, 12), Classes: []int{0}, ByClass: [][][]float64{stored(x, 12, 17)}}
	var r, again RunResult
	for _, rr := range []*RunResult{&r, &again} {
		if err := sampleQuality(c, set, smp, Unit{Seed: 3}, rr); err != nil {
			t.Fatal(err)
		}
	}
	if r.FD == nil || r.KID == nil || r.FDSamples != 12 || r.FDTest != 12 {
		t.Fatalf("FD %v, KID %v over %d samples and %d test images; want both over 12 and 12", r.FD, r.KID, r.FDSamples, r.FDTest)
	}
	if len(r.FDByClass) != 1 || r.FDByClass[0].KID == nil {
		t.Fatalf("per class: %+v", r.FDByClass)
	}
	if *r.FD != *again.FD || *r.KID != *again.KID {
		t.Error("the same seed chose other test images")
	}
	var other RunResult
	if err := sampleQuality(c, set, smp, Unit{Seed: 4}, &other); err != nil {
		t.Fatal(err)
	}
	if *other.FD == *r.FD {
		t.Error("another seed, other noise and other test images, gave the same FD")
	}
}

// TestSampleQualityByClass: class-conditional samples are compared with
// their own class's test images, so dark samples labelled class 0 score
// far better than the same samples labelled class 1, and both classes'
// FDs change when the labels are swapped. Too few samples give no FD.
func TestSampleQualityByClass(t *testing.T) {
	set := qualityTestSet(20, 7)
	c := metrics.NewClassifier(4, 8, 32, 3)
	u := Unit{Seed: 1}
	// Fresh images drawn like the test images, 30 of each class.
	gen := qualityTestSet(30, 8)
	dark, bright := gen.Test.PerClass(0, "dark"), gen.Test.PerClass(1, "bright")
	rng := rand.New(rand.NewPCG(9, 9))
	d, b := dequantised(dark.X, rng), dequantised(bright.X, rng)
	run := func(classes []int) RunResult {
		t.Helper()
		smp := &Samples{Unconditional: append(stored(d, 0, 10), stored(b, 0, 10)...),
			Classes: classes, ByClass: [][][]float64{stored(d, 10, 30), stored(b, 10, 30)}}
		var r RunResult
		if err := sampleQuality(c, set, smp, u, &r); err != nil {
			t.Fatal(err)
		}
		if r.FD == nil || len(r.FDByClass) != 2 {
			t.Fatalf("classes %v: FD %v, by class %v", classes, r.FD, r.FDByClass)
		}
		return r
	}
	right, swapped := run([]int{0, 1}), run([]int{1, 0})
	for k := range 2 {
		if !(right.FDByClass[k].FD < swapped.FDByClass[k].FD) {
			t.Errorf("class-conditional samples %d: FD %g against their own class's images, %g against the other class's",
				k, right.FDByClass[k].FD, swapped.FDByClass[k].FD)
		}
	}
	if *right.FD != *swapped.FD {
		t.Errorf("the unconditional FD depends on the class labels: %g vs %g", *right.FD, *swapped.FD)
	}
	var r RunResult
	if err := sampleQuality(c, set, &Samples{Unconditional: stored(d, 0, 1)}, u, &r); err != nil || r.FD != nil {
		t.Errorf("one sample: FD %v, error %v; want neither", r.FD, err)
	}
}

// TestTable2FromSyntheticResults: Table 2 shows the overall and per-class
// FD of each (training set, base) as mean ± std over seeds, the classifier's
// accuracy, and the finding against the paper.
func TestTable2FromSyntheticResults(t *testing.T) {
	out := t.TempDir()
	rep := &Report{}
	info := &ClassifierInfo{Source: "mnist", Dir: "classifier-mnist", TrainN: 4000, TestN: 2000, Accuracy: 0.9125}
	for _, name := range []string{"instance-mnist", "fashion-mnist"} {
		res := fakeResults(t, out, name, 3)
		for i := range res.Runs {
			r := &res.Runs[i]
			r.Classifier = info
			if r.Base == BaseGMM {
				// Class c of seed s: 10 + c + 2 s, mean 12 + c, std 2.
				for _, c := range []int{0, 1} {
					r.FDByClass = append(r.FDByClass, ClassFD{Class: c, FD: float64(10 + c + 2*r.Seed)})
				}
			}
		}
		var err error
		if res.Summary, res.Models, err = Summarise(res.Runs); err != nil {
			t.Fatal(err)
		}
		rep.put(res)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	// fakeRun's FD is 50 (standard) or 40 (GMM) plus the seed: over seeds
	// 0, 1, 2 the mean adds 1 and the standard deviation is 1.
	for _, want := range []string{
		"## Table 2: sample quality, FD (classifier features)",
		"| training set | base | FD (ours) | KID (ours) | samples / real images | FID (paper) | class 0 FD | class 1 FD |",
		"| InstanceMNIST | standard | 51.00 ± 1.00 | 0.0510 ± 0.0010 | 9 / 9 | 97.59 | – | – |",
		"| InstanceMNIST | gmm | 41.00 ± 1.00 | 0.0410 ± 0.0010 | 9 / 9 | 84.68 | 12.00 ± 2.00 | 13.00 ± 2.00 |",
		"| FashionMNIST | gmm | 41.00 ± 1.00 | 0.0410 ± 0.0010 | 9 / 9 | 77.25 | 12.00 ± 2.00 | 13.00 ± 2.00 |",
		"instance-mnist: feature classifier trained on 4000 mnist images (classifier-mnist), held-out accuracy 0.9125 on 2000 images (**inadequate**: at least 0.95 is needed, so its FD means little).",
		"smoke test, not a conclusion: **holds**: instance-mnist. GMM samples are of better quality than standard ones (lower Frechet distance). Ours: FD (classifier features) 51.00 (standard), 41.00 (GMM); standard higher in 3 of 3 seeds",
		"Paper: Table 2: FID 97.59 (standard), 84.68 (GMM); FID is on Inception features, our FD on our classifier's, so only the ordering compares.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	if strings.Contains(text, "FID (ours)") {
		t.Error("our distance is called FID")
	}
	if t.Failed() {
		t.Log(text)
	}
}
