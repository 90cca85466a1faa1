package figure

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// scatterByClass adds one scatter per class of the points (x_i, y_i) =
// (xy[2i], xy[2i+1]) labelled labels[i], with a legend entry each.
func scatterByClass(p *plot.Plot, xy []float64, labels []int, radius vg.Length) error {
	byClass := map[int]plotter.XYs{}
	var classes []int
	for i, k := range labels {
		if _, ok := byClass[k]; !ok {
			classes = append(classes, k)
		}
		byClass[k] = append(byClass[k], plotter.XY{X: xy[2*i], Y: xy[2*i+1]})
	}
	slices.Sort(classes)
	for _, k := range classes {
		s, err := plotter.NewScatter(byClass[k])
		if err != nil {
			return fmt.Errorf("class %d: %w", k, err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colorOfClass(k), Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(fmt.Sprintf("class %d", k), s)
	}
	return nil
}

// Points draws 2-D points (x_i, y_i) = (xy[2i], xy[2i+1]) coloured by
// their labels, with a legend, as the paper's Figure 1 draws the cascading
// moons.
func Points(path, title string, xy []float64, labels []int) error {
	if len(xy) != 2*len(labels) || len(labels) == 0 {
		return fmt.Errorf("points: %d coordinates for %d labels", len(xy), len(labels))
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x1"
	p.Y.Label.Text = "x2"
	if err := scatterByClass(p, xy, labels, vg.Points(1.2)); err != nil {
		return fmt.Errorf("points: %w", err)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	equalAspect(p)
	return save(path, page{plots: [][]*plot.Plot{{p}}}, 16*vg.Centimeter, 12*vg.Centimeter)
}

// equalAspect widens the shorter axis range so both axes span the same
// length, which keeps the 4:3 figure close to an honest aspect ratio.
func equalAspect(p *plot.Plot) {
	dx, dy := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	if want := dy * 4 / 3; dx < want {
		c := (p.X.Max + p.X.Min) / 2
		p.X.Min, p.X.Max = c-want/2, c+want/2
	} else if want := dx * 3 / 4; dy < want {
		c := (p.Y.Max + p.Y.Min) / 2
		p.Y.Min, p.Y.Max = c-want/2, c+want/2
	}
}

// SamplePanel is one trained 2-D model's samples: drawn from the whole
// base, or for a GMM base from the component of each class of Classes.
type SamplePanel struct {
	Title         string
	Unconditional [][]float64
	Classes       []int
	ByClass       [][][]float64
}

// Samples draws, for each panel, the model's samples over the data xy
// (light grey): the class-conditional samples coloured by class when the
// panel has them, else the samples from the whole base in blue.
func Samples(path string, xy []float64, labels []int, panels []SamplePanel) error {
	if len(panels) == 0 {
		return fmt.Errorf("samples: no panels")
	}
	cols := min(len(panels), 2)
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, pn := range panels {
		p, err := samplesPlot(xy, pn)
		if err != nil {
			return err
		}
		clampToData(p, xy)
		grid[i/cols][i%cols] = p
	}
	return save(path, page{plots: grid}, vg.Length(cols)*12*vg.Centimeter, vg.Length(rows)*10*vg.Centimeter)
}

// samplesPlot draws the panel's samples over the data xy.
func samplesPlot(xy []float64, pn SamplePanel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text, p.Y.Label.Text = "x1", "x2"
	data, err := plotter.NewScatter(pointsXY(xy))
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	data.GlyphStyle = draw.GlyphStyle{Color: lightGray, Radius: vg.Points(0.8), Shape: draw.CircleGlyph{}}
	p.Add(data)
	p.Legend.Add("data", data)
	if len(pn.ByClass) > 0 {
		var sxy []float64
		var sl []int
		for j, k := range pn.Classes {
			for _, s := range pn.ByClass[j] {
				sxy = append(sxy, s[0], s[1])
				sl = append(sl, k)
			}
		}
		if err := scatterByClass(p, sxy, sl, vg.Points(1)); err != nil {
			return nil, fmt.Errorf("samples %s: %w", pn.Title, err)
		}
	} else {
		var sxy []float64
		for _, s := range pn.Unconditional {
			sxy = append(sxy, s[0], s[1])
		}
		sc, err := plotter.NewScatter(pointsXY(sxy))
		if err != nil {
			return nil, fmt.Errorf("samples %s: %w", pn.Title, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: blue, Radius: vg.Points(1), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add("samples", sc)
	}
	p.Legend.Top = true
	return p, nil
}

// clampToData fixes the axes to the data's range plus a margin, so that a
// few far-flung samples do not shrink the picture.
func clampToData(p *plot.Plot, xy []float64) {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(xy); i += 2 {
		xmin, xmax = math.Min(xmin, xy[i]), math.Max(xmax, xy[i])
		ymin, ymax = math.Min(ymin, xy[i+1]), math.Max(ymax, xy[i+1])
	}
	mx, my := 0.1*(xmax-xmin), 0.1*(ymax-ymin)
	p.X.Min, p.X.Max = xmin-mx, xmax+mx
	p.Y.Min, p.Y.Max = ymin-my, ymax+my
}

// pointsXY converts interleaved coordinates to plotter points.
func pointsXY(xy []float64) plotter.XYs {
	pts := make(plotter.XYs, len(xy)/2)
	for i := range pts {
		pts[i] = plotter.XY{X: xy[2*i], Y: xy[2*i+1]}
	}
	return pts
}
