package main

import (
	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// dataFlags binds the dataset flags shared by train and eval to d, their
// defaults those of recipe.Defaults.
func dataFlags(f *cmdFlags, d *recipe.DataOptions) {
	def := recipe.Defaults().Data
	*d = def
	f.StringVar(&d.Name, "data", def.Name, "dataset: moons, instance-mnist, subset-mnist, fashion-mnist, mnist, fashion-mnist-full, or a .csv/.npy file of points (train holds a seeded tenth of a file out for evaluation)")
	f.TextVar(&d.Classes, "classes", def.Classes, "moons only: the training classes 0..5, a comma-separated `list` (GMM components in ascending order)")
	f.IntVar(&d.PerClass, "n-train", def.PerClass, "training points per class (0: the dataset's default, 1280)")
	f.IntVar(&d.TestPerClass, "n-test", def.TestPerClass, "test points per class, also the held-out set of training (0: the dataset's default)")
	f.Uint64Var(&d.Seed, "data-seed", def.Seed, "seed of the dataset's construction (moons points, noisy copies, subsets)")
	f.StringVar(&d.Dir, "data-dir", def.Dir, "directory of the MNIST and FashionMNIST files (default: $MMCNF_DATA_DIR or the user cache)")
}
