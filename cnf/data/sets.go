package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// Split is one collection of samples: N rows of Dim values, row-major in X,
// with a class label per row (-1 for samples of no class, such as
// interpolations between classes).
type Split struct {
	Name   string
	N, Dim int
	X      []float64
	Labels []int
}

// Set is a dataset of the experiments: a training split, an
// in-distribution test split and named out-of-distribution splits.
type Set struct {
	Name string
	// Dim is the number of values per sample (2 for moons, 256 for images).
	Dim int
	// Image is true for 8-bit images: 1 x ImageSide x ImageSide, values
	// whole numbers in 0..255, to be dequantised.
	Image bool
	// Classes are the training classes in ascending order: the components
	// of a Gaussian-mixture base.
	Classes []int
	Train   Split
	Test    Split
	OOD     []Split
}

// PerClass returns the rows of s whose label is class, as a new split
// named name.
func (s *Split) PerClass(class int, name string) Split {
	out := Split{Name: name, Dim: s.Dim}
	for i, l := range s.Labels {
		if l == class {
			out.X = append(out.X, s.X[i*s.Dim:(i+1)*s.Dim]...)
			out.Labels = append(out.Labels, l)
			out.N++
		}
	}
	return out
}

// appendImage appends one 16x16 image to s.
func (s *Split) appendImage(x []float64, label int) {
	s.X = append(s.X, x...)
	s.Labels = append(s.Labels, label)
	s.N++
}

// InstanceNoise is the half-width of the uniform pixel noise of
// InstanceMNIST: 20% of 255. Each pixel gets u ~ U(-InstanceNoise,
// InstanceNoise) added before rounding and clipping to 0..255.
const InstanceNoise = 0.2 * 255

// Interpolation weights l ~ U[InterpLow, InterpHigh] for (1-l) x0 + l x1.
const (
	InterpLow  = 0.25
	InterpHigh = 0.75
)

// quantise rounds each value to the nearest whole number and clips it to
// 0..255, in place.
func quantise(x []float64) []float64 {
	for i, v := range x {
		x[i] = min(255, max(0, math.Round(v)))
	}
	return x
}

// noisyCopy returns x plus uniform noise of half-width InstanceNoise per
// pixel, rounded and clipped.
func noisyCopy(x []float64, rng *rand.Rand) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v + InstanceNoise*(2*rng.Float64()-1)
	}
	return quantise(out)
}

// interpolate returns (1-l) x0 + l x1 with l ~ U[InterpLow, InterpHigh].
func interpolate(x0, x1 []float64, rng *rand.Rand) []float64 {
	l := InterpLow + (InterpHigh-InterpLow)*rng.Float64()
	out := make([]float64, len(x0))
	for i := range out {
		out[i] = (1-l)*x0[i] + l*x1[i]
	}
	return out
}

