package metrics

import (
	"fmt"
	"math"
)

// Summary is the mean and sample standard deviation (n-1 denominator; 0
// for a single value) of N values.
type Summary struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	N    int     `json:"n"`
}

// Summarise returns the mean and standard deviation of xs; every value
// must be finite.
func Summarise(xs []float64) (Summary, error) {
	if len(xs) == 0 {
		return Summary{}, fmt.Errorf("summarise: no values")
	}
	var s float64
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Summary{}, fmt.Errorf("summarise: value %d is %v", i, x)
		}
		s += x
	}
	mean := s / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	out := Summary{Mean: mean, N: len(xs)}
	if len(xs) > 1 {
		out.Std = math.Sqrt(ss / float64(len(xs)-1))
	}
	return out, nil
}
