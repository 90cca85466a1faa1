package experiment

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// bar is one bar of a bar panel: a mean with its standard deviation.
type bar struct {
	x    float64
	stat metrics.Summary
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

// Figure2 draws bits/dim per class of the moons study, one panel per
// (training set, base): in-distribution classes blue, out-of-distribution
// orange, error bars one standard deviation over seeds. Rows are training
// sets, columns bases, as in the paper's Figure 2.
func Figure2(path string, r *Results, trainSets []string, classes int) error {
	grid := make([][]*plot.Plot, len(trainSets))
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, ts := range trainSets {
		grid[i] = make([]*plot.Plot, len(Bases))
		for j, base := range Bases {
			p := plot.New()
			p.Title.Text = fmt.Sprintf("trained on %s, %s base", ts, base)
			p.Y.Label.Text = "bits/dim"
			p.X.Label.Text = "class"
			var bars []bar
			names := make([]string, classes)
			for k := range classes {
				names[k] = fmt.Sprint(k)
				row := r.Row(ts, base, classSet(k))
				if row == nil {
					return fmt.Errorf("figure 2: no result for %s, %s base, class %d", ts, base, k)
				}
				c := color.Color(orange)
				if row.InDistribution {
					c = blue
				}
				bars = append(bars, bar{x: float64(k), stat: row.BitsPerDim, fill: c})
				ymin = math.Min(ymin, row.BitsPerDim.Mean-row.BitsPerDim.Std)
				ymax = math.Max(ymax, row.BitsPerDim.Mean+row.BitsPerDim.Std)
			}
			if err := addBars(p, bars, vg.Points(22)); err != nil {
				return fmt.Errorf("figure 2: %w", err)
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
	return saveFigure(path, grid, 22*vg.Centimeter, vg.Length(len(trainSets))*8*vg.Centimeter)
}

// classSet is the evaluation-set name of class k.
func classSet(k int) string { return fmt.Sprintf("class %d", k) }

// Figure3Panel is one study of the paper's Figure 3.
type Figure3Panel struct {
	Title    string
	Results  *Results
	TrainSet string
}

// Figure3 draws bits/dim per evaluation set of the MNIST studies side by
// side: for each set a lighter bar (standard base) and a darker bar (GMM
// base), blue for in-distribution and orange for out-of-distribution sets,
// error bars one standard deviation over seeds, and dotted lines at each
// base's mean in-distribution bits/dim.
func Figure3(path string, panels []Figure3Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("figure 3: no panels")
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.Y.Label.Text = "bits/dim"
		var sets []SummaryRow
		for _, s := range pn.Results.Summary {
			if s.TrainSet == pn.TrainSet && s.Base == BaseStandard {
				sets = append(sets, s)
			}
		}
		if len(sets) == 0 {
			return fmt.Errorf("figure 3 %s: no results for %s", pn.Title, pn.TrainSet)
		}
		var bars []bar
		names := make([]string, len(sets))
		for k, s := range sets {
			names[k] = shortSetName(s.Set)
			for j, base := range Bases {
				r := pn.Results.Row(pn.TrainSet, base, s.Set)
				if r == nil {
					return fmt.Errorf("figure 3 %s: no %s result for %s", pn.Title, base, s.Set)
				}
				c := shade(r.InDistribution, base)
				bars = append(bars, bar{x: float64(k) + (float64(j)-0.5)*0.4, stat: r.BitsPerDim, fill: c})
			}
		}
		if err := addBars(p, bars, vg.Points(9)); err != nil {
			return fmt.Errorf("figure 3: %w", err)
		}
		for _, base := range Bases {
			m := pn.Results.Model(pn.TrainSet, base)
			if m == nil {
				continue
			}
			l, err := plotter.NewLine(plotter.XYs{{X: -0.6, Y: m.InDistBitsPerDim.Mean}, {X: float64(len(sets)) - 0.4, Y: m.InDistBitsPerDim.Mean}})
			if err != nil {
				return fmt.Errorf("figure 3: %w", err)
			}
			l.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			l.LineStyle.Color = shade(true, base)
			l.LineStyle.Width = vg.Points(1.2)
			p.Add(l)
			if i == 0 {
				p.Legend.Add(fmt.Sprintf("%s: mean in-distribution", base), l)
			}
		}
		p.NominalX(names...)
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
	return saveFigure(path, [][]*plot.Plot{row}, vg.Length(len(panels))*14*vg.Centimeter, 11*vg.Centimeter)
}

// shade returns the bar colour of a set: blue in-distribution, orange
// out-of-distribution, lighter for the standard base.
func shade(inDist bool, base string) color.Color {
	switch {
	case inDist && base == BaseStandard:
		return lightBlue
	case inDist:
		return blue
	case base == BaseStandard:
		return lightOrang
	default:
		return orange
	}
}

// shortSetName shortens set names for axis ticks.
func shortSetName(s string) string {
	switch s {
	case "interpolations":
		return "interp."
	}
	if k, ok := classOf(s); ok {
		return fmt.Sprint(k)
	}
	return s
}

// classOf parses a "class K" set name.
func classOf(s string) (int, bool) {
	var k int
	if n, err := fmt.Sscanf(s, "class %d", &k); n == 1 && err == nil {
		return k, true
	}
	return 0, false
}
