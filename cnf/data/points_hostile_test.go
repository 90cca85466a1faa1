package data

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// loadBytes writes b as name in a temporary directory and loads it,
// returning the points, the error and the bytes allocated meanwhile.
func loadBytes(t *testing.T, name string, b []byte) (*Split, error, uint64) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var s *Split
	var err error
	n := readtest.Allocated(func() { s, err = LoadPoints(p) })
	return s, err, n
}

// TestLoadPointsNPYHostile: truncated and oversized .npy files are one
// error naming the file, found without a panic or a large allocation.
func TestLoadPointsNPYHostile(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"cut in the header", readtest.CutNPY, "truncated: header length 118, but only 8 bytes follow it"},
		{"130 bytes declaring 625000000 x 2", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (625000000, 2), }", make([]byte, 2)),
			"truncated: shape (625000000, 2) of <f8 needs 10000000000 bytes of data, but 2 follow the header"},
		{"int64 beyond 2^53", readtest.NPY(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", binary.LittleEndian.AppendUint64(make([]byte, 8), 1<<53+1)),
			"element (0, 1) of <i8 is 9007199254740993"},
		{"complex", readtest.NPY(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 2), }", make([]byte, 32)), "unsupported dtype '<c16' (complex)"},
		{"infinite float16", readtest.NPY(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }", []byte{0, 0, 0, 0x7c}),
			"point 0, coordinate 1: +Inf is not finite"},
	}
	for _, tc := range cases {
		_, err, n := loadBytes(t, "p.npy", tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "p.npy: ") {
			t.Errorf("%s: error %v, want one naming the file and %q", tc.name, err, tc.want)
		}
		if n > 1<<20 {
			t.Errorf("%s: allocated %d bytes", tc.name, n)
		}
	}
}

// TestLoadPointsNPYTypes: every numeric dtype that converts exactly is
// read as its values, in either order.
func TestLoadPointsNPYTypes(t *testing.T) {
	want := []float64{1, 2, 3, 4, 5, 250}
	cases := map[string][]byte{
		"{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }": {1, 2, 3, 4, 5, 250},
		"{'descr': '|u1', 'fortran_order': True, 'shape': (3, 2), }":  {1, 3, 5, 2, 4, 250},
		"{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }": le32(1, 2, 3, 4, 5, 250),
		"{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }": be32f(1, 2, 3, 4, 5, 250),
		"{'descr': '<f2', 'fortran_order': False, 'shape': (3, 2), }": {0, 0x3c, 0, 0x40, 0, 0x42, 0, 0x44, 0, 0x45, 0xd0, 0x5b},
	}
	for dict, data := range cases {
		s, err, _ := loadBytes(t, "p.npy", readtest.NPY(1, dict, data))
		if err != nil {
			t.Errorf("%s: %v", dict, err)
			continue
		}
		if s.N != 3 || s.Dim != 2 || !equal(s.X, want) {
			t.Errorf("%s: %d x %d points %v, want 3 x 2 %v", dict, s.N, s.Dim, s.X, want)
		}
	}
}

func le32(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

func be32f(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// TestLoadPointsCSVHostile: over-long lines and files that are not regular
// files are refused with the line or the reason.
func TestLoadPointsCSVHostile(t *testing.T) {
	long := "x,y\n1,2\n" + strings.Repeat("1,", 1<<20) + "1\n"
	if _, err, _ := loadBytes(t, "p.csv", []byte(long)); err == nil || !strings.Contains(err.Error(), "p.csv: line 3: longer than 1048576 bytes") {
		t.Errorf("long line: error %v", err)
	}
	dir := t.TempDir()
	dev := filepath.Join(dir, "zero.csv")
	if err := os.Symlink("/dev/zero", dev); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPoints(dev); err == nil || !strings.Contains(err.Error(), "zero.csv: not a regular file") {
		t.Errorf("/dev/zero: error %v", err)
	}
	devNPY := filepath.Join(dir, "zero.npy")
	if err := os.Symlink("/dev/zero", devNPY); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPoints(devNPY); err == nil || !strings.Contains(err.Error(), "zero.npy: not a regular file") {
		t.Errorf("/dev/zero as .npy: error %v", err)
	}
}

// FuzzLoadPointsCSV: no CSV file makes LoadPoints panic or allocate more
// than a few times its size; accepted points are finite, consistent, and
// read back the same when written out again.
func FuzzLoadPointsCSV(f *testing.F) {
	f.Add([]byte("x,y,label\n1,2,0\n\n3.5, -4 ,2\n"))
	f.Add([]byte("1,2,3\n4,5,6\n"))
	f.Add([]byte("x,class\n1e308,7\n-0,0\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var s *Split
		var err error
		if n := readtest.Allocated(func() { s, err = LoadPoints(p) }); n > uint64(32*len(b)+1<<20) {
			t.Fatalf("allocated %d bytes reading %d", n, len(b))
		}
		if err != nil {
			if strings.Contains(err.Error(), "internal error") || !strings.HasPrefix(err.Error(), p+": ") {
				t.Fatal(err)
			}
			return
		}
		if s.N < 1 || s.Dim < 1 || len(s.X) != s.N*s.Dim || len(s.Labels) != s.N {
			t.Fatalf("%d points of %d coordinates: %d values, %d labels", s.N, s.Dim, len(s.X), len(s.Labels))
		}
		var out strings.Builder
		for j := range s.Dim {
			fmt.Fprintf(&out, "x%d,", j)
		}
		out.WriteString("label\n")
		for i := range s.N {
			for _, v := range s.X[i*s.Dim : (i+1)*s.Dim] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("point %d: %v accepted", i, v)
				}
				out.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + ",")
			}
			fmt.Fprintf(&out, "%d\n", s.Labels[i])
		}
		q := filepath.Join(dir, "again.csv")
		os.WriteFile(q, []byte(out.String()), 0o644)
		again, err := LoadPoints(q)
		if err != nil || !equal(again.X, s.X) || !slices.Equal(again.Labels, s.Labels) {
			t.Fatalf("written out and read again: %v", err)
		}
	})
}
