package figure

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestImageGrid checks the layout (a one-pixel gap around every image),
// the gap's grey, and the level of each value: floor(256 v) clipped to
// 0..255, NaN as 0, three channels for colour images.
func TestImageGrid(t *testing.T) {
	grey := []float64{0, 250.1 / 256, 255.5 / 256, 2, -0.5, math.NaN()} // a 2x3 image
	g, err := ImageGrid([][]float64{grey, grey, grey}, []int{1, 2, 3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b := g.Bounds(); b.Dx() != 2*4+1 || b.Dy() != 2*3+1 {
		t.Fatalf("grid of three 2x3 images in 2 columns is %dx%d, want 9x7", b.Dx(), b.Dy())
	}
	gap := color.RGBA{gapGrey, gapGrey, gapGrey, 0xff}
	for _, p := range [][2]int{{0, 0}, {4, 1}, {8, 6}, {1, 3}, {5, 4}} {
		if got := g.RGBAAt(p[0], p[1]); got != gap {
			t.Errorf("pixel %v is %v, want the gap %v", p, got, gap)
		}
	}
	want := []uint8{0, 250, 255, 255, 0, 0}
	for _, origin := range [][2]int{{1, 1}, {5, 1}, {1, 4}} {
		for i, w := range want {
			x, y := origin[0]+i%3, origin[1]+i/3
			if got := g.RGBAAt(x, y); got != (color.RGBA{w, w, w, 0xff}) {
				t.Errorf("value %v at (%d, %d) is drawn %v, want level %d", grey[i], x, y, got, w)
			}
		}
	}
	rgb := []float64{10.0 / 256, 20.0 / 256, 30.0 / 256}
	g, err = ImageGrid([][]float64{rgb}, []int{3, 1, 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.RGBAAt(1, 1); got != (color.RGBA{10, 20, 30, 0xff}) {
		t.Errorf("colour pixel %v, want {10 20 30 255}", got)
	}
	for _, bad := range []struct {
		imgs  [][]float64
		shape []int
		cols  int
	}{
		{nil, []int{1, 2, 3}, 1}, {[][]float64{grey}, []int{1, 2, 3}, 0},
		{[][]float64{grey}, []int{2, 1, 3}, 1}, {[][]float64{grey}, []int{1, 3, 3}, 1}, {[][]float64{grey}, []int{6}, 1},
	} {
		if _, err := ImageGrid(bad.imgs, bad.shape, bad.cols); err == nil {
			t.Errorf("%d images of shape %v in %d columns accepted", len(bad.imgs), bad.shape, bad.cols)
		}
	}
}

// TestFiguresWritten draws each kind of figure from a few numbers and
// checks that the PNG decodes and the SVG is one.
func TestFiguresWritten(t *testing.T) {
	dir := t.TempDir()
	xy, labels := []float64{0, 0, 1, 1, -1, 0.5, 2, -1}, []int{0, 0, 1, 1}
	img := make([]float64, 16)
	mean := 1.5
	grid := &Grid{X: []float64{-1, 0, 1}, Y: []float64{-1, 1}, Z: [][]float64{{-3, -2, -3}, {-2, -1, -2}}}
	for name, draw := range map[string]func(path string) error{
		"points": func(p string) error { return Points(p, "points", xy, labels) },
		"samples": func(p string) error {
			return Samples(p, xy, labels, []SamplePanel{{Title: "a", Unconditional: [][]float64{{0, 1}, {1, 0}}},
				{Title: "b", Classes: []int{0, 1}, ByClass: [][][]float64{{{0, 0}}, {{1, 1}}}}})
		},
		"density": func(p string) error { return Density(p, []DensityPanel{{Title: "d", Grid: grid}}) },
		"images": func(p string) error {
			return ImageSamples(p, []int{1, 4, 4}, []ImagePanel{{Title: "i", Images: [][]float64{img, img}}})
		},
		"classes": func(p string) error {
			return ClassSamples(p, "c", []int{1, 4, 4}, []int{3, 5}, [][][]float64{{img}, {img, img}})
		},
		"class-bars": func(p string) error {
			return ClassBars(p, [][]ClassPanel{{{Title: "t", Bars: []Bar{{Mean: 1, Std: 0.1, InDist: true}, {Mean: 2}}}}})
		},
		"set-bars": func(p string) error {
			return SetBars(p, []SetPanel{{Title: "s", Labels: []string{"0", "x"}, BaseNames: [2]string{"standard", "gmm"},
				Bars: [][2]Bar{{{Mean: 1, InDist: true}, {Mean: 1.1, InDist: true}}, {{Mean: 3}, {Mean: 4, Std: 0.5}}}, InDistMean: [2]*float64{&mean, nil}}})
		},
	} {
		path := filepath.Join(dir, name)
		if err := draw(path); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		b, err := os.ReadFile(path + ".png")
		if err != nil {
			t.Fatal(err)
		}
		if im, err := png.Decode(bytes.NewReader(b)); err != nil || im.Bounds().Dx() < 100 {
			t.Errorf("%s.png: %v", name, err)
		}
		if svg, err := os.ReadFile(path + ".svg"); err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s.svg is not an SVG document (%v)", name, err)
		}
	}
	if err := SetBars(filepath.Join(dir, "none"), nil); err == nil {
		t.Error("set bars without panels drawn")
	}
	if err := Density(filepath.Join(dir, "bad"), []DensityPanel{{Title: "d", Grid: &Grid{X: []float64{0}}}}); err == nil {
		t.Error("density of a grid without values drawn")
	}
}
