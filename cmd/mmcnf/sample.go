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
	n, class int
}

// newSampleFlags declares the flags of `mmcnf sample`.
func newSampleFlags(o *sampleFlags) *cmdFlags {
	f := newFlags("sample", "mmcnf sample --model DIR -n N [--class K] --out FILE.csv|FILE.png [flags]",
		`Draws N points from a trained flow: from the whole base, or with --class K from the
base component of class K (class-conditional samples of a GMM base; K is a class of
the training data, e.g. 4 for a model trained on moons classes 4,5), integrated from
t1 back to 0. Writes a .csv (one point per line, one column per coordinate) or, for
image models, a PNG grid.`)
	o.bind(f, "output file, .csv or (images only) .png (required)", "seed of the base draws", "samples per solve")
	f.IntVar(&o.n, "n", 64, "number of samples")
	f.IntVar(&o.class, "class", -1, "class whose base component to sample from (-1: the whole base)")
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
	}
	m, run, err := o.open(f)
	if err != nil {
		return err
	}
	cfg := m.Config()
	if asPNG && len(cfg.Shape) != 3 {
		return f.errorf("--out %s: a PNG grid needs an image model; this one has points of shape %v", o.out, cfg.Shape)
	}
	component, err := recipe.Component(o.class, cfg, run)
	if err != nil {
		return f.failure(err)
	}
	x, err := recipe.Sample(m, o.n, component, o.batch, o.seed)
	var b []byte
	if err == nil {
		b, err = encodeSamples(x, cfg.Shape, asPNG)
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

// encodeSamples writes the points x of the given shape as a PNG grid of
// images or as CSV.
func encodeSamples(x []float64, shape []int, asPNG bool) ([]byte, error) {
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
		img, err := figure.ImageGrid(imgs, shape, int(math.Ceil(math.Sqrt(float64(len(imgs))))))
		if err != nil {
			return nil, err
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
