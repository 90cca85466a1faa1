package metrics

import (
	"fmt"
	"io"
	"math"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/npy"
)

// Save writes the classifier to path as a NumPy .npz archive, atomically:
// the arrays of params (conv1.weight [C1*1*3*3], conv1.bias, conv2.weight
// [C2*C1*3*3], conv2.bias, dense1.weight [F*C2*16], dense1.bias,
// dense2.weight [10*F], dense2.bias), flat and row-major, and "widths"
// [C1, C2, F].
func (c *Classifier) Save(path string) error {
	err := atomicfile.WriteBuffered(path, func(bw io.Writer) error {
		w := npy.NewArchiveWriter(bw, true)
		if err := w.Write("widths", []int{3}, []float64{float64(c.C1), float64(c.C2), float64(c.F)}); err != nil {
			return err
		}
		for _, p := range c.params() {
			if err := w.Write(p.name, []int{len(p.v)}, p.v); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
		}
		return w.Close()
	})
	if err != nil {
		return fmt.Errorf("save classifier: %w", err)
	}
	return nil
}

// LoadClassifier reads a classifier written by Save, checking the widths
// against what the archive can hold before building the classifier, and
// every array's length against the widths.
func LoadClassifier(path string) (c *Classifier, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("load classifier %s: internal error: %v", path, p)
		}
	}()
	z, err := npy.OpenArchive(path)
	if err != nil {
		return nil, fmt.Errorf("load classifier: %w", err)
	}
	defer z.Close()
	widths, err := z.Read("widths", 3)
	if err != nil {
		return nil, fmt.Errorf("load classifier: %w", err)
	}
	// conv2.weight holds C2*C1*9 values and dense1.weight F*C2*16, each of
	// at least one byte in the archive.
	w, held := widths.Data, float64(z.UncompressedSize())
	if len(w) != 3 || !whole(w[0]) || !whole(w[1]) || !whole(w[2]) || w[1]*w[0] > held || w[2]*w[1] > held {
		return nil, fmt.Errorf("load classifier %s: bad widths %v (positive integers whose layers fit in the archive's %v bytes)", path, w, held)
	}
	c = NewClassifier(int(w[0]), int(w[1]), int(w[2]), 0)
	for _, p := range c.params() {
		a, err := z.Read(p.name, len(p.v))
		if err != nil {
			return nil, fmt.Errorf("load classifier: %w", err)
		}
		if len(a.Data) != len(p.v) {
			return nil, fmt.Errorf("load classifier %s: %s has %d values, want %d", path, p.name, len(a.Data), len(p.v))
		}
		copy(p.v, a.Data)
	}
	return c, nil
}

// whole reports whether v is a positive integer below 2^31.
func whole(v float64) bool { return v >= 1 && v < 1<<31 && v == math.Trunc(v) }
