package experiment

import "sort"

// auroc is the area under the ROC curve of a detector that flags points
// with high scores as positive: the probability that a random positive
// scores above a random negative, ties counting one half (the Mann-Whitney
// U statistic divided by the number of pairs).
func auroc(negatives, positives []float64) float64 {
	type scored struct {
		v   float64
		pos bool
	}
	all := make([]scored, 0, len(negatives)+len(positives))
	for _, v := range negatives {
		all = append(all, scored{v, false})
	}
	for _, v := range positives {
		all = append(all, scored{v, true})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	// Sum of the (mid-)ranks of the positives.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j averaged
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(positives)), float64(len(negatives))
	return (rankSum - np*(np+1)/2) / (np * nn)
}
