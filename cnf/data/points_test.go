package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/npy"
)

func TestLoadPointsCSV(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s, err := LoadPoints(write("a.csv", "x,y,label\n1,2,0\n\n3.5, -4 ,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.Dim != 2 || !equal(s.X, []float64{1, 2, 3.5, -4}) || s.Labels[1] != 2 {
		t.Errorf("labelled csv: %+v", s)
	}
	s, err = LoadPoints(write("b.csv", "1,2,3\n4,5,6\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.Dim != 3 || s.Labels[0] != 0 {
		t.Errorf("plain csv: %+v", s)
	}
	bad := map[string]string{
		"x,y\n1,2\n3\n":         "line 3: 1 fields, want 2",
		"x,y\n1,2\n3,abc\n":     "line 3: column 2: \"abc\"",
		"x,label\n1,0\n2,-1\n":  "line 3: column 2: label \"-1\"",
		"x,label\n1,0\n2,0.5\n": "line 3: column 2: label",
		"1,NaN\n":               "line 1: column 2",
		"x,y\n":                 "no points",
	}
	for text, want := range bad {
		p := write("bad.csv", text)
		if _, err := LoadPoints(p); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), p) {
			t.Errorf("%q: error %v, want one naming the file and %q", text, err, want)
		}
	}
	if _, err := LoadPoints(write("a.txt", "1")); err == nil {
		t.Error(".txt accepted")
	}
}

func TestLoadPointsNPY(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.npy")
	f, _ := os.Create(p)
	if err := npy.Write(f, []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, err := LoadPoints(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.Dim != 2 || !equal(s.X, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("npy: %+v", s)
	}
	q := filepath.Join(dir, "v.npy")
	f, _ = os.Create(q)
	npy.Write(f, []int{3}, []float64{1, 2, 3})
	f.Close()
	if _, err := LoadPoints(q); err == nil || !strings.Contains(err.Error(), "want 2-D") {
		t.Errorf("1-D array: error %v", err)
	}
	r := filepath.Join(dir, "junk.npy")
	os.WriteFile(r, []byte("not numpy"), 0o644)
	if _, err := LoadPoints(r); err == nil || !strings.HasPrefix(err.Error(), r) {
		t.Errorf("junk: error %v", err)
	}
}

// TestHoldOut: the two parts partition the points (each point once, with
// its label), the held-out part has round(frac N) points, the same seed
// gives the same split and too few points is an error.
func TestHoldOut(t *testing.T) {
	s := &Split{Name: "p", N: 25, Dim: 2}
	for i := range s.N {
		s.X = append(s.X, float64(i), float64(-i))
		s.Labels = append(s.Labels, i%3)
	}
	tr, te, err := s.HoldOut(0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 20 || te.N != 5 || len(tr.X) != 40 || len(te.X) != 10 {
		t.Fatalf("sizes: train %d (%d values), held out %d (%d values); want 20 and 5", tr.N, len(tr.X), te.N, len(te.X))
	}
	seen := make([]int, s.N)
	for _, p := range []Split{tr, te} {
		for j := range p.N {
			i := int(p.X[2*j])
			if p.X[2*j+1] != -float64(i) || p.Labels[j] != i%3 {
				t.Fatalf("point %d lost its coordinates or label: %v %d", i, p.X[2*j:2*j+2], p.Labels[j])
			}
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("point %d appears %d times", i, c)
		}
	}
	_, te2, _ := s.HoldOut(0.2, 7)
	for j := range te.X {
		if te.X[j] != te2.X[j] {
			t.Fatal("the same seed gave another split")
		}
	}
	one := &Split{Name: "one", N: 1, Dim: 2, X: []float64{1, 2}, Labels: []int{0}}
	if _, _, err := one.HoldOut(0.1, 1); err == nil {
		t.Error("one point: no error")
	}
}
