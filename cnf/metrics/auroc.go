package metrics

import (
	"fmt"
	"math"
	"sort"
)

// AUROC returns the area under the ROC curve of separating out-of-
// distribution samples from in-distribution ones by their scores, higher
// meaning more out-of-distribution (e.g. bits/dim): the probability that a
// random OOD sample scores above a random in-distribution one, ties
// counting one half (the Mann-Whitney U statistic over |in| |ood|),
// computed exactly from mid-ranks. 1 is perfect separation, 0.5 chance.
func AUROC(in, ood []float64) (float64, error) {
	if len(in) == 0 || len(ood) == 0 {
		return 0, fmt.Errorf("AUROC: %d in-distribution and %d out-of-distribution scores; both must be non-empty", len(in), len(ood))
	}
	type item struct {
		v   float64
		ood bool
	}
	all := make([]item, 0, len(in)+len(ood))
	for i, v := range in {
		if math.IsNaN(v) {
			return 0, fmt.Errorf("AUROC: in-distribution score %d is NaN", i)
		}
		all = append(all, item{v, false})
	}
	for i, v := range ood {
		if math.IsNaN(v) {
			return 0, fmt.Errorf("AUROC: out-of-distribution score %d is NaN", i)
		}
		all = append(all, item{v, true})
	}
	sort.Slice(all, func(a, b int) bool { return all[a].v < all[b].v })
	// Sum of the (1-based, mid-) ranks of the OOD scores, kept as twice the
	// rank so that it stays an exact integer.
	var rankSum2 float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid2 := float64(i + 1 + j) // 2 * mean of ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].ood {
				rankSum2 += mid2
			}
		}
		i = j
	}
	n0, n1 := float64(len(in)), float64(len(ood))
	u := rankSum2/2 - n1*(n1+1)/2
	return u / (n0 * n1), nil
}
