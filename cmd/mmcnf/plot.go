package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/internal/english"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// plotFlags binds the flags of `mmcnf plot`.
type plotFlags struct {
	modelFlags
	data    recipe.DataOptions
	n, grid int
}

// Bounds of --grid: at least a 2 x 2 grid, at most a million points per
// density.
const (
	minPlotGrid = 2
	maxPlotGrid = 1000
)

// maxPlotData is the most training points drawn under the samples; more
// are thinned evenly.
const maxPlotData = 5000

// newPlotFlags declares the flags of `mmcnf plot`.
func newPlotFlags(o *plotFlags) *cmdFlags {
	f := newFlags("plot", "mmcnf plot --model DIR --out FILE.png|FILE.svg [-n N] [--grid N] [flags]",
		`Draws a trained flow of 2-D points: its samples over its training data (coloured
by class for a GMM base, N drawn from each component), and its log-density on a grid
of N x N points over the data: of the whole base and, for a GMM base, of each
class's component alone, log p(x | class), all on one colour scale with a colour
bar. The title names the model, its data, base and training seed. The dataset
settings default to those of the training run (run.json in DIR), as for eval.
Writes a PNG or an SVG, by the extension of --out.`)
	dataFlags(f, &o.data)
	o.bind(f, "figure to write, .png or .svg (required)", "seed of the samples and of any trace noise", "points per solve")
	f.IntVar(&o.n, "n", 1000, "samples drawn from each base component")
	f.IntVar(&o.grid, "grid", 150, "density grid points per axis")
	return f
}

// cmdPlot runs `mmcnf plot`.
func cmdPlot(args []string, stdout, stderr io.Writer) error {
	var o plotFlags
	f := newPlotFlags(&o)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	switch ext := strings.ToLower(filepath.Ext(o.out)); {
	case o.out == "":
		return f.errorf("--out FILE.png|FILE.svg is required")
	case ext != ".png" && ext != ".svg":
		return f.errorf("--out %s: want a .png or .svg file", o.out)
	case o.grid < minPlotGrid || o.grid > maxPlotGrid:
		return f.errorf("--grid must lie in %d..%d, got %d", minPlotGrid, maxPlotGrid, o.grid)
	}
	if err := f.positiveInt("n", o.n); err != nil {
		return err
	}
	m, run, err := o.open(f)
	if err != nil {
		return err
	}
	if cfg := m.Config(); len(cfg.Shape) != 1 || cfg.Shape[0] != 2 {
		return f.errorf("--model %s: plot draws flows of 2-D points; this one has points of shape %v", o.model, cfg.Shape)
	}
	if run != nil && !f.set("n-train") && (!f.set("data") || o.data.Name == run.Data.Name) {
		// The training points drawn are those the model was trained on.
		o.data.PerClass = run.Data.PerClass
	}
	set, d, err := recipe.DataFor(o.data, run, f.set)
	if err != nil {
		return f.failure(err)
	}
	if set.Dim != 2 || set.Train.N == 0 {
		return f.errorf("--data %s: plot needs 2-D training points, the data has %s of %d values", d.Name, english.Count(set.Train.N, "point"), set.Dim)
	}
	fig, err := modelFigure(m, set, o)
	if err != nil {
		return f.failure(err)
	}
	fig.Title = plotTitle(o.model, d.Name, set.Classes, m.Config(), run)
	scale, err := fig.Write(o.out)
	if err != nil {
		return f.failure(err)
	}
	fmt.Fprintf(stdout, "wrote %s: log-density from %.4g to %.4g nats", o.out, scale.Lo, scale.Hi)
	if scale.Clipped {
		fmt.Fprintf(stdout, " (lower values drawn as %.4g)", scale.Lo)
	}
	fmt.Fprintln(stdout)
	return nil
}

// modelFigure draws samples of m and evaluates its log-densities on a grid
// over the training points of set.
func modelFigure(m *cnf.Model, set *data.Set, o plotFlags) (*figure.ModelFigure, error) {
	pts := set.Train.X
	if stride := (set.Train.N + maxPlotData - 1) / maxPlotData; stride > 1 {
		var thin []float64
		for i := 0; i < set.Train.N; i += stride {
			thin = append(thin, pts[2*i], pts[2*i+1])
		}
		pts = thin
	}
	fig := &figure.ModelFigure{Data: pts}
	byComponent, err := recipe.SampleByComponent(m, o.n, o.batch, o.seed)
	if err != nil {
		return nil, err
	}
	k := len(byComponent)
	gmm := m.Config().Base.Kind == cnf.BaseGMM
	fig.Samples.Title = "samples over the training data"
	for j, x := range byComponent {
		rows := make([][]float64, len(x)/2)
		for i := range rows {
			rows[i] = x[2*i : 2*i+2]
		}
		if gmm {
			fig.Samples.Classes = append(fig.Samples.Classes, classOfComponent(set, j, k))
			fig.Samples.ByClass = append(fig.Samples.ByClass, rows)
		} else {
			fig.Samples.Unconditional = append(fig.Samples.Unconditional, rows...)
		}
	}
	x0, x1, y0, y1 := plotBox(set.Train.X)
	rng := rand.New(rand.NewPCG(o.seed, streams.Eval))
	components := []int{-1}
	if gmm {
		for j := range k {
			components = append(components, j)
		}
	}
	for _, c := range components {
		xs, ys, logp, err := recipe.LogDensityGrid(m, c, x0, x1, y0, y1, o.grid, o.grid, o.batch, rng)
		if err != nil {
			return nil, err
		}
		title := "log p(x)"
		if c >= 0 {
			title = fmt.Sprintf("log p(x | class %d)", classOfComponent(set, c, k))
		}
		fig.Densities = append(fig.Densities, figure.DensityPanel{Title: title, Grid: &figure.Grid{X: xs, Y: ys, Z: logp}})
	}
	return fig, nil
}

// classOfComponent is the class of base component j of k: the j-th
// training class when the data has one per component, else j.
func classOfComponent(set *data.Set, j, k int) int {
	if len(set.Classes) == k {
		return set.Classes[j]
	}
	return j
}

// plotBox is the box the densities are drawn over: that of the points xy,
// widened by a fifth of its size on every side (at least 1 across).
func plotBox(xy []float64) (x0, x1, y0, y1 float64) {
	x0, x1, y0, y1 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(xy); i += 2 {
		x0, x1 = math.Min(x0, xy[i]), math.Max(x1, xy[i])
		y0, y1 = math.Min(y0, xy[i+1]), math.Max(y1, xy[i+1])
	}
	mx, my := math.Max(0.2*(x1-x0), 0.5), math.Max(0.2*(y1-y0), 0.5)
	return x0 - mx, x1 + mx, y0 - my, y1 + my
}

// plotTitle names the model: its directory, data and training classes,
// base and, from the run that trained it, its training seed.
func plotTitle(dir, dataName string, classes []int, cfg cnf.Config, run *recipe.Options) string {
	title := fmt.Sprintf("%s: %s, %s base", dir, dataName, cfg.Base.Kind)
	if classes != nil {
		title = fmt.Sprintf("%s: %s classes %s, %s base", dir, dataName, recipe.Ints(classes), cfg.Base.Kind)
	}
	if run != nil {
		title += fmt.Sprintf(", seed %d", run.Train.Seed)
	}
	return title
}
