package npy

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goldenDir holds the files NumPy wrote (testdata/npy/make_golden.py).
var goldenDir = filepath.Join("..", "..", "testdata", "npy")

type goldenArray struct {
	File   string   `json:"file"`
	Shape  []int    `json:"shape"`
	Values []string `json:"values"`
}

type golden struct {
	Arrays  []goldenArray `json:"arrays"`
	Refused []struct {
		File  string `json:"file"`
		Error string `json:"error"`
	} `json:"refused"`
	Archives []struct {
		File    string `json:"file"`
		Members map[string]struct {
			Shape  []int    `json:"shape"`
			Values []string `json:"values"`
		} `json:"members"`
	} `json:"archives"`
	Written []goldenArray `json:"written"`
}

func readGolden(t testing.TB) *golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// parseValues parses the repr strings of golden.json.
func parseValues(t testing.TB, s []string) []float64 {
	t.Helper()
	v := make([]float64, len(s))
	for i, x := range s {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatal(err)
		}
		v[i] = f
	}
	return v
}

// sameBits reports whether a and b are equal element by element, -0 and
// +0 apart, any NaN equal to any NaN.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	})
}

// checkArray checks a against the shape and values NumPy recorded.
func checkArray(t *testing.T, what string, a *Array, shape []int, values []string) {
	t.Helper()
	if !slices.Equal(a.Shape, shape) {
		t.Errorf("%s: shape %v, want %v", what, a.Shape, shape)
	}
	if want := parseValues(t, values); !sameBits(a.Data, want) {
		t.Errorf("%s: values\n%v, want\n%v", what, a.Data, want)
	}
}

// TestGoldenArrays reads every file of an accepted dtype, byte order,
// version and layout NumPy wrote, from a file and from memory.
func TestGoldenArrays(t *testing.T) {
	for _, g := range readGolden(t).Arrays {
		path := filepath.Join(goldenDir, g.File)
		a, err := ReadFile(path, 0)
		if err != nil {
			t.Errorf("%s: %v", g.File, err)
			continue
		}
		checkArray(t, g.File, a, g.Shape, g.Values)
		b, _ := os.ReadFile(path)
		a, err = Read(bytes.NewReader(b), int64(len(b)), 0, g.File)
		if err != nil {
			t.Errorf("%s from memory: %v", g.File, err)
			continue
		}
		checkArray(t, g.File+" from memory", a, g.Shape, g.Values)
	}
}

// TestGoldenRefused: every refused dtype and inexact integer is an error
// naming the file and what is wrong.
func TestGoldenRefused(t *testing.T) {
	for _, g := range readGolden(t).Refused {
		path := filepath.Join(goldenDir, g.File)
		_, err := ReadFile(path, 0)
		if err == nil {
			t.Errorf("%s: accepted", g.File)
			continue
		}
		if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), g.Error) {
			t.Errorf("%s: error %q, want one naming the file and %q", g.File, err, g.Error)
		}
		if !errors.Is(err, ErrDtype) && !errors.Is(err, ErrInexact) {
			t.Errorf("%s: error %q is neither ErrDtype nor ErrInexact", g.File, err)
		}
	}
}

// TestGoldenArchives reads numpy.savez and numpy.savez_compressed output.
func TestGoldenArchives(t *testing.T) {
	for _, g := range readGolden(t).Archives {
		z, err := OpenArchive(filepath.Join(goldenDir, g.File))
		if err != nil {
			t.Fatal(err)
		}
		if keys := z.Keys(); len(keys) != len(g.Members) {
			t.Errorf("%s: keys %v", g.File, keys)
		}
		for key, m := range g.Members {
			a, err := z.Read(key, 0)
			if err != nil {
				t.Errorf("%s: %v", g.File, err)
				continue
			}
			checkArray(t, g.File+": "+key, a, m.Shape, m.Values)
			h, err := z.Header(key + ".npy")
			if err != nil || !slices.Equal(h.Shape, m.Shape) {
				t.Errorf("%s: header of %s: %+v, %v", g.File, key, h, err)
			}
		}
		z.Close()
	}
}

// TestGoldenWritten: Write gives the bytes numpy.save gives, and they read
// back.
func TestGoldenWritten(t *testing.T) {
	for _, g := range readGolden(t).Written {
		want, err := os.ReadFile(filepath.Join(goldenDir, g.File))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := Write(&b, g.Shape, parseValues(t, g.Values)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s: wrote\n%q, numpy.save wrote\n%q", g.File, b.Bytes(), want)
		}
		a, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()), 0, g.File)
		if err != nil {
			t.Fatal(err)
		}
		checkArray(t, g.File, a, g.Shape, g.Values)
	}
}
