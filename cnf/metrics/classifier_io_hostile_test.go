package metrics

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/npy"
)

// TestLoadClassifierHostile: damaged or oversized classifier files are one
// error naming the file, found without a panic and without allocating
// what they declare.
func TestLoadClassifierHostile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npz")
	if err := NewClassifier(2, 3, 4, 1).Save(good); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(good)
	if err != nil {
		t.Fatal(err)
	}
	type member struct {
		name string
		data []byte
	}
	var members []member
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		members = append(members, member{f.Name, b})
	}
	z.Close()
	build := func(edit func([]member) []member) []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for _, m := range edit(append([]member(nil), members...)) {
			f, _ := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
			f.Write(m.data)
		}
		w.Close()
		return b.Bytes()
	}
	widths := func(v ...float64) func([]member) []member {
		return func(ms []member) []member {
			var b bytes.Buffer
			npy.Write(&b, []int{len(v)}, v)
			ms[0].data = b.Bytes()
			return ms
		}
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"member cut in its header", build(func(ms []member) []member {
			ms[3].data = append([]byte("\x93NUMPY\x01\x00\x76\x00"), "{'descr'"...)
			return ms
		}), ": conv2.weight: truncated"},
		{"duplicate member", build(func(ms []member) []member { return append(ms, ms[1]) }), `duplicate member "conv1.weight"`},
		{"absurd widths", build(widths(1e9, 3, 4)), "widths [1e+09 3 4]"},
		{"absurd product", build(widths(2, 40000, 40000)), "widths [2 40000 40000]"},
		{"fractional widths", build(widths(2.5, 3, 4)), "widths [2.5 3 4]"},
	}
	for _, tc := range cases {
		p := filepath.Join(dir, "c.npz")
		os.WriteFile(p, tc.b, 0o644)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := LoadClassifier(p)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, p, tc.want)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("%s: allocated %d bytes", tc.name, n)
		}
	}
}
