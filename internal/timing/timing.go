// Package timing summarises repeated timings, as the benchmarks report
// them: the median and the fastest call.
package timing

import (
	"math"
	"slices"
)

// Median returns the median of xs (the mean of the middle two for even
// lengths), sorting xs in place; it returns NaN for no values.
func Median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
