package figure

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// gapGrey is the grey of the gaps between the images of a grid.
const gapGrey = 0x40

// ImageGrid tiles images of shape [C, H, W] (C = 1 grey, C = 3 colour)
// into rows of cols images, separated by a one-pixel dark grey gap. Values
// lie in [0, 1], pixel values over 256 as samples.json stores them: a
// dequantised 8-bit value p + u, u in [0, 1), is (p + u)/256 and is drawn
// as level floor(256 v) = p, clipped to 0..255; NaN is drawn as 0.
func ImageGrid(imgs [][]float64, shape []int, cols int) (*image.RGBA, error) {
	if len(shape) != 3 || (shape[0] != 1 && shape[0] != 3) || shape[1] < 1 || shape[2] < 1 {
		return nil, fmt.Errorf("image grid: shape %v is not [1 or 3, H, W]", shape)
	}
	if len(imgs) == 0 || cols < 1 {
		return nil, fmt.Errorf("image grid: %d images, %d columns", len(imgs), cols)
	}
	c, h, w := shape[0], shape[1], shape[2]
	rows := (len(imgs) + cols - 1) / cols
	g := image.NewRGBA(image.Rect(0, 0, cols*(w+1)+1, rows*(h+1)+1))
	for i := range g.Pix {
		g.Pix[i] = gapGrey
		if i%4 == 3 {
			g.Pix[i] = 0xff
		}
	}
	level := func(v float64) uint8 {
		if math.IsNaN(v) {
			return 0
		}
		return uint8(math.Min(255, math.Max(0, math.Floor(256*v))))
	}
	for n, im := range imgs {
		if len(im) != c*h*w {
			return nil, fmt.Errorf("image grid: image %d has %d values, want %d", n, len(im), c*h*w)
		}
		x0, y0 := 1+(n%cols)*(w+1), 1+(n/cols)*(h+1)
		for y := range h {
			for x := range w {
				r := level(im[y*w+x])
				col := color.RGBA{r, r, r, 0xff}
				if c == 3 {
					col.G, col.B = level(im[h*w+y*w+x]), level(im[2*h*w+y*w+x])
				}
				g.SetRGBA(x0+x, y0+y, col)
			}
		}
	}
	return g, nil
}

// imagePlot is a plot showing img with hidden axes.
func imagePlot(title string, img image.Image) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	p.HideAxes()
	return p
}

// ImageSamples draws one grid of samples per model panel, side by side;
// shape is one image's [C, H, W] with C = 1, values in [0, 1].
func ImageSamples(path string, shape []int, panels []ImagePanel) error {
	if len(shape) != 3 || shape[0] != 1 {
		return fmt.Errorf("image samples: shape %v is not [1, H, W]", shape)
	}
	if len(panels) == 0 {
		return fmt.Errorf("image samples: no panels")
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		cols := int(math.Ceil(math.Sqrt(float64(len(pn.Images)))))
		g, err := ImageGrid(pn.Images, shape, cols)
		if err != nil {
			return fmt.Errorf("image samples %s: %w", pn.Title, err)
		}
		row[i] = imagePlot(pn.Title, g)
	}
	return save(path, [][]*plot.Plot{row}, vg.Length(len(panels))*10*vg.Centimeter, 11*vg.Centimeter)
}

// ImagePanel is one titled set of image samples.
type ImagePanel struct {
	Title  string
	Images [][]float64
}

// ClassSamples draws class-conditional samples: one row of images per
// class, the class named on the left.
func ClassSamples(path, title string, shape []int, classes []int, byClass [][][]float64) error {
	if len(shape) != 3 || shape[0] != 1 {
		return fmt.Errorf("class samples: shape %v is not [1, H, W]", shape)
	}
	if len(classes) == 0 || len(classes) != len(byClass) {
		return fmt.Errorf("class samples: %d classes, %d sample sets", len(classes), len(byClass))
	}
	cols := 0
	for _, s := range byClass {
		cols = max(cols, len(s))
	}
	cols = min(cols, 16)
	var imgs [][]float64
	blank := make([]float64, shape[1]*shape[2])
	for _, s := range byClass {
		for j := range cols {
			if j < len(s) {
				imgs = append(imgs, s[j])
			} else {
				imgs = append(imgs, blank)
			}
		}
	}
	g, err := ImageGrid(imgs, shape, cols)
	if err != nil {
		return fmt.Errorf("class samples: %w", err)
	}
	p := imagePlot(title, g)
	names := make([]plot.Tick, len(classes))
	h := float64(shape[1] + 1)
	rows := float64(len(classes))
	for i, k := range classes {
		names[i] = plot.Tick{Value: (rows-float64(i)-0.5)*h + 0.5, Label: fmt.Sprintf("class %d", k)}
	}
	p.HideX()
	p.Y.Tick.Marker = plot.ConstantTicks(names)
	p.Y.LineStyle.Width = 0
	p.Y.Tick.LineStyle.Width = 0
	w := vg.Length(cols) * 0.7 * vg.Centimeter
	return save(path, [][]*plot.Plot{{p}}, w+2*vg.Centimeter, vg.Length(len(classes))*0.7*vg.Centimeter+1.5*vg.Centimeter)
}
