package cnf

import (
	"bytes"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/npy"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	cfg := planarConfig(BaseGMM, 3)
	cfg.Base.Learnable = true
	cfg.Blocks = 2
	m, err := New(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.theta {
		m.theta[i] += 0.01 * float64(i%7)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.theta, m.theta) {
		t.Fatal("parameters differ after the round trip")
	}
	x, _ := points(10, 2, 3, 1)
	a, b := make([]float64, 10), make([]float64, 10)
	if _, err := m.LogLikelihood(x, testRNG(1), a); err != nil {
		t.Fatal(err)
	}
	if _, err := got.LogLikelihood(x, testRNG(1), b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("log-likelihoods differ after the round trip: %v vs %v", a, b)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{ConfigFile, WeightsFile}) {
		t.Fatalf("model directory holds %v", names)
	}
}

// TestSaveNames checks the PyTorch names and shapes of a single-block
// HyperPlanar model.
func TestSaveNames(t *testing.T) {
	m, err := New(planarConfig(BaseGaussian, 1), 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	f, err := npy.OpenArchive(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]int{
		"hyper_net.fc1.weight.npy": {8, 1}, "hyper_net.fc1.bias.npy": {8},
		"hyper_net.fc2.weight.npy": {8, 8}, "hyper_net.fc2.bias.npy": {8},
		"hyper_net.fc3.weight.npy": {3*6*2 + 6, 8}, "hyper_net.fc3.bias.npy": {3*6*2 + 6},
		"base.means.npy": {1, 2}, "base.log_weights.npy": {1},
	}
	if len(f.Keys()) != len(want) {
		t.Errorf("archive holds %v", f.Keys())
	}
	for k, shape := range want {
		h, err := f.Header(k)
		if err != nil {
			t.Errorf("array %s: %v", k, err)
			continue
		}
		if h.Descr != "<f8" || h.Fortran || !slices.Equal(h.Shape, shape) {
			t.Errorf("array %s is %s (Fortran order %v) of shape %v, want <f8 in C order of shape %v", k, h.Descr, h.Fortran, h.Shape, shape)
		}
	}
}

// rewrite copies the weights of dir into a new archive after edit has
// changed the member name -> array map, then writes it back.
func rewrite(t *testing.T, dir string, edit func(map[string]*npy.Array)) {
	t.Helper()
	f, err := npy.OpenArchive(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	arrays := map[string]*npy.Array{}
	for _, k := range f.Keys() {
		a, err := f.Read(k, 0)
		if err != nil {
			t.Fatal(err)
		}
		arrays[k+".npy"] = a
	}
	f.Close()
	edit(arrays)
	var buf bytes.Buffer
	w := npy.NewArchiveWriter(&buf, true)
	for _, k := range slices.Sorted(maps.Keys(arrays)) {
		if err := w.Write(k, arrays[k].Shape, arrays[k].Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, WeightsFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFailures(t *testing.T) {
	m, err := New(planarConfig(BaseGMM, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   string
	}{
		{"no config", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ConfigFile)) }, "config.json"},
		{"bad config", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"shape": [2], "dynamics": {"kind": "spline"}}`), 0o644)
		}, "spline"},
		{"unknown field", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"shape": [2], "colour": 1}`), 0o644)
		}, "colour"},
		{"no weights", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, WeightsFile)) }, "weights.npz"},
		{"corrupt weights", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, WeightsFile), []byte("not a zip"), 0o644)
		}, "weights.npz"},
		{"missing array", func(t *testing.T, dir string) {
			rewrite(t, dir, func(a map[string]*npy.Array) { delete(a, "hyper_net.fc2.bias.npy") })
		}, "array hyper_net.fc2.bias is missing"},
		{"misshaped array", func(t *testing.T, dir string) {
			rewrite(t, dir, func(a map[string]*npy.Array) {
				a["hyper_net.fc1.weight.npy"] = &npy.Array{Shape: []int{8}, Data: make([]float64, 8)}
			})
		}, "array hyper_net.fc1.weight has shape [8], want [8 1]"},
		{"non-finite array", func(t *testing.T, dir string) {
			rewrite(t, dir, func(a map[string]*npy.Array) {
				v := make([]float64, 8)
				v[3] = math.NaN()
				a["hyper_net.fc2.bias.npy"] = &npy.Array{Shape: []int{8}, Data: v}
			})
		}, "array hyper_net.fc2.bias element 3 is NaN"},
		{"base disagrees with config.json", func(t *testing.T, dir string) {
			rewrite(t, dir, func(a map[string]*npy.Array) { a["base.log_weights.npy"].Data[1] = 0.5 })
		}, "config.json gives base log-weight 1 as 0, weights.npz as 0.5"},
		{"bare names", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			if tc.break_ == nil {
				// Arrays named without the .npy suffix load too.
				rewrite(t, dir, func(a map[string]*npy.Array) {
					for k, v := range a {
						delete(a, k)
						a[strings.TrimSuffix(k, ".npy")] = v
					}
				})
				if _, err := Load(dir); err != nil {
					t.Fatal(err)
				}
				return
			}
			tc.break_(t, dir)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
