package experiment

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// Samples are what a unit draws from its model, kept in the unit's
// directory for the figures.
type Samples struct {
	// Shape is the shape of one sample: [2] for points, [C, H, W] for
	// images, whose values lie in [0, 1].
	Shape []int `json:"shape"`
	// Unconditional are samples from the whole base.
	Unconditional [][]float64 `json:"unconditional"`
	// ByClass holds, for the GMM base, samples from each class's component
	// in the order of Classes.
	Classes []int         `json:"classes,omitempty"`
	ByClass [][][]float64 `json:"by_class,omitempty"`
	// Density, for 2-D data, is the model's log-density on a grid.
	Density *figure.Grid `json:"density,omitempty"`
}

// writeSamples writes s as JSON to path atomically.
func writeSamples(path string, s *Samples) error {
	return atomicfile.WriteBuffered(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(s) })
}

// readSamples reads a samples file.
func readSamples(path string) (*Samples, error) {
	var s Samples
	if err := readJSON(path, &s); err != nil {
		return nil, fmt.Errorf("read samples: %w", err)
	}
	return &s, nil
}
