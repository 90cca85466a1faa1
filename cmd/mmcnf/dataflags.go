package main

// dataFlags binds the dataset flags shared by train and eval to o.
func dataFlags(f *cmdFlags, o *dataOptions, classes string) {
	f.StringVar(&o.Name, "data", "moons", "dataset: moons, instance-mnist, subset-mnist, fashion-mnist, mnist, fashion-mnist-full, or a .csv/.npy file of points (train holds a seeded tenth of a file out for evaluation)")
	f.StringVar(&o.Classes, "classes", classes, "moons only: comma-separated training classes 0..5 (GMM components in ascending order)")
	f.IntVar(&o.PerClass, "n-train", 0, "training points per class (0: the dataset's default, 1280)")
	f.IntVar(&o.TestPerClass, "n-test", 0, "test points per class, also the held-out set of training (0: the dataset's default)")
	f.Uint64Var(&o.Seed, "data-seed", 1, "seed of the dataset's construction (moons points, noisy copies, subsets)")
	f.StringVar(&o.Dir, "data-dir", "", "directory of the MNIST and FashionMNIST files (default: $MMCNF_DATA_DIR or the user cache)")
}
