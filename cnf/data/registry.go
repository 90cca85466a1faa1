package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// Options configures Load. Zero values select the defaults.
type Options struct {
	// Dir is the data directory (DefaultDir when empty).
	Dir string
	// Seed seeds every random draw of the construction.
	Seed uint64
	// Classes are the training classes of "moons" (default 0, 1).
	Classes []int
	// PerClass is the number of training samples per class (default
	// DefaultPerClass; for "mnist", 0 means all).
	PerClass int
	// TestPerClass is the number of test samples per class: for "moons" and
	// "instance-mnist" the number drawn (default DefaultTestPerClass); for
	// the sets of real test images a cap (0: all).
	TestPerClass int
	// Moons is the shape of "moons" (zero: the default shape).
	Moons MoonsShape
}

// Defaults of Options.
const (
	DefaultPerClass     = 1280
	DefaultTestPerClass = 1000
)

type loader func(o Options) (*Set, error)

var registry = map[string]loader{
	"moons":          loadMoons,
	"instance-mnist": loadInstance,
	"subset-mnist":   loadSubset,
	"fashion-mnist":  loadFashion,
	"mnist":          loadFullMNIST,
	"fashion-mnist-full": func(o Options) (*Set, error) {
		tr, te, err := LoadFashionMNIST(o.Dir)
		if err != nil {
			return nil, err
		}
		return fullSet("fashion-mnist-full", tr, te, o.PerClass, o.TestPerClass), nil
	},
}

// Names lists the dataset names Load accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Load builds the named dataset:
//   - "moons": the cascading moons, training on opts.Classes; test, fresh
//     samples of the training classes; out-of-distribution, one split per
//     other class ("class 2", ...);
//   - "instance-mnist", "subset-mnist", "fashion-mnist": the image sets of
//     the paper (see instanceMNIST, subsetMNIST, fashionMNIST);
//   - "mnist", "fashion-mnist-full": the whole 10-class sources resized to
//     16x16, for training the feature classifier;
//   - a path ending in .csv or .npy: the points of that file (LoadPoints) as
//     the training split, with no test or out-of-distribution splits.
func Load(name string, opts Options) (*Set, error) {
	if IsPointFile(name) {
		tr, err := LoadPoints(name)
		if err != nil {
			return nil, err
		}
		return &Set{Name: name, Dim: tr.Dim, Classes: classList(tr.Labels), Train: *tr}, nil
	}
	l, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown dataset %q: valid names are %s, or a .csv or .npy file of points", name, strings.Join(Names(), ", "))
	}
	if opts.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		opts.Dir = d
	}
	if opts.PerClass < 0 || opts.TestPerClass < 0 {
		return nil, fmt.Errorf("dataset %s: negative sample counts (per class %d, test per class %d)", name, opts.PerClass, opts.TestPerClass)
	}
	return l(opts)
}

// IsPointFile reports whether Load reads name as a file of points (a path
// ending in .csv or .npy) rather than a named dataset.
func IsPointFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".csv" || ext == ".npy"
}

// classList returns the distinct non-negative labels in ascending order.
func classList(labels []int) []int {
	var cs []int
	for _, l := range labels {
		if l >= 0 && !slices.Contains(cs, l) {
			cs = append(cs, l)
		}
	}
	slices.Sort(cs)
	return cs
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func loadMoons(o Options) (*Set, error) {
	classes := o.Classes
	if len(classes) == 0 {
		classes = []int{0, 1}
	}
	classes = slices.Clone(classes)
	slices.Sort(classes)
	if len(slices.Compact(slices.Clone(classes))) != len(classes) {
		return nil, fmt.Errorf("moons: repeated training class in %v", o.Classes)
	}
	n, nt := orDefault(o.PerClass, DefaultPerClass), orDefault(o.TestPerClass, DefaultTestPerClass)
	x, lab, err := o.Moons.Moons(n, classes, o.Seed)
	if err != nil {
		return nil, err
	}
	set := &Set{Name: "moons", Dim: 2, Classes: classes, Train: Split{Name: "train", N: len(lab), Dim: 2, X: x, Labels: lab}}
	for c := range MoonsClasses {
		x, lab, _ := o.Moons.moons(nt, []int{c}, o.Seed, streams.MoonsTest)
		s := Split{Name: fmt.Sprintf("class %d", c), N: nt, Dim: 2, X: x, Labels: lab}
		if slices.Contains(classes, c) {
			set.Test.X = append(set.Test.X, x...)
			set.Test.Labels = append(set.Test.Labels, lab...)
			set.Test.N += nt
		} else {
			set.OOD = append(set.OOD, s)
		}
	}
	set.Test.Name, set.Test.Dim = "test", 2
	return set, nil
}

func loadInstance(o Options) (*Set, error) {
	tr, _, err := LoadMNIST(o.Dir)
	if err != nil {
		return nil, err
	}
	return instanceMNIST(tr, orDefault(o.PerClass, DefaultPerClass), orDefault(o.TestPerClass, DefaultTestPerClass), o.Seed)
}

func loadSubset(o Options) (*Set, error) {
	tr, te, err := LoadMNIST(o.Dir)
	if err != nil {
		return nil, err
	}
	return subsetMNIST(tr, te, orDefault(o.PerClass, DefaultPerClass), o.TestPerClass, o.Seed)
}

func loadFashion(o Options) (*Set, error) {
	ftr, fte, err := LoadFashionMNIST(o.Dir)
	if err != nil {
		return nil, err
	}
	_, mte, err := LoadMNIST(o.Dir)
	if err != nil {
		return nil, err
	}
	return fashionMNIST(ftr, fte, mte, orDefault(o.PerClass, DefaultPerClass), o.TestPerClass)
}

func loadFullMNIST(o Options) (*Set, error) {
	tr, te, err := LoadMNIST(o.Dir)
	if err != nil {
		return nil, err
	}
	return fullSet("mnist", tr, te, o.PerClass, o.TestPerClass), nil
}
