package train

import (
	"fmt"
	"math/rand/v2"
)

// Dataset is a set of n points of dimension Dim, stored row by row in X,
// with one class label each.
type Dataset struct {
	X      []float64
	Labels []int
	Dim    int
}

// Len is the number of points.
func (d Dataset) Len() int { return len(d.Labels) }

// Validate checks that X holds Len rows of Dim values and that there is at
// least one point.
func (d Dataset) Validate(name string) error {
	switch {
	case d.Dim <= 0:
		return fmt.Errorf("%s set: dimension must be positive, got %d", name, d.Dim)
	case len(d.Labels) == 0:
		return fmt.Errorf("%s set is empty", name)
	case len(d.X) != len(d.Labels)*d.Dim:
		return fmt.Errorf("%s set: %d values for %d points of dimension %d", name, len(d.X), len(d.Labels), d.Dim)
	}
	return nil
}

// Batcher draws mini-batches uniformly with replacement. All its randomness
// comes from the generator it is given, so saving that generator's state
// saves the batch sequence.
type Batcher struct {
	data   Dataset
	x      []float64
	labels []int
}

// NewBatcher returns a Batcher of batches of size n from data.
func NewBatcher(data Dataset, n int) *Batcher {
	return &Batcher{data: data, x: make([]float64, n*data.Dim), labels: make([]int, n)}
}

// Next draws the next batch; the returned slices are reused by later calls.
func (b *Batcher) Next(rng *rand.Rand) (x []float64, labels []int) {
	d := b.data.Dim
	for i := range b.labels {
		j := rng.IntN(b.data.Len())
		copy(b.x[i*d:(i+1)*d], b.data.X[j*d:(j+1)*d])
		b.labels[i] = b.data.Labels[j]
	}
	return b.x, b.labels
}
