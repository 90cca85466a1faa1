package figure

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
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

// save draws plots, a grid of rows of panels (nil panels left blank),
// into path+".png" and path+".svg", each written atomically.
func save(path string, plots [][]*plot.Plot, w, h vg.Length) error {
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]),
		PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	render := func(c vg.CanvasSizer) {
		dc := draw.New(c)
		canvases := plot.Align(plots, tiles, dc)
		for i, row := range plots {
			for j, p := range row {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(figureDPI), vgimg.UseBackgroundColor(color.White))
	render(img)
	if err := atomicfile.WriteBuffered(path+".png", func(f io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(f)
		return err
	}); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	render(svg)
	return atomicfile.WriteBuffered(path+".svg", func(f io.Writer) error {
		_, err := svg.WriteTo(f)
		return err
	})
}
