package figure

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// figureDPI is the resolution of PNG figures.
const figureDPI = 150

// Colours shared by the figures: in-distribution blue, out-of-distribution
// orange (darker shades for the GMM base), and one colour per class.
var (
	blue       = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	lightBlue  = color.RGBA{R: 0x8f, G: 0xbb, B: 0xe0, A: 0xff}
	orange     = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	lightOrang = color.RGBA{R: 0xff, G: 0xc0, B: 0x86, A: 0xff}
	lightGray  = color.RGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}
	classColor = []color.RGBA{
		{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
		{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
		{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
		{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
		{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff},
		{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
		{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff},
		{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff},
	}
)

// colorOfClass returns class k's colour.
func colorOfClass(k int) color.RGBA { return classColor[k%len(classColor)] }

// page is a figure: a title (none when empty) over a grid of panels, rows
// of plots with nil ones left blank, and a colour bar (none when nil) down
// its right side.
type page struct {
	title string
	plots [][]*plot.Plot
	bar   *plot.Plot
}

// Sizes of a page's parts.
const (
	pagePad     = 2 * vg.Millimeter
	panelGap    = 4 * vg.Millimeter
	barWidth    = 3 * vg.Centimeter
	titleSize   = 13                 // points
	barTopPad   = 7 * vg.Millimeter  // the panels' titles
	barBelowPad = 11 * vg.Millimeter // the panels' x axes
)

// titleStyle is the style of a page's title.
var titleStyle = text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, titleSize),
	XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}

// panelArea is the part of c that the panels share: c less the page's
// margins, title and colour bar.
func (pg page) panelArea(c draw.Canvas) draw.Canvas {
	c = draw.Crop(c, pagePad, -pagePad, pagePad, -pagePad)
	if pg.title != "" {
		c.Max.Y -= titleStyle.Height(pg.title) + 2*vg.Millimeter
	}
	if pg.bar != nil {
		c.Max.X -= barWidth
	}
	return c
}

// tile is the size of one panel of a page w by h.
func (pg page) tile(w, h vg.Length) (vg.Length, vg.Length) {
	c := pg.panelArea(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}})
	rows, cols := vg.Length(len(pg.plots)), vg.Length(len(pg.plots[0]))
	return (c.Max.X - c.Min.X - (cols-1)*panelGap) / cols, (c.Max.Y - c.Min.Y - (rows-1)*panelGap) / rows
}

// draw draws the page onto c.
func (pg page) draw(c draw.Canvas) {
	area := pg.panelArea(c)
	if pg.title != "" {
		c.FillText(titleStyle, vg.Point{X: (area.Min.X + area.Max.X) / 2, Y: c.Max.Y - pagePad}, pg.title)
	}
	if pg.bar != nil {
		bc := area
		bc.Min.X, bc.Max.X = area.Max.X+panelGap, area.Max.X+barWidth
		bc.Min.Y += barBelowPad
		bc.Max.Y -= barTopPad
		pg.bar.Draw(bc)
	}
	tiles := draw.Tiles{Rows: len(pg.plots), Cols: len(pg.plots[0]), PadX: panelGap, PadY: panelGap}
	canvases := plot.Align(pg.plots, tiles, area)
	for i, row := range pg.plots {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

// save draws the page, w by h, into path+".png" and path+".svg", each
// written atomically.
func save(path string, pg page, w, h vg.Length) error {
	for _, ext := range []string{".png", ".svg"} {
		if err := saveAs(path+ext, pg, w, h); err != nil {
			return err
		}
	}
	return nil
}

// saveAs draws the page, w by h, into file, written atomically as PNG or
// SVG by its extension.
func saveAs(file string, pg page, w, h vg.Length) error {
	var canvas interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch ext := strings.ToLower(filepath.Ext(file)); ext {
	case ".png":
		img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(figureDPI), vgimg.UseBackgroundColor(color.White))
		canvas = vgimg.PngCanvas{Canvas: img}
	case ".svg":
		canvas = vgsvg.New(w, h)
	default:
		return fmt.Errorf("%s: a figure is written as .png or .svg, not %q", file, ext)
	}
	pg.draw(draw.New(canvas))
	return atomicfile.WriteBuffered(file, func(f io.Writer) error {
		_, err := canvas.WriteTo(f)
		return err
	})
}