// firstOfClass returns the index of the first image of class c.
func firstOfClass(d Labelled, c int) (int, error) {
	for i, l := range d.Labels {
		if int(l) == c {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no image of class %d", c)
}

// resized returns image i of d resized to 16x16, unrounded.
func resized(d Labelled, i int) []float64 {
	return resizeImage(d.Images.Image(i), d.Images.Rows, d.Images.Cols)
}

// takeResized appends to s, resized and rounded, the first n images
// (n <= 0: all) of each of the given classes of d, in the order of d.
func takeResized(s *Split, d Labelled, classes []int, n int) {
	count := map[int]int{}
	want := map[int]bool{}
	for _, c := range classes {
		want[c] = true
	}
	for i, l := range d.Labels {
		c := int(l)
		if want[c] && (n <= 0 || count[c] < n) {
			s.appendImage(quantise(resized(d, i)), c)
			count[c]++
		}
	}
}

// classesOf returns the ascending list lo..hi.
func classesOf(lo, hi int) []int {
	var cs []int
	for c := lo; c <= hi; c++ {
		cs = append(cs, c)
	}
	return cs
}

func imageSplit(name string) Split { return Split{Name: name, Dim: ImageSide * ImageSide} }

// instanceMNIST builds InstanceMNIST from the MNIST training set: the first
// training image of each class, resized to 16x16 (unrounded); training:
// perClass noisy copies (noisyCopy) of the class-0 and class-1 images;
// test: testPerClass fresh noisy copies of each; out-of-distribution:
// "classes 2-9", testPerClass noisy copies of each class's image, and
// "interpolation", testPerClass noisy interpolations between the class-0 and
// class-1 images. Samples are ordered class by class.
func instanceMNIST(train Labelled, perClass, testPerClass int, seed uint64) (*Set, error) {
	var base [10][]float64
	for c := range 10 {
		i, err := firstOfClass(train, c)
		if err != nil {
			return nil, fmt.Errorf("instance-mnist: MNIST training set: %w", err)
		}
		base[c] = resized(train, i)
	}
	copies := func(name string, classes []int, n int, stream uint64) Split {
		rng := rand.New(rand.NewPCG(seed, stream))
		s := imageSplit(name)
		for _, c := range classes {
			for range n {
				s.appendImage(noisyCopy(base[c], rng), c)
			}
		}
		return s
	}
	interp := imageSplit("interpolation")
	rng := rand.New(rand.NewPCG(seed, streams.InstanceInterp))
	for range testPerClass {
		interp.appendImage(noisyCopy(interpolate(base[0], base[1], rng), rng), -1)
	}
	return &Set{
		Name: "instance-mnist", Dim: ImageSide * ImageSide, Image: true, Classes: []int{0, 1},
		Train: copies("train", []int{0, 1}, perClass, streams.InstanceTrain),
		Test:  copies("test", []int{0, 1}, testPerClass, streams.InstanceTest),
		OOD:   []Split{copies("classes 2-9", classesOf(2, 9), testPerClass, streams.InstanceOOD), interp},
	}, nil
}

// subsetMNIST builds SubsetMNIST: training, the first perClass MNIST
// training images of classes 0 and 1 (in MNIST order); test, the MNIST
// test images of classes 0 and 1; out-of-distribution, "classes 2-9" (the
// MNIST test images of those classes) and "interpolation": for each i, the
// i-th class-0 and i-th class-1 test images interpolated (no noise, as the
// training set has none), rounded. testPerClass > 0 keeps only the first
// testPerClass test images of each class (and as many interpolations).
func subsetMNIST(train, test Labelled, perClass, testPerClass int, seed uint64) (*Set, error) {
	set := &Set{
		Name: "subset-mnist", Dim: ImageSide * ImageSide, Image: true, Classes: []int{0, 1},
		Train: imageSplit("train"), Test: imageSplit("test"),
	}
	takeResized(&set.Train, train, []int{0, 1}, perClass)
	for _, c := range []int{0, 1} {
		if n := len(set.Train.PerClass(c, "").Labels); n < perClass {
			return nil, fmt.Errorf("subset-mnist: MNIST training set has %d images of class %d, want %d", n, c, perClass)
		}
	}
	takeResized(&set.Test, test, []int{0, 1}, testPerClass)
	ood := imageSplit("classes 2-9")
	takeResized(&ood, test, classesOf(2, 9), testPerClass)
	var idx [2][]int
	for i, l := range test.Labels {
		if l <= 1 {
			idx[l] = append(idx[l], i)
		}
	}
	n := min(len(idx[0]), len(idx[1]))
	if testPerClass > 0 {
		n = min(n, testPerClass)
	}
	interp := imageSplit("interpolation")
	rng := rand.New(rand.NewPCG(seed, streams.SubsetInterp))
	for i := range n {
		interp.appendImage(quantise(interpolate(resized(test, idx[0][i]), resized(test, idx[1][i]), rng)), -1)
	}
	set.OOD = []Split{ood, interp}
	return set, nil
}

// fashionMNIST builds the FashionMNIST experiment: training, the first
// perClass images of each class of our FashionMNIST training split; test,
// the FashionMNIST test split; out-of-distribution, "MNIST", the MNIST test
// set. testPerClass > 0 keeps the first testPerClass of each class of both
// test sets.
func fashionMNIST(fTrain, fTest, mTest Labelled, perClass, testPerClass int) (*Set, error) {
	all := classesOf(0, 9)
	set := &Set{
		Name: "fashion-mnist", Dim: ImageSide * ImageSide, Image: true, Classes: all,
		Train: imageSplit("train"), Test: imageSplit("test"),
	}
	takeResized(&set.Train, fTrain, all, perClass)
	if set.Train.N != 10*perClass {
		return nil, fmt.Errorf("fashion-mnist: training split has %d images, want %d per class", set.Train.N, perClass)
	}
	takeResized(&set.Test, fTest, all, testPerClass)
	ood := imageSplit("MNIST")
	takeResized(&ood, mTest, all, testPerClass)
	set.OOD = []Split{ood}
	return set, nil
}

// fullSet is a whole 10-class source, resized: training and test splits
// (perClass and testPerClass > 0 keep the first so many of each class).
func fullSet(name string, train, test Labelled, perClass, testPerClass int) *Set {
	all := classesOf(0, 9)
	set := &Set{
		Name: name, Dim: ImageSide * ImageSide, Image: true, Classes: all,
		Train: imageSplit("train"), Test: imageSplit("test"),
	}
	takeResized(&set.Train, train, all, perClass)
	takeResized(&set.Test, test, all, testPerClass)
	return set
}

// HoldOut splits s at random (seeded) into a training part and a held-out
// part of round(frac * N) points, at least one of each; s is left
// unchanged. It is how a file of points, which has no test split of its
// own, gets one for training.
func (s *Split) HoldOut(frac float64, seed uint64) (train, test Split, err error) {
	if s.N < 2 {
		return train, test, fmt.Errorf("%s: %d point(s): at least 2 are needed to hold some out for testing", s.Name, s.N)
	}
	if !(frac > 0 && frac < 1) {
		return train, test, fmt.Errorf("%s: held-out fraction %g outside (0, 1)", s.Name, frac)
	}
	nt := min(max(1, int(math.Round(frac*float64(s.N)))), s.N-1)
	perm := rand.New(rand.NewPCG(seed, streams.HoldOut)).Perm(s.N)
	take := func(name string, idx []int) Split {
		p := Split{Name: name, N: len(idx), Dim: s.Dim, X: make([]float64, 0, len(idx)*s.Dim), Labels: make([]int, 0, len(idx))}
		for _, i := range idx {
			p.X = append(p.X, s.X[i*s.Dim:(i+1)*s.Dim]...)
			p.Labels = append(p.Labels, s.Labels[i])
		}
		return p
	}
	return take(s.Name+" (train)", perm[nt:]), take(s.Name+" (held out)", perm[:nt]), nil
}
