package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/english"
)

// sampleFlags binds the flags of `mmcnf sample`.
type sampleFlags struct {
	modelFlags
	n, class, scale int
}

// maxGridPixels bounds the pixels of a PNG grid of samples, enlarged.
const maxGridPixels = 1 << 26

// newSampleFlags declares the flags of `mmcnf sample`.
func newSampleFlags(o *sampleFlags) *cmdFlags {
	f := newFlags("sample", "mmcnf sample --model DIR -n N [--class K] --out FILE.csv|FILE.png [--scale S] [flags]",
		`Draws N points from a trained flow: from the whole base, or with --class K from the
base component of class K (class-conditional samples of a GMM base; K is a class of
the training data, e.g. 4 for a model trained on moons classes 4,5), integrated from
t1 back to 0. Writes a .csv (one point per line, one column per coordinate) or, for
image models, a PNG grid, each pixel an S x S block with --scale S.`)
	o.bind(f, "output file, .csv or (images only) .png (required)", "seed of the base draws", "samples per solve")
	f.IntVar(&o.n, "n", recipe.DefaultSamples, "number of samples")
	f.IntVar(&o.class, "class", -1, "class whose base component to sample from (-1: the whole base)")
	f.IntVar(&o.scale, "scale", 1, "PNG only: enlarge the grid S times, each pixel an S x S block")
	return f
}

// cmdSample runs `mmcnf sample`.
func cmdSample(args []string, stdout, stderr io.Writer) error {
	var o sampleFlags
	f := newSampleFlags(&o)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	asPNG := strings.ToLower(filepath.Ext(o.out)) == ".png"
	switch {
	case o.out == "":
		return f.errorf("--out FILE is required")
	case !asPNG && strings.ToLower(filepath.Ext(o.out)) != ".csv":
		return f.errorf("--out %s: want a .csv or .png file", o.out)
	case o.scale < 1:
		return f.errorf("--scale must be positive, got %d", o.scale)
	case !asPNG && f.set("scale"):
		return f.errorf("--scale enlarges a PNG grid; --out %s is a .csv", o.out)
	}
	m, run, err := o.open(f)
	if err != nil {
		return err
	}
	cfg := m.Config()
	if asPNG && len(cfg.Shape) != 3 {
		return f.errorf("--out %s: a PNG grid needs an image model; this one has points of shape %v", o.out, cfg.Shape)
	}
	if asPNG && o.n > 0 {
		if w, h := gridSize(o.n, cfg.Shape, o.scale); w*h > maxGridPixels {
			return f.errorf("--scale %d: a grid of %s would be %.0f x %.0f pixels, more than %d", o.scale, english.Count(o.n, "sample"), w, h, maxGridPixels)
		}
	}
	component, err := recipe.Component(o.class, cfg, run)
	if err != nil {
		return f.failure(err)
	}
	x, err := recipe.Sample(m, o.n, component, o.batch, o.seed)
	var b []byte
	if err == nil {
		b, err = encodeSamples(x, cfg.Shape, asPNG, o.scale)
	}
	if err == nil {
		err = atomicfile.WriteBytes(o.out, b)
	}
	if err != nil {
		return f.failure(err)
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", english.Count(o.n, "sample"), o.out)
	return nil
}

// gridColumns is the number of columns of a PNG grid of n samples.
func gridColumns(n int) int { return int(math.Ceil(math.Sqrt(float64(n)))) }

// gridSize is the size in pixels of the PNG grid of n images of shape
// [C, H, W], enlarged scale times (as float64, so that it cannot
// overflow).
func gridSize(n int, shape []int, scale int) (w, h float64) {
	cols := gridColumns(n)
	rows := (n + cols - 1) / cols
	return float64(scale) * float64(cols*(shape[2]+1)+1), float64(scale) * float64(rows*(shape[1]+1)+1)
}

// encodeSamples writes the points x of the given shape as a PNG grid of
// images, enlarged scale times, or as CSV.
func encodeSamples(x []float64, shape []int, asPNG bool, scale int) ([]byte, error) {
	var buf bytes.Buffer
	d := 1
	for _, s := range shape {
		d *= s
	}
	if asPNG {
		imgs := make([][]float64, len(x)/d)
		for i := range imgs {
			imgs[i] = x[i*d : (i+1)*d]
			for j := range imgs[i] {
				imgs[i][j] /= 256
			}
		}
		img, err := figure.ImageGrid(imgs, shape, gridColumns(len(imgs)))
		if err != nil {
			return nil, err
		}
		if scale > 1 {
			img = figure.Replicate(img, scale)
		}
		err = png.Encode(&buf, img)
		return buf.Bytes(), err
	}
	writeCSV(&buf, x, d)
	return buf.Bytes(), nil
}

// writeCSV writes n points of d coordinates, one per line, with a header.
func writeCSV(w io.Writer, x []float64, d int) {
	for j := range d {
		if j > 0 {
			io.WriteString(w, ",")
		}
		fmt.Fprintf(w, "x%d", j)
	}
	io.WriteString(w, "\n")
	for i := 0; i < len(x); i += d {
		for j := range d {
			if j > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, "%.17g", x[i+j])
		}
		io.WriteString(w, "\n")
	}
}
