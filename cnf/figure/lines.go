package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one line of a LinePanel: means Y at X, with a shaded band of
// one standard deviation Std where given, dashed when Dashed (a reference
// rather than a measurement).
type Series struct {
	Name      string
	X, Y, Std []float64
	Dashed    bool
}

// LinePanel is one panel of Lines. With Categories, X values are indices
// into them and the x axis is labelled by name.
type LinePanel struct {
	Title, XLabel, YLabel string
	Series                []Series
	Categories            []string
}

// seriesColor is the colour of the i-th series of a panel: blue, orange,
// then the class colours.
func seriesColor(i int) color.RGBA {
	switch i {
	case 0:
		return blue
	case 1:
		return orange
	}
	return colorOfClass(i + 1)
}

// Lines draws panels side by side, each a set of lines with bands of one
// standard deviation, legends in every panel. Every series must have as
// many Y (and Std, if any) as X values.
func Lines(path string, panels []LinePanel) error {
	if len(panels) == 0 {
		return fmt.Errorf("lines: no panels")
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Label.Text, p.Y.Label.Text = pn.XLabel, pn.YLabel
		p.Add(plotter.NewGrid())
		for k, s := range pn.Series {
			if len(s.Y) != len(s.X) || (s.Std != nil && len(s.Std) != len(s.X)) || len(s.X) == 0 {
				return fmt.Errorf("lines: panel %q, series %q: %d x, %d y and %d std values", pn.Title, s.Name, len(s.X), len(s.Y), len(s.Std))
			}
			c := seriesColor(k)
			if s.Std != nil {
				band := make(plotter.XYs, 0, 2*len(s.X))
				for j := range s.X {
					band = append(band, plotter.XY{X: s.X[j], Y: s.Y[j] + s.Std[j]})
				}
				for j := len(s.X) - 1; j >= 0; j-- {
					band = append(band, plotter.XY{X: s.X[j], Y: s.Y[j] - s.Std[j]})
				}
				poly, err := plotter.NewPolygon(band)
				if err != nil {
					return fmt.Errorf("lines: %w", err)
				}
				poly.Color = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x40}
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
			pts := make(plotter.XYs, len(s.X))
			for j := range s.X {
				pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return fmt.Errorf("lines: panel %q, series %q: %w", pn.Title, s.Name, err)
			}
			l.LineStyle.Color, l.LineStyle.Width = c, vg.Points(1.5)
			sc.Color, sc.Radius = c, vg.Points(1.8)
			if s.Dashed {
				l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				sc.Radius = 0
			}
			p.Add(l, sc)
			p.Legend.Add(s.Name, l)
		}
		if pn.Categories != nil {
			p.NominalX(pn.Categories...)
			p.X.Min, p.X.Max = -0.5, float64(len(pn.Categories))-0.5
		}
		p.Legend.Top = true
		row[i] = p
	}
	w := vg.Length(math.Max(1, float64(len(panels)))) * 11 * vg.Centimeter
	return save(path, page{plots: [][]*plot.Plot{row}}, w, 10*vg.Centimeter)
}
