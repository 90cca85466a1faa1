package cnf

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// readMembers returns the members of the archive at path.
func readMembers(t *testing.T, path string) []readtest.Member {
	t.Helper()
	ms, err := readtest.MembersFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// writeMembers writes the members as the archive at path.
func writeMembers(t *testing.T, path string, members []readtest.Member) {
	t.Helper()
	if err := os.WriteFile(path, readtest.Zip(members), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadHostile: damaged, inconsistent or oversized model directories
// fail with one error naming the file (and member), without a panic and
// without allocating what they declare.
func TestLoadHostile(t *testing.T) {
	m, err := New(planarConfig(BaseGMM, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	replace := func(name string, data []byte) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			writeMembers(t, p, readtest.Replace(readMembers(t, p), name, data))
		}
	}
	editConfig := func(edit func(string) string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, ConfigFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(edit(string(b))), 0o644)
		}
	}
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string
	}{
		{"member cut in its header", replace("base.log_weights.npy", readtest.CutNPY),
			[]string{"weights.npz: base.log_weights.npy: truncated"}},
		{"member data cut short", replace("hyper_net.fc2.weight.npy",
			readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 8), }", make([]byte, 10))),
			[]string{"weights.npz: hyper_net.fc2.weight.npy: truncated: shape (8, 8) of <f8 needs 512 bytes of data, but 10 follow"}},
		{"member declaring 10^10 values", replace("hyper_net.fc2.weight.npy",
			readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", make([]byte, 2))),
			[]string{"weights.npz: array hyper_net.fc2.weight has shape [100000 100000], want [8 8]"}},
		{"duplicate member", func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			ms := readMembers(t, p)
			writeMembers(t, p, append(ms, ms[0]))
		}, []string{"weights.npz", "duplicate member"}},
		{"complex member", replace("base.log_weights.npy",
			readtest.NPY(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", make([]byte, 32))),
			[]string{"weights.npz: base.log_weights.npy: unsupported dtype '<c16' (complex)"}},
		{"trailing data after config.json", editConfig(func(s string) string { return s + "{}\n" }),
			[]string{"config.json", "data after the JSON value"}},
		{"absurd hidden width", editConfig(func(s string) string {
			return strings.Replace(s, `"hidden": 8`, `"hidden": 1000000000000`, 1)
		}), []string{"config.json: config: dynamics hidden = 1000000000000, but weights.npz holds only"}},
		{"absurd shape", editConfig(func(s string) string {
			s = strings.Replace(s, `"shape": [`+"\n    2\n  ]", `"shape": [4294967296]`, 1)
			s = strings.Replace(s, `"kind": "gmm"`, `"kind": "gaussian"`, 1)
			return s[:strings.Index(s, `"means"`)] + `"learnable": false}, "trace": "exact", "solver": {"method": "rk4", "steps": 4}}`
		}), []string{"config.json: config: shape[0] = 4294967296, but weights.npz holds only"}},
		{"absurd point size", editConfig(func(s string) string {
			return strings.Replace(s, `"shape": [`+"\n    2\n  ]", `"shape": [4000, 4000]`, 1)
		}), []string{"config.json: config: shape [4000 4000], but weights.npz holds only"}},
		// Each size within the bytes the archive holds (a member of zeros
		// pads it), but the hypernetwork's H x H weights beyond memory:
		// refused before New allocates them.
		{"hidden width squared beyond memory", func(t *testing.T, dir string) {
			p := filepath.Join(dir, WeightsFile)
			pad := readtest.NPY(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536,), }", make([]byte, 65536))
			writeMembers(t, p, append(readMembers(t, p), readtest.Member{Name: "pad.npy", Data: pad}))
			editConfig(func(s string) string { return strings.Replace(s, `"hidden": 8`, `"hidden": 16384`, 1) })(t, dir)
		}, []string{"config.json: config: dynamics hidden 16384 and width 6 on points of shape [2] make 2.692e+08 parameters, which need 6.02 GiB, more than the 64.0 MiB (MMCNF_MEMORY) available"}},
	}
	t.Setenv(sysmem.EnvVar, "64M")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			tc.break_(t, dir)
			var err error
			n := readtest.Allocated(func() { _, err = Load(dir) })
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n > 16<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

// TestLoadConverts: arrays of another dtype that converts exactly to
// float64 (float32, as PyTorch saves by default) load as their values.
func TestLoadConverts(t *testing.T) {
	m, err := New(planarConfig(BaseGaussian, 1), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.theta {
		m.theta[i] = float64(float32(m.theta[i]))
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, WeightsFile)
	ms := readMembers(t, p)
	for i, mb := range ms {
		if mb.Name != "hyper_net.fc3.weight.npy" {
			continue
		}
		// The same values as big-endian float32, in Fortran order.
		rows, cols := 3*6*2+6, 8
		v := m.theta[len(m.theta)-rows*cols-rows : len(m.theta)-rows]
		data := make([]byte, 0, 4*len(v))
		for c := range cols {
			for r := range rows {
				data = binary.BigEndian.AppendUint32(data, math.Float32bits(float32(v[r*cols+c])))
			}
		}
		ms[i].Data = readtest.NPY(1, "{'descr': '>f4', 'fortran_order': True, 'shape': (42, 8), }", data)
	}
	writeMembers(t, p, ms)
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.theta {
		if got.theta[i] != m.theta[i] {
			t.Fatalf("parameter %d is %v, want %v", i, got.theta[i], m.theta[i])
		}
	}
}

// FuzzReadConfig: no config.json makes the reader panic or allocate more
// than a few times its size; an accepted one validates, keeps its sizes
// within what the archive holds, and reads back the same once written.
func FuzzReadConfig(f *testing.F) {
	for _, cfg := range []Config{planarConfig(BaseGMM, 3), planarConfig(BaseGaussian, 1)} {
		b, _ := json.Marshal(cfg)
		f.Add(b)
	}
	f.Add([]byte(`{"shape": [1, 16, 16], "dynamics": {"kind": "concatconv", "dims": [8, 8]}, "solver": {"method": "rk4", "steps": 2}}`))
	dir := f.TempDir()
	const held = 1 << 16
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, ConfigFile)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var cfg Config
		var err error
		if n := readtest.Allocated(func() { cfg, err = readConfig(p, held) }); n > uint64(64*len(b)+1<<20) {
			t.Fatalf("allocated %d bytes reading %d", n, len(b))
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), p+": ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		if err := checkSizes(&cfg, held); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(cfg)
		if err := os.WriteFile(p, again, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg2, err := readConfig(p, held)
		if err != nil {
			t.Fatalf("written out and read again: %v", err)
		}
		if again2, _ := json.Marshal(cfg2); !bytes.Equal(again, again2) {
			t.Fatalf("round trip changed %s into %s", again, again2)
		}
	})
}
