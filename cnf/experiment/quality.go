package experiment

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/internal/english"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// ClassFD is the FD (classifier features) of one class's
// class-conditional samples against that class's real test images, and
// the KID beside it.
type ClassFD struct {
	Class int      `json:"class"`
	FD    float64  `json:"fd"`
	KID   *float64 `json:"kid,omitempty"`
}

// pixelRows turns samples stored in [0, 1] back into dequantised pixel
// values in [0, 256), one row after another.
func pixelRows(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		for _, v := range r {
			out = append(out, v*256)
		}
	}
	return out
}

// distances returns the FD and the KID (classifier features) between
// generated images gen (dequantised pixel values, row-major) and the real
// features ref of nReal images, or nils when either side has fewer than
// two images.
func distances(c *metrics.Classifier, gen, ref []float64, nReal int) (fd, kid *float64, err error) {
	d := data.ImageSide * data.ImageSide
	n := len(gen) / d
	if n < 2 || nReal < 2 {
		return nil, nil, nil
	}
	fg, err := c.Features(gen)
	if err != nil {
		return nil, nil, err
	}
	f, err := metrics.FeatureFD(fg, n, ref, nReal, c.F)
	if err != nil {
		return nil, nil, err
	}
	k, err := metrics.KID(fg, n, ref, nReal, c.F)
	if err != nil {
		return nil, nil, err
	}
	return &f, &k, nil
}

// subset returns n of the indices idx, drawn without replacement by rng
// and kept in their order, or all of them when there are at most n.
func subset(idx []int, n int, rng *rand.Rand) []int {
	if n >= len(idx) {
		return idx
	}
	keep := rng.Perm(len(idx))[:n]
	slices.Sort(keep)
	out := make([]int, n)
	for i, k := range keep {
		out[i] = idx[k]
	}
	return out
}

// rowsOf gathers the rows of the given indices of a row-major matrix with
// rows of length f.
func rowsOf(x []float64, idx []int, f int) []float64 {
	out := make([]float64, 0, len(idx)*f)
	for _, i := range idx {
		out = append(out, x[i*f:(i+1)*f]...)
	}
	return out
}

// sampleQuality sets r.FD and r.KID from the unconditional samples and
// r.FDByClass from the class-conditional ones, each against as many real
// in-distribution test images of set as there are samples (all of them,
// or the class's, when there are fewer), drawn without replacement and
// dequantised with noise, both seeded by the unit's seed. The classifier
// sees both as it saw its training images.
func sampleQuality(c *metrics.Classifier, set *data.Set, smp *Samples, u Unit, r *RunResult) error {
	rng := rand.New(rand.NewPCG(uint64(u.Seed), streams.StudyQuality))
	feats, err := c.Features(dequantised(set.Test.X, rng))
	if err != nil {
		return fmt.Errorf("features of the test images: %w", err)
	}
	all := make([]int, set.Test.N)
	for i := range all {
		all[i] = i
	}
	ref := subset(all, len(smp.Unconditional), rng)
	if r.FD, r.KID, err = distances(c, pixelRows(smp.Unconditional), rowsOf(feats, ref, c.F), len(ref)); err != nil {
		return fmt.Errorf("FD of the samples: %w", err)
	}
	r.FDSamples, r.FDTest = len(smp.Unconditional), len(ref)
	for j, class := range smp.Classes {
		var idx []int
		for i, l := range set.Test.Labels {
			if l == class {
				idx = append(idx, i)
			}
		}
		idx = subset(idx, len(smp.ByClass[j]), rng)
		fd, kid, err := distances(c, pixelRows(smp.ByClass[j]), rowsOf(feats, idx, c.F), len(idx))
		if err != nil {
			return fmt.Errorf("FD of the class %d samples: %w", class, err)
		}
		if fd != nil {
			r.FDByClass = append(r.FDByClass, ClassFD{Class: class, FD: *fd, KID: kid})
		}
	}
	return nil
}

// quality measures the sample quality of an image unit into r, with the
// study's feature classifier from the output directory out.
func (b *CNF) quality(ctx context.Context, st *Study, s Settings, u Unit, out string, set *data.Set, smp *Samples, r *RunResult, progress io.Writer) error {
	c, info, err := featureClassifier(ctx, st, s, out, b.DataDir, progress)
	if err != nil {
		return err
	}
	r.Classifier = info
	if err := sampleQuality(c, set, smp, u, r); err != nil {
		return fmt.Errorf("sample quality: %w", err)
	}
	if r.FD == nil {
		fmt.Fprintf(progress, "  no FD (classifier features): %s, %s (at least 2 of each needed)\n", english.Count(r.FDSamples, "sample"), english.Count(r.FDTest, "test image"))
		return nil
	}
	fmt.Fprintf(progress, "  FD (classifier features) %.3f, KID %.4f, over %s and %s\n", *r.FD, *r.KID, english.Count(r.FDSamples, "sample"), english.Count(r.FDTest, "test image"))
	return nil
}
