package experiment

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// curveRun is a run of (ts, base, seed) with the given held-out curve.
func curveRun(ts, base string, seed int, its []int, bpd []float64) RunResult {
	r := RunResult{Study: "moons", TrainSet: ts, Base: base, Seed: seed}
	for i, it := range its {
		r.Curve = append(r.Curve, CurvePoint{Iteration: it, BitsPerDim: bpd[i]})
	}
	return r
}

// TestConvergence: the improvement over the last fifth is read from the
// last evaluation at or before 80 % of training; a training set and base
// whose mean improvement is below 0.01 has stopped improving, one whose
// mean is above has not, and the curves are averaged over seeds point by
// point.
func TestConvergence(t *testing.T) {
	its := []int{0, 400, 700, 800, 900, 1000}
	if d, ok := tailImprovement(&RunResult{Curve: []CurvePoint{{0, 3, 0}, {750, 1.2, 0}, {850, 1.1, 0}, {1000, 1.15, 0}}}); !ok || math.Abs(d-0.05) > 1e-12 {
		t.Errorf("improvement from the point at 750 (at or before 800): %v, %v; want 0.05", d, ok)
	}
	if _, ok := tailImprovement(&RunResult{Curve: []CurvePoint{{1000, 1, 0}}}); ok {
		t.Error("an improvement from a single point")
	}
	var runs []RunResult
	for seed := range 3 {
		e := 0.002 * float64(seed)
		runs = append(runs,
			curveRun("D{0,1}", BaseStandard, seed, its, []float64{2, 1, 0.9, 0.8 + e, 0.797, 0.795}),
			curveRun("D{0,1}", BaseGMM, seed, its, []float64{2, 1.2, 1.1, 1.0 + e, 0.97, 0.95}))
	}
	r := &Results{Study: "moons", Runs: runs}
	var buf bytes.Buffer
	convergenceTable(&buf, r)
	text := buf.String()
	for _, want := range []string{
		"| D{0,1} | standard | 1000 | 0.802 ± 0.002 | 0.795 ± 0.000 | 0.007 ± 0.002 | 0.009 | yes | – |",
		"| D{0,1} | gmm | 1000 | 1.002 ± 0.002 | 0.950 ± 0.000 | 0.052 ± 0.002 | 0.054 | no | – |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("convergence table lacks %q:\n%s", want, text)
		}
	}
	c, err := curveOf(r, "D{0,1}", BaseStandard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.iters) != len(its) || math.Abs(c.mean[3]-0.802) > 1e-12 || math.Abs(c.std[3]-0.002) > 1e-12 || c.std[4] != 0 {
		t.Errorf("curve over seeds: %+v", c)
	}
	out := t.TempDir()
	if err := convergenceFigure(out, r); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(out, "convergence-moons"))
}
