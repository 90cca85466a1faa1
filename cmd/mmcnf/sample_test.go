package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
)

// tinyImageModel writes an untrained flow of 1x4x4 8-bit images into dir.
func tinyImageModel(t *testing.T, dir string) {
	t.Helper()
	saveModel(t, dir, cnf.Config{
		Shape:      []int{1, 4, 4},
		Dynamics:   cnf.DynamicsConfig{Kind: cnf.ConcatConv, Dims: []int{2}},
		Base:       cnf.BaseConfig{Kind: cnf.BaseGaussian},
		Solver:     cnf.SolverConfig{Method: "rk4", Steps: 1},
		Preprocess: cnf.PreprocessConfig{Dequantize: true, Logit: true, Alpha: cnf.DefaultAlpha},
	})
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// TestSampleScale draws the same five samples of a 4x4 image model as a
// PNG grid at scale 1 and 3: the enlarged grid is 3 times the size, each
// pixel a 3x3 block of the pixel of the plain grid. A bad --scale is
// refused with one line and nothing written.
func TestSampleScale(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m")
	tinyImageModel(t, model)
	plain, big := filepath.Join(dir, "plain.png"), filepath.Join(dir, "big.png")
	for _, c := range []struct {
		out   string
		scale string
	}{{plain, "1"}, {big, "3"}} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"sample", "--model", model, "-n", "5", "--scale", c.scale, "--out", c.out}, &stdout, &stderr); code != exitOK {
			t.Fatalf("sample --scale %s: exit %d: %s", c.scale, code, stderr.String())
		}
	}
	p, b := readPNG(t, plain), readPNG(t, big)
	// 5 images of 4x4 in 3 columns, a one-pixel gap around each.
	if pb := p.Bounds(); pb.Dx() != 3*5+1 || pb.Dy() != 2*5+1 {
		t.Fatalf("plain grid is %v, want 16 x 11", pb)
	}
	if bb := b.Bounds(); bb.Dx() != 3*16 || bb.Dy() != 3*11 {
		t.Fatalf("grid at scale 3 is %v, want 48 x 33", bb)
	}
	for y := range 33 {
		for x := range 48 {
			if got, want := b.At(x, y), p.At(x/3, y/3); got != want {
				t.Fatalf("pixel (%d, %d) of the enlarged grid is %v, want %v", x, y, got, want)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--scale", "0", "--out", filepath.Join(dir, "z.png")}, "--scale must be positive"},
		{[]string{"--scale", "2", "--out", filepath.Join(dir, "z.csv")}, "--scale enlarges a PNG grid"},
		{[]string{"--scale", "100000", "--out", filepath.Join(dir, "z.png")}, "more than"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"sample", "--model", model, "-n", "5"}, c.args...)
		code := run(args, &stdout, &stderr)
		if code != exitUsage || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want status 2 and one line with %q", c.args, code, stderr.String(), c.want)
		}
		if _, err := os.Stat(args[len(args)-1]); err == nil {
			t.Errorf("%v wrote %s", c.args, args[len(args)-1])
		}
	}
}
