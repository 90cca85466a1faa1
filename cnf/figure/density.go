package figure

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Grid is a function sampled on a regular grid: Z[i][j] is the value at
// (X[j], Y[i]), X and Y evenly spaced and increasing.
type Grid struct {
	X []float64   `json:"x"`
	Y []float64   `json:"y"`
	Z [][]float64 `json:"z"`
}

// DensityPanel is one model's log-density on a grid.
type DensityPanel struct {
	Title string
	Grid  *Grid
}

// validGrid reports whether g has at least 2 x 2 points, increasing axes
// and a full Z.
func validGrid(g *Grid) bool {
	if g == nil || len(g.X) < 2 || len(g.Y) < 2 || len(g.Z) != len(g.Y) ||
		!(g.X[len(g.X)-1] > g.X[0]) || !(g.Y[len(g.Y)-1] > g.Y[0]) {
		return false
	}
	for _, row := range g.Z {
		if len(row) != len(g.X) {
			return false
		}
	}
	return true
}

// DensitySpan is how far (in nats) below the highest log-density the
// colour scale of a density figure reaches: lower values, densities under
// e^-20 of the peak, all get the scale's lowest colour.
const DensitySpan = 20.0

// Scale is the colour scale of log-densities: Lo to Hi, values below Lo
// drawn in Lo's colour (Clipped: some were).
type Scale struct {
	Lo, Hi  float64
	Clipped bool
}

// DensityScale is the scale shared by the panels: from the highest value
// of any panel down to the lowest, or to DensitySpan below the highest.
// NaNs are ignored; a constant function gets a scale one nat wide.
func DensityScale(panels []DensityPanel) Scale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pn := range panels {
		for _, row := range pn.Grid.Z {
			for _, v := range row {
				if !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	switch {
	case math.IsInf(hi, -1) || math.IsInf(hi, 1):
		return Scale{Lo: -1, Hi: 0}
	case hi-lo > DensitySpan:
		return Scale{Lo: hi - DensitySpan, Hi: hi, Clipped: true}
	case hi == lo:
		return Scale{Lo: lo - 0.5, Hi: hi + 0.5}
	}
	return Scale{Lo: lo, Hi: hi}
}

// colourMap is the colour map of log-densities on the scale s.
func (s Scale) colourMap() palette.ColorMap {
	cm := moreland.Kindlmann()
	cm.SetMin(s.Lo)
	cm.SetMax(s.Hi)
	return cm
}

// colourOf is the colour of the value v on cm's scale, v clipped to it
// and NaN drawn as the lowest.
func colourOf(cm palette.ColorMap, v float64) color.Color {
	if math.IsNaN(v) {
		v = cm.Min()
	}
	c, err := cm.At(math.Min(cm.Max(), math.Max(cm.Min(), v)))
	if err != nil {
		return color.Black // unreachable: v lies on the scale
	}
	return c
}

// heatMap is the grid drawn as one image, a pixel per grid point, spanning
// the cells around the points: scaled as a whole, it has no seams between
// cells.
func heatMap(g *Grid, cm palette.ColorMap) *plotter.Image {
	cols, rows := len(g.X), len(g.Y)
	img := image.NewRGBA(image.Rect(0, 0, cols, rows))
	for i, row := range g.Z {
		for j, v := range row {
			img.Set(j, rows-1-i, colourOf(cm, v))
		}
	}
	dx := (g.X[cols-1] - g.X[0]) / float64(cols-1)
	dy := (g.Y[rows-1] - g.Y[0]) / float64(rows-1)
	return plotter.NewImage(img, g.X[0]-dx/2, g.Y[0]-dy/2, g.X[cols-1]+dx/2, g.Y[rows-1]+dy/2)
}

// densityPlot draws the panel's log-density as a heat map on the colour
// map cm, over its grid's extent.
func densityPlot(pn DensityPanel, cm palette.ColorMap) *plot.Plot {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text, p.Y.Label.Text = "x1", "x2"
	h := heatMap(pn.Grid, cm)
	p.Add(h)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = h.DataRange()
	return p
}

// colourBar is the legend of the scale s: its colours from Lo to Hi with
// ticks at round values and at both ends, the lower end marked with <=
// when values below it were clipped.
func colourBar(s Scale, label string) *plot.Plot {
	p := plot.New()
	p.Add(&plotter.ColorBar{ColorMap: s.colourMap(), Vertical: true})
	p.HideX()
	p.X.Padding = 0
	p.Y.Label.Text = label
	p.Y.Min, p.Y.Max = s.Lo, s.Hi
	low := tickValue(s.Lo)
	if s.Clipped {
		low = "≤ " + low
	}
	ticks := []plot.Tick{{Value: s.Lo, Label: low}, {Value: s.Hi, Label: tickValue(s.Hi)}}
	for _, t := range (plot.DefaultTicks{}).Ticks(s.Lo, s.Hi) {
		// Round ticks too near an end would overprint its label.
		if t.Label == "" || math.Min(t.Value-s.Lo, s.Hi-t.Value) > 0.08*(s.Hi-s.Lo) {
			ticks = append(ticks, t)
		}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	return p
}

// tickValue writes an end of a colour scale.
func tickValue(v float64) string { return fmt.Sprintf("%.4g", v) }

// densityLabel is the colour bar's label of log-densities.
const densityLabel = "log p(x), nats"

// Density draws each panel's log-density as a heat map, two panels a row,
// on one colour scale (DensityScale) shown by a colour bar, under title.
func Density(path, title string, panels []DensityPanel) error {
	cols := min(len(panels), 2)
	if cols == 0 {
		return fmt.Errorf("density: no panels")
	}
	for _, pn := range panels {
		if !validGrid(pn.Grid) {
			return fmt.Errorf("density %s: no density grid", pn.Title)
		}
	}
	s := DensityScale(panels)
	cm := s.colourMap()
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, pn := range panels {
		grid[i/cols][i%cols] = densityPlot(pn, cm)
	}
	pg := page{title: title, plots: grid, bar: colourBar(s, densityLabel)}
	return save(path, pg, vg.Length(cols)*11*vg.Centimeter+barWidth, vg.Length(rows)*10*vg.Centimeter+titleHeight(title))
}

// titleHeight is the room a page's title takes.
func titleHeight(title string) vg.Length {
	if title == "" {
		return 0
	}
	return 9 * vg.Millimeter
}
