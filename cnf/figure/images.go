package figure

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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

// Replicate enlarges img n times by pixel replication (nearest
// neighbour): each pixel becomes an n x n block, so that small images stay
// sharp when shown large.
func Replicate(img *image.RGBA, n int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*n, b.Dy()*n))
	for y := range b.Dy() * n {
		for x := range b.Dx() * n {
			out.SetRGBA(x, y, img.RGBAAt(b.Min.X+x/n, b.Min.Y+y/n))
		}
	}
	return out
}

// sharpPixels is the least size, in pixels, an image grid is enlarged to
// before it is drawn: the figures scale images smoothly, which blurs the
// pixels of a small one, but hardly those of blocks this many.
const sharpPixels = 1200

// imagePlot is a plot showing img with hidden axes, its pixels kept sharp.
func imagePlot(title string, img *image.RGBA) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	b := img.Bounds()
	n := (sharpPixels + max(b.Dx(), b.Dy()) - 1) / max(b.Dx(), b.Dy())
	p.Add(plotter.NewImage(Replicate(img, n), 0, 0, float64(b.Dx()), float64(b.Dy())))
	p.HideAxes()
	return p
}

// squarePixels widens the x or the y range of p, which shows an image of
// w x h pixels at (0, 0)-(w, h), so that the image keeps its aspect in a
// panel of the given size: centred, or against the y axis when left.
func squarePixels(p *plot.Plot, w, h float64, panelW, panelH vg.Length, left bool) {
	dc := p.DataCanvas(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: panelW, Y: panelH}}})
	dw, dh := float64(dc.Max.X-dc.Min.X), float64(dc.Max.Y-dc.Min.Y)
	perLength := math.Max(w/dw, h/dh)
	sx, sy := perLength*dw, perLength*dh
	p.X.Min, p.X.Max = (w-sx)/2, (w+sx)/2
	if left {
		p.X.Min, p.X.Max = 0, sx
	}
	p.Y.Min, p.Y.Max = (h-sy)/2, (h+sy)/2
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
	grids := make([]*image.RGBA, len(panels))
	for i, pn := range panels {
		cols := int(math.Ceil(math.Sqrt(float64(len(pn.Images)))))
		g, err := ImageGrid(pn.Images, shape, cols)
		if err != nil {
			return fmt.Errorf("image samples %s: %w", pn.Title, err)
		}
		row[i], grids[i] = imagePlot(pn.Title, g), g
	}
	pg := page{plots: [][]*plot.Plot{row}}
	w, h := vg.Length(len(panels))*10*vg.Centimeter, 11*vg.Centimeter
	tw, th := pg.tile(w, h)
	for i, g := range grids {
		squarePixels(row[i], float64(g.Bounds().Dx()), float64(g.Bounds().Dy()), tw, th, false)
	}
	return save(path, pg, w, h)
}

// ImagePanel is one titled set of image samples.
type ImagePanel struct {
	Title  string
	Images [][]float64
}

// classCell is the side of one image in ClassSamples.
const classCell = 1.1 * vg.Centimeter

// ClassSamples draws class-conditional samples: one row of images per
// class, at most 16 a row, each row named on the left by names (one per
// row of byClass), under title.
func ClassSamples(path, title string, shape []int, names []string, byClass [][][]float64) error {
	if len(shape) != 3 || shape[0] != 1 {
		return fmt.Errorf("class samples: shape %v is not [1, H, W]", shape)
	}
	if len(names) == 0 || len(names) != len(byClass) {
		return fmt.Errorf("class samples: %d class names, %d sample sets", len(names), len(byClass))
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
	p := imagePlot("", g)
	ticks := make([]plot.Tick, len(names))
	h := float64(shape[1] + 1)
	rows := float64(len(names))
	nameWidth := vg.Length(0)
	for i, name := range names {
		ticks[i] = plot.Tick{Value: (rows-float64(i)-0.5)*h + 0.5, Label: name}
		nameWidth = max(nameWidth, p.Y.Tick.Label.Width(name))
	}
	p.HideX()
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.LineStyle.Width = 0
	p.Y.Tick.LineStyle.Width = 0
	sty := p.Title.TextStyle
	sty.Font.Size = titleSize
	w := max(vg.Length(cols)*classCell+nameWidth+vg.Centimeter, sty.Width(title)+vg.Centimeter)
	hgt := vg.Length(len(names))*classCell + titleHeight(title) + vg.Centimeter
	pg := page{title: title, plots: [][]*plot.Plot{{p}}}
	b := g.Bounds()
	tw, th := pg.tile(w, hgt)
	squarePixels(p, float64(b.Dx()), float64(b.Dy()), tw, th, true)
	return save(path, pg, w, hgt)
}
