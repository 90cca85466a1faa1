package metrics

import (
	"fmt"
	"math"
	"sort"
)

// Summary is the mean and sample standard deviation (n-1 denominator; 0
// for a single value) of N values.
type Summary struct {
	Mean, Std float64
	N         int
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

// ClassMeans returns the mean of the per-sample values (e.g. bits/dim) of
// each label, and the labels in ascending order.
func ClassMeans(values []float64, labels []int) (map[int]float64, []int, error) {
	if len(values) != len(labels) {
		return nil, nil, fmt.Errorf("class means: %d values for %d labels", len(values), len(labels))
	}
	sum, n := map[int]float64{}, map[int]int{}
	for i, v := range values {
		sum[labels[i]] += v
		n[labels[i]]++
	}
	var ls []int
	for l := range n {
		sum[l] /= float64(n[l])
		ls = append(ls, l)
	}
	sort.Ints(ls)
	return sum, ls, nil
}

// OverSeeds summarises per-seed results: perSeed[s][key] is the value of
// key (a class, a set name) in seed s; every seed must have every key of
// the first. The result maps each key to its mean and standard deviation
// over seeds.
func OverSeeds[K comparable](perSeed []map[K]float64) (map[K]Summary, error) {
	if len(perSeed) == 0 {
		return nil, fmt.Errorf("over seeds: no seeds")
	}
	out := map[K]Summary{}
	for k := range perSeed[0] {
		xs := make([]float64, len(perSeed))
		for s, m := range perSeed {
			v, ok := m[k]
			if !ok {
				return nil, fmt.Errorf("over seeds: seed %d lacks %v", s, k)
			}
			xs[s] = v
		}
		sum, err := Summarise(xs)
		if err != nil {
			return nil, fmt.Errorf("over seeds: %v: %w", k, err)
		}
		out[k] = sum
	}
	return out, nil
}
