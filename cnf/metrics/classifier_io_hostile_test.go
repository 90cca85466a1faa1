package metrics

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/npy"
	"github.com/mmcnf/mmcnf/internal/readtest"
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
	members, err := readtest.MembersFile(good)
	if err != nil {
		t.Fatal(err)
	}
	build := func(edit func([]readtest.Member) []readtest.Member) []byte {
		return readtest.Zip(edit(append([]readtest.Member(nil), members...)))
	}
	widths := func(v ...float64) func([]readtest.Member) []readtest.Member {
		return func(ms []readtest.Member) []readtest.Member {
			var b bytes.Buffer
			npy.Write(&b, []int{len(v)}, v)
			return readtest.Replace(ms, "widths", b.Bytes())
		}
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"member cut in its header", build(func(ms []readtest.Member) []readtest.Member {
			return readtest.Replace(ms, "conv2.weight", readtest.CutNPY)
		}), ": conv2.weight: truncated"},
		{"duplicate member", build(func(ms []readtest.Member) []readtest.Member { return append(ms, ms[1]) }), `duplicate member "conv1.weight"`},
		{"absurd widths", build(widths(1e9, 3, 4)), "widths [1e+09 3 4]"},
		{"absurd product", build(widths(2, 40000, 40000)), "widths [2 40000 40000]"},
		{"fractional widths", build(widths(2.5, 3, 4)), "widths [2.5 3 4]"},
	}
	for _, tc := range cases {
		p := filepath.Join(dir, "c.npz")
		os.WriteFile(p, tc.b, 0o644)
		var err error
		n := readtest.Allocated(func() { _, err = LoadClassifier(p) })
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, p, tc.want)
		}
		if n > 8<<20 {
			t.Errorf("%s: allocated %d bytes", tc.name, n)
		}
	}
}
