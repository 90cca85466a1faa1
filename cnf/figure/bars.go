package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bar is a mean with its standard deviation, of out-of-distribution or
// in-distribution data.
type Bar struct {
	Mean, Std float64
	InDist    bool
}

// bar is one bar of a panel: a mean with its standard deviation.
type bar struct {
	x    float64
	stat Bar
	fill color.Color
}

// addBars adds bars of the given width (in data units, converted to points
// by the panel) with error bars of one standard deviation.
func addBars(p *plot.Plot, bars []bar, width vg.Length) error {
	var errs plotter.XYs
	var yerr plotter.YErrors
	for _, b := range bars {
		bc, err := plotter.NewBarChart(plotter.Values{b.stat.Mean}, width)
		if err != nil {
			return err
		}
		bc.XMin = b.x
		bc.Color = b.fill
		bc.LineStyle.Width = 0
		p.Add(bc)
		errs = append(errs, plotter.XY{X: b.x, Y: b.stat.Mean})
		yerr = append(yerr, struct{ Low, High float64 }{b.stat.Std, b.stat.Std})
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{errs, yerr})
	if err != nil {
		return err
	}
	eb.LineStyle.Width = vg.Points(1.2)
	eb.LineStyle.Color = color.Black
	eb.CapWidth = vg.Points(4)
	p.Add(eb)
	return nil
}

// legendBox is a legend thumbnail: a filled square.
type legendBox struct{ c color.Color }

// Thumbnail draws the square.
func (l legendBox) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
	c.FillPolygon(l.c, pts)
}

// ClassPanel is one panel of ClassBars: the bits/dim of classes 0, 1, ...
// in order.
type ClassPanel struct {
	Title string
	Bars  []Bar
}

// ClassBars draws bits/dim per class, one panel per (training set, base):
// in-distribution classes blue, out-of-distribution orange, error bars one
// standard deviation over seeds, on a y range shared by every panel. Rows
// are training sets, columns bases, as in the paper's Figure 2.
func ClassBars(path string, rows [][]ClassPanel) error {
	grid := make([][]*plot.Plot, len(rows))
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, row := range rows {
		grid[i] = make([]*plot.Plot, len(row))
		for j, pn := range row {
			p := plot.New()
			p.Title.Text = pn.Title
			p.Y.Label.Text = "bits/dim"
			p.X.Label.Text = "class"
			var bars []bar
			names := make([]string, len(pn.Bars))
			for k, b := range pn.Bars {
				names[k] = fmt.Sprint(k)
				c := color.Color(orange)
				if b.InDist {
					c = blue
				}
				bars = append(bars, bar{x: float64(k), stat: b, fill: c})
				ymin = math.Min(ymin, b.Mean-b.Std)
				ymax = math.Max(ymax, b.Mean+b.Std)
			}
			if err := addBars(p, bars, vg.Points(22)); err != nil {
				return fmt.Errorf("class bars: %w", err)
			}
			p.NominalX(names...)
			p.Add(plotter.NewGrid())
			if i == 0 && j == 0 {
				p.Legend.Add("in-distribution", legendBox{blue})
				p.Legend.Add("out-of-distribution", legendBox{orange})
				p.Legend.Top = true
				p.Legend.Left = true
			}
			grid[i][j] = p
		}
	}
	// A shared y range makes panels comparable at a glance.
	pad := 0.05 * (ymax - ymin)
	for _, row := range grid {
		for _, p := range row {
			p.Y.Min, p.Y.Max = math.Min(0, ymin-pad), ymax+pad
		}
	}
	return save(path, page{plots: grid}, 22*vg.Centimeter, vg.Length(len(rows))*8*vg.Centimeter)
}

// SetPanel is one panel of SetBars: for each evaluation set its tick label
// and the bars of the standard and the GMM base, and each base's mean
// in-distribution bits/dim (nil: not drawn) with its name.
type SetPanel struct {
	Title      string
	Labels     []string
	Bars       [][2]Bar
	BaseNames  [2]string
	InDistMean [2]*float64
}

// SetBars draws bits/dim per evaluation set, one panel per training set
// side by side: for each set a lighter bar (standard base) and a darker
// bar (GMM base), blue for in-distribution and orange for
// out-of-distribution sets, error bars one standard deviation over seeds,
// and dotted lines at each base's mean in-distribution bits/dim, as in the
// paper's Figure 3.
func SetBars(path string, panels []SetPanel) error {
	if len(panels) == 0 {
		return fmt.Errorf("set bars: no panels")
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.Y.Label.Text = "bits/dim"
		var bars []bar
		for k, pair := range pn.Bars {
			for j, b := range pair {
				bars = append(bars, bar{x: float64(k) + (float64(j)-0.5)*0.4, stat: b, fill: shade(b.InDist, j == 0)})
			}
		}
		if err := addBars(p, bars, vg.Points(9)); err != nil {
			return fmt.Errorf("set bars: %w", err)
		}
		for j, mean := range pn.InDistMean {
			if mean == nil {
				continue
			}
			l, err := plotter.NewLine(plotter.XYs{{X: -0.6, Y: *mean}, {X: float64(len(pn.Bars)) - 0.4, Y: *mean}})
			if err != nil {
				return fmt.Errorf("set bars: %w", err)
			}
			l.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			l.LineStyle.Color = shade(true, j == 0)
			l.LineStyle.Width = vg.Points(1.2)
			p.Add(l)
			if i == 0 {
				p.Legend.Add(fmt.Sprintf("%s: mean in-distribution", pn.BaseNames[j]), l)
			}
		}
		p.NominalX(pn.Labels...)
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
		p.Add(plotter.NewGrid())
		// Headroom above the tallest bar for the six-line legend, which
		// would otherwise cover the bars of the first sets.
		top := 0.0
		for _, b := range bars {
			top = math.Max(top, b.stat.Mean+b.stat.Std)
		}
		p.Y.Min, p.Y.Max = 0, 1.75*top
		if i == 0 {
			p.Legend.Add("standard, in-distribution", legendBox{lightBlue})
			p.Legend.Add("GMM, in-distribution", legendBox{blue})
			p.Legend.Add("standard, out-of-distribution", legendBox{lightOrang})
			p.Legend.Add("GMM, out-of-distribution", legendBox{orange})
			p.Legend.Top = true
			p.Legend.Left = true
		}
		row[i] = p
	}
	return save(path, page{plots: [][]*plot.Plot{row}}, vg.Length(len(panels))*14*vg.Centimeter, 11*vg.Centimeter)
}

// shade returns the bar colour of a set: blue in-distribution, orange
// out-of-distribution, lighter for the standard base.
func shade(inDist, standard bool) color.Color {
	switch {
	case inDist && standard:
		return lightBlue
	case inDist:
		return blue
	case standard:
		return lightOrang
	default:
		return orange
	}
}
