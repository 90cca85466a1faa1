package figure

import (
	"bytes"
	"image"
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
		"density": func(p string) error { return Density(p, "title", []DensityPanel{{Title: "d", Grid: grid}}) },
		"images": func(p string) error {
			return ImageSamples(p, []int{1, 4, 4}, []ImagePanel{{Title: "i", Images: [][]float64{img, img}}})
		},
		"classes": func(p string) error {
			return ClassSamples(p, "c", []int{1, 4, 4}, []string{"three", "five"}, [][][]float64{{img}, {img, img}})
		},
		"class-bars": func(p string) error {
			return ClassBars(p, [][]ClassPanel{{{Title: "t", Bars: []Bar{{Mean: 1, Std: 0.1, InDist: true}, {Mean: 2}}}}})
		},
		"set-bars": func(p string) error {
			return SetBars(p, []SetPanel{{Title: "s", Labels: []string{"0", "x"}, BaseNames: [2]string{"standard", "gmm"},
				Bars: [][2]Bar{{{Mean: 1, InDist: true}, {Mean: 1.1, InDist: true}}, {{Mean: 3}, {Mean: 4, Std: 0.5}}}, InDistMean: [2]*float64{&mean, nil}}})
		},
		"lines": func(p string) error {
			return Lines(p, []LinePanel{{Title: "l", XLabel: "x", YLabel: "y", Series: []Series{
				{Name: "a", X: []float64{0, 1, 2}, Y: []float64{3, 2, 1.5}, Std: []float64{0.1, 0.2, 0.1}},
				{Name: "b", X: []float64{0, 2}, Y: []float64{1, 1}, Dashed: true}}},
				{Title: "c", Categories: []string{"no", "yes"}, Series: []Series{{Name: "a", X: []float64{0, 1}, Y: []float64{0.5, 0.9}}}}})
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
	if err := Lines(filepath.Join(dir, "none"), nil); err == nil {
		t.Error("lines without panels drawn")
	}
	if err := Lines(filepath.Join(dir, "short"), []LinePanel{{Series: []Series{{X: []float64{0, 1}, Y: []float64{1}}}}}); err == nil {
		t.Error("a series of 2 x and 1 y values drawn")
	}
	if err := Density(filepath.Join(dir, "bad"), "bad", []DensityPanel{{Title: "d", Grid: &Grid{X: []float64{0}}}}); err == nil {
		t.Error("density of a grid without values drawn")
	}
}

// decodePNG reads path as a PNG.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// TestDensityHasNoSeams draws a constant log-density, whose heat map must
// be one flat colour: a heat map drawn cell by cell shows the cells' edges
// as lines of other colours. Inside the box of the pixels of that colour
// (less a pixel of smoothing at its edge), left of the colour bar, every
// pixel must have it.
func TestDensityHasNoSeams(t *testing.T) {
	g := &Grid{X: make([]float64, 40), Y: make([]float64, 30), Z: make([][]float64, 30)}
	for j := range g.X {
		g.X[j] = float64(j)
	}
	for i := range g.Y {
		g.Y[i] = float64(i)
		g.Z[i] = make([]float64, len(g.X))
		for j := range g.Z[i] {
			g.Z[i][j] = -3
		}
	}
	path := filepath.Join(t.TempDir(), "flat")
	panels := []DensityPanel{{Title: "flat", Grid: g}}
	if err := Density(path, "constant", panels); err != nil {
		t.Fatal(err)
	}
	s := DensityScale(panels)
	want := color.RGBAModel.Convert(colourOf(s.colourMap(), -3)).(color.RGBA)
	img := decodePNG(t, path+".png")
	b := img.Bounds()
	b.Max.X -= int(barWidth.Dots(figureDPI)) // the colour bar has every colour
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	count := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				count++
			}
		}
	}
	if box.Dx() < 300 || box.Dy() < 200 {
		t.Fatalf("the heat map's colour %v covers a box of %v, want a panel of at least 300 x 200 pixels", want, box)
	}
	inner := box.Inset(1)
	bad := 0
	for y := inner.Min.Y; y < inner.Max.Y; y++ {
		for x := inner.Min.X; x < inner.Max.X; x++ {
			if c := color.RGBAModel.Convert(img.At(x, y)); c != want {
				if bad < 5 {
					t.Errorf("pixel (%d, %d) inside the heat map is %v, want %v", x, y, c, want)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d pixels inside the heat map differ from its colour", bad, inner.Dx()*inner.Dy())
	}
}

// TestDensityScale checks the colour scale of log-densities: from the
// highest value down to the lowest, or DensitySpan below the highest,
// NaNs ignored, and one nat wide for a constant.
func TestDensityScale(t *testing.T) {
	panel := func(z ...float64) DensityPanel {
		return DensityPanel{Grid: &Grid{X: []float64{0, 1}, Y: []float64{0}, Z: [][]float64{z}}}
	}
	for _, c := range []struct {
		panels []DensityPanel
		want   Scale
	}{
		{[]DensityPanel{panel(-3, -1), panel(-7, -2)}, Scale{Lo: -7, Hi: -1}},
		{[]DensityPanel{panel(-1.5, -300), panel(math.NaN(), -2)}, Scale{Lo: -21.5, Hi: -1.5, Clipped: true}},
		{[]DensityPanel{panel(2, 2)}, Scale{Lo: 1.5, Hi: 2.5}},
		{[]DensityPanel{panel(math.NaN(), math.NaN())}, Scale{Lo: -1, Hi: 0}},
	} {
		if got := DensityScale(c.panels); got != c.want {
			t.Errorf("scale %+v, want %+v", got, c.want)
		}
	}
}

// TestColourBarEnds checks that the colour bar of a density figure is
// labelled with the highest value and the clipped lowest one.
func TestColourBarEnds(t *testing.T) {
	g := &Grid{X: []float64{-1, 0, 1}, Y: []float64{-1, 1}, Z: [][]float64{{-40, -2.25, -3}, {-5, -1.125, -60}}}
	path := filepath.Join(t.TempDir(), "d")
	if err := Density(path, "t", []DensityPanel{{Title: "d", Grid: g}}); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(path + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">-1.125<", ">≤ -21.12<", ">log p(x), nats<"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG has no text %q", want)
		}
	}
}

// TestReplicate checks that every pixel becomes an n x n block.
func TestReplicate(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.SetRGBA(0, 0, color.RGBA{R: 1, A: 255})
	img.SetRGBA(1, 0, color.RGBA{G: 2, A: 255})
	out := Replicate(img, 3)
	if b := out.Bounds(); b.Dx() != 6 || b.Dy() != 3 {
		t.Fatalf("replicated 3 times, a 2x1 image is %v", b)
	}
	for y := range 3 {
		for x := range 6 {
			if got, want := out.RGBAAt(x, y), img.RGBAAt(x/3, 0); got != want {
				t.Errorf("pixel (%d, %d) is %v, want %v", x, y, got, want)
			}
		}
	}
}

// TestClassSamplesFitTitle draws class samples whose title is wider than
// their grid: the figure must be wide enough for the title, and the rows
// named as given.
func TestClassSamplesFitTitle(t *testing.T) {
	img := make([]float64, 16)
	title := "a title much wider than a grid of two small images, as FashionMNIST's was"
	path := filepath.Join(t.TempDir(), "c")
	if err := ClassSamples(path, title, []int{1, 4, 4}, []string{"T-shirt/top", "Ankle boot"}, [][][]float64{{img, img}, {img}}); err != nil {
		t.Fatal(err)
	}
	widthPx := decodePNG(t, path+".png").Bounds().Dx()
	if need := (titleStyle.Width(title) + 2*pagePad).Dots(figureDPI); float64(widthPx) < need {
		t.Errorf("figure is %d pixels wide, its title needs %.0f", widthPx, need)
	}
	svg, err := os.ReadFile(path + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">T-shirt/top<", ">Ankle boot<"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG has no text %q", want)
		}
	}
}
