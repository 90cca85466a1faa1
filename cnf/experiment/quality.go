package experiment

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/internal/english"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// ClassFD is the FD (classifier features) of one class's
// class-conditional samples against that class's real test images.
type ClassFD struct {
	Class int     `json:"class"`
	FD    float64 `json:"fd"`
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

// sampleFD returns the FD (classifier features) between generated images
// gen (dequantised pixel values, row-major) and the real features ref, or nil
// when either side has fewer than two images to fit a Gaussian to.
func sampleFD(c *metrics.Classifier, gen, ref []float64, nReal int) (*float64, error) {
	d := data.ImageSide * data.ImageSide
	n := len(gen) / d
	if n < 2 || nReal < 2 {
		return nil, nil
	}
	fg, err := c.Features(gen)
	if err != nil {
		return nil, err
	}
	fd, err := metrics.FeatureFD(fg, n, ref, nReal, c.F)
	if err != nil {
		return nil, err
	}
	return &fd, nil
}

// sampleQuality sets r.FD from the unconditional samples and r.FDByClass
// from the class-conditional ones, against the in-distribution test images
// of set (all of them, or the class's), dequantised with noise seeded by
// the unit's seed. The classifier sees both as it saw its training images.
func sampleQuality(c *metrics.Classifier, set *data.Set, smp *Samples, u Unit, r *RunResult) error {
	rng := rand.New(rand.NewPCG(uint64(u.Seed), streams.StudyQuality))
	feats, err := c.Features(dequantised(set.Test.X, rng))
	if err != nil {
		return fmt.Errorf("features of the test images: %w", err)
	}
	if r.FD, err = sampleFD(c, pixelRows(smp.Unconditional), feats, set.Test.N); err != nil {
		return fmt.Errorf("FD of the samples: %w", err)
	}
	r.FDSamples, r.FDTest = len(smp.Unconditional), set.Test.N
	for j, class := range smp.Classes {
		var ref []float64
		for i, l := range set.Test.Labels {
			if l == class {
				ref = append(ref, feats[i*c.F:(i+1)*c.F]...)
			}
		}
		fd, err := sampleFD(c, pixelRows(smp.ByClass[j]), ref, len(ref)/c.F)
		if err != nil {
			return fmt.Errorf("FD of the class %d samples: %w", class, err)
		}
		if fd != nil {
			r.FDByClass = append(r.FDByClass, ClassFD{Class: class, FD: *fd})
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
	fmt.Fprintf(progress, "  FD (classifier features) %.3f over %s and %s\n", *r.FD, english.Count(r.FDSamples, "sample"), english.Count(r.FDTest, "test image"))
	return nil
}
