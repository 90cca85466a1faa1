package cnf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestPlanarGolden holds the log-likelihoods of a small HyperPlanar flow
// (exact trace, RK4 with 8 steps) to those computed independently by
// testdata/planar_golden/make_golden.py with NumPy, loading the model
// directories that script wrote with np.savez. Both evaluate the same
// arithmetic in a different order (FMA, summation order, tanh and exp
// implementations), so they differ by rounding: a few hundred operations
// per value of magnitude ~1 keep the relative difference near 1e-14; we
// assert 1e-10.
func TestPlanarGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "planar_golden")
	raw, err := os.ReadFile(filepath.Join(dir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		X        [][]float64 `json:"x"`
		Gaussian []float64   `json:"gaussian"`
		GMM      []float64   `json:"gmm"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	var x []float64
	for _, p := range golden.X {
		x = append(x, p...)
	}
	for name, want := range map[string][]float64{"gaussian": golden.Gaussian, "gmm": golden.GMM} {
		m, err := Load(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, len(golden.X))
		if _, err := m.LogLikelihood(x, testRNG(1), got); err != nil {
			t.Fatal(err)
		}
		if len(want) != len(got) {
			t.Fatalf("%s: %d golden values for %d points", name, len(want), len(got))
		}
		for i := range got {
			rel := math.Abs(got[i]-want[i]) / math.Abs(want[i])
			t.Logf("%s point %d: Go %.17g, NumPy %.17g, relative %.2g", name, i, got[i], want[i], rel)
			if !(rel <= 1e-10) {
				t.Errorf("%s point %d: log p = %.17g, NumPy %.17g (relative %.3g)", name, i, got[i], want[i], rel)
			}
		}
	}
}
