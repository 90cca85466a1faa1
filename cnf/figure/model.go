package figure

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// ModelFigure is the picture of one trained 2-D model: its samples over
// its data, then its log-density on grids (of the whole base, of each
// component), on one colour scale.
type ModelFigure struct {
	Title     string
	Data      []float64 // (x_i, y_i) = (Data[2i], Data[2i+1])
	Samples   SamplePanel
	Densities []DensityPanel
}

// Write draws the figure into file, written atomically as PNG or SVG by
// its extension, and returns the colour scale of its densities.
func (f *ModelFigure) Write(file string) (Scale, error) {
	if len(f.Densities) == 0 {
		return Scale{}, fmt.Errorf("model figure: no density")
	}
	for _, pn := range f.Densities {
		if !validGrid(pn.Grid) {
			return Scale{}, fmt.Errorf("model figure %s: no density grid", pn.Title)
		}
	}
	s := DensityScale(f.Densities)
	cm := s.colourMap()
	sp, err := samplesPlot(f.Data, f.Samples)
	if err != nil {
		return s, err
	}
	panels := []*plot.Plot{sp}
	for _, pn := range f.Densities {
		panels = append(panels, densityPlot(pn, cm))
	}
	sp.X.Min, sp.X.Max, sp.Y.Min, sp.Y.Max = panels[1].X.Min, panels[1].X.Max, panels[1].Y.Min, panels[1].Y.Max
	cols := 2
	if len(panels) > 4 {
		cols = 3
	}
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	// Panels about as tall as the grid's extent for their width, so that
	// the plane is not stretched much.
	g := f.Densities[0].Grid
	aspect := (g.Y[len(g.Y)-1] - g.Y[0]) / (g.X[len(g.X)-1] - g.X[0])
	tileH := vg.Length(math.Min(2, math.Max(0.5, aspect)))*9*vg.Centimeter + 2*vg.Centimeter
	pg := page{title: f.Title, plots: grid, bar: colourBar(s, densityLabel)}
	w := vg.Length(cols)*11*vg.Centimeter + barWidth
	h := vg.Length(rows)*tileH + titleHeight(f.Title)
	return s, saveAs(file, pg, w, h)
}
