package main

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
)

// dataOptions select a dataset of the registry in cnf/data.
type dataOptions struct {
	Name         string `json:"data"`
	Classes      string `json:"classes"`   // moons only: the training classes
	PerClass     int    `json:"n_train"`   // training points per class (0: the dataset's default)
	TestPerClass int    `json:"n_test"`    // test points per class (0: the dataset's default)
	Seed         uint64 `json:"data_seed"` // seeds the dataset's construction
	Dir          string `json:"data_dir"`  // cache of MNIST and FashionMNIST
	classList    []int  // Classes parsed
	isFile       bool   // Name is a .csv or .npy file
}

// isPointFile reports whether name is a .csv or .npy file of points.
func isPointFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".csv" || ext == ".npy"
}

// check validates the dataset name and the class list.
func (o *dataOptions) check(f *cmdFlags, classesSet bool) error {
	if o.PerClass < 0 || o.TestPerClass < 0 {
		return f.errorf("point counts per class must not be negative")
	}
	if isPointFile(o.Name) {
		o.isFile = true
		return nil
	}
	if !slices.Contains(data.Names(), o.Name) {
		return f.errorf("unknown dataset %q (known: %s, or a .csv/.npy file of points)", o.Name, strings.Join(data.Names(), ", "))
	}
	if o.Name != "moons" {
		if classesSet {
			return f.errorf("--classes applies to moons only; %s has fixed classes", o.Name)
		}
		return nil
	}
	cs, err := f.parseInts("classes", o.Classes, true)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c >= data.MoonsClasses {
			return f.errorf("--classes: class %d out of range for moons (0..%d)", c, data.MoonsClasses-1)
		}
	}
	o.classList = cs
	return nil
}

// load builds the dataset; its failures are bad input.
func (o *dataOptions) load(f *cmdFlags) (*data.Set, error) {
	set, err := data.Load(o.Name, data.Options{
		Dir: o.Dir, Seed: o.Seed, Classes: o.classList, PerClass: o.PerClass, TestPerClass: o.TestPerClass,
	})
	if err != nil {
		return nil, f.errorf("--data %s: %v", o.Name, err)
	}
	return set, nil
}

// dataset converts a split to the training loop's form.
func dataset(s data.Split) train.Dataset {
	return train.Dataset{X: s.X, Labels: slices.Clone(s.Labels), Dim: s.Dim}
}

// shapeOf is the shape of one point of set.
func shapeOf(set *data.Set) []int {
	if set.Image {
		return []int{1, data.ImageSide, data.ImageSide}
	}
	return []int{set.Dim}
}
