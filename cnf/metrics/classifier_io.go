package metrics

import (
	"fmt"
	"io"

	"codeberg.org/sbinet/npyio/npz"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// Save writes the classifier to path as a NumPy .npz archive, atomically:
// the arrays of params (conv1.weight [C1*1*3*3], conv1.bias, conv2.weight
// [C2*C1*3*3], conv2.bias, dense1.weight [F*C2*16], dense1.bias,
// dense2.weight [10*F], dense2.bias), flat and row-major, and "widths"
// [C1, C2, F].
func (c *Classifier) Save(path string) error {
	err := atomicfile.WriteBuffered(path, func(bw io.Writer) error {
		w := npz.NewWriter(bw)
		if err := w.Write("widths", []float64{float64(c.C1), float64(c.C2), float64(c.F)}); err != nil {
			return err
		}
		for _, p := range c.params() {
			if err := w.Write(p.name, p.v); err != nil {
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

// LoadClassifier reads a classifier written by Save, checking every
// array's length against the widths.
func LoadClassifier(path string) (*Classifier, error) {
	r, err := npz.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load classifier: %w", err)
	}
	defer r.Close()
	var widths []float64
	if err := r.Read("widths", &widths); err != nil {
		return nil, fmt.Errorf("load classifier %s: widths: %w", path, err)
	}
	if len(widths) != 3 || widths[0] < 1 || widths[1] < 1 || widths[2] < 1 {
		return nil, fmt.Errorf("load classifier %s: bad widths %v", path, widths)
	}
	c := NewClassifier(int(widths[0]), int(widths[1]), int(widths[2]), 0)
	for _, p := range c.params() {
		var v []float64
		if err := r.Read(p.name, &v); err != nil {
			return nil, fmt.Errorf("load classifier %s: %s: %w", path, p.name, err)
		}
		if len(v) != len(p.v) {
			return nil, fmt.Errorf("load classifier %s: %s has %d values, want %d", path, p.name, len(v), len(p.v))
		}
		copy(p.v, v)
	}
	return c, nil
}
