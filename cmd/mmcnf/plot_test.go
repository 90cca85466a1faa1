package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// TestPlot trains a tiny GMM flow on moons classes 4 and 5 and plots it
// as PNG and SVG. The PNG must have the figure's size and the many colours
// of smooth heat maps; the SVG its title with the training seed, axis
// labels, a panel per component and a colour bar whose ends are the
// highest log-density on the grid, computed here by cnf from the model
// file, and the scale's floor below it; stdout the same range.
func TestPlot(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	dir := t.TempDir()
	model := filepath.Join(dir, "m")
	var stdout, stderr bytes.Buffer
	if code := run(tinyTrainArgs(model, 3, "--classes", "4,5", "--base", "gmm", "--seed", "7", "--quiet"), &stdout, &stderr); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr.String())
	}
	const grid = 30
	outputs := map[string]string{}
	for _, ext := range []string{".png", ".svg"} {
		out := filepath.Join(dir, "plot"+ext)
		stdout.Reset()
		if code := run([]string{"plot", "--model", model, "--out", out, "--grid", fmt.Sprint(grid), "-n", "40"}, &stdout, &stderr); code != exitOK {
			t.Fatalf("plot %s: exit %d: %s", ext, code, stderr.String())
		}
		outputs[ext] = stdout.String()
	}

	// The densities, computed here from the model file over the box of
	// the training points.
	m, err := cnf.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	_, run, err := recipe.OpenModel(model)
	if err != nil {
		t.Fatal(err)
	}
	set, err := recipe.LoadData(run.Data)
	if err != nil {
		t.Fatal(err)
	}
	x0, x1, y0, y1 := plotBox(set.Train.X)
	var pts []float64
	for i := range grid {
		for j := range grid {
			pts = append(pts, x0+(x1-x0)*float64(j)/(grid-1), y0+(y1-y0)*float64(i)/(grid-1))
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	hi, lo := math.Inf(-1), math.Inf(1)
	for k := -1; k < 2; k++ {
		var logp []float64
		if k < 0 {
			logp, _, err = m.LogLikelihoods(pts, 0, rng, nil)
		} else {
			logp, _, err = m.ComponentLogLikelihoods(pts, k, 0, rng, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range logp {
			hi, lo = math.Max(hi, v), math.Min(lo, v)
		}
	}
	floor, clipped := math.Max(lo, hi-figure.DensitySpan), hi-lo > figure.DensitySpan
	want := fmt.Sprintf("log-density from %.4g to %.4g nats", floor, hi)
	for ext, out := range outputs {
		if !strings.Contains(out, want) {
			t.Errorf("plot %s printed %q, want %q", ext, out, want)
		}
	}

	svg, err := os.ReadFile(filepath.Join(dir, "plot.svg"))
	if err != nil {
		t.Fatal(err)
	}
	low := fmt.Sprintf(">%.4g<", floor)
	if clipped {
		low = fmt.Sprintf(">≤ %.4g<", floor)
	}
	for _, w := range []string{"<svg", model + ": moons classes 4,5, gmm base, seed 7<", ">x1<", ">x2<",
		">log p(x)<", ">log p(x | class 4)<", ">log p(x | class 5)<", ">class 4<", ">class 5<",
		">log p(x), nats<", fmt.Sprintf(">%.4g<", hi), low} {
		if !bytes.Contains(svg, []byte(w)) {
			t.Errorf("the SVG has no %q", w)
		}
	}

	img := readPNG(t, filepath.Join(dir, "plot.png"))
	// Two columns of 11 cm and the colour bar, 25 cm, at 150 dots per inch.
	if b := img.Bounds(); b.Dx() != 1476 || b.Dy() < 800 || b.Dy() > 2000 {
		t.Errorf("the PNG is %d x %d pixels, want 1476 wide and 800 to 2000 high", b.Dx(), b.Dy())
	}
	colours := map[color.Color]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			colours[img.At(x, y)] = true
		}
	}
	if len(colours) < 1000 {
		t.Errorf("the PNG has %d colours; three smooth heat maps have thousands", len(colours))
	}
}

// TestPlotRefuses checks that plot refuses models of other than 2-D
// points and bad flags with one line, status 2 and nothing written.
func TestPlotRefuses(t *testing.T) {
	dir := t.TempDir()
	images, points := filepath.Join(dir, "images"), filepath.Join(dir, "points")
	tinyImageModel(t, images)
	smallModel(t, points)
	out := filepath.Join(dir, "p.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", images, "--out", out}, "plot draws flows of 2-D points; this one has points of shape [1 4 4]"},
		{[]string{"--model", points, "--out", filepath.Join(dir, "p.pdf")}, "want a .png or .svg file"},
		{[]string{"--model", points}, "--out FILE.png|FILE.svg is required"},
		{[]string{"--model", points, "--out", out, "--grid", "1"}, "--grid must lie in 2..1000"},
		{[]string{"--model", points, "--out", out, "-n", "0"}, "--n must be positive"},
		{[]string{"--out", out}, "--model DIR is required"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"plot"}, c.args...), &stdout, &stderr)
		msg := stderr.String()
		if code != exitUsage || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, c.want) || stdout.Len() != 0 {
			t.Errorf("plot %v: exit %d, stderr %q, stdout %q; want status 2 and one line with %q", c.args, code, msg, stdout.String(), c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("plot %v wrote %s", c.args, out)
		}
	}
}
