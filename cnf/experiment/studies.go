package experiment

// The four studies of the paper. Defaults for the moons are sized to finish
// in a few minutes on a 2-core machine; the image studies' defaults are
// long on such a machine (see Expected) and --quick shrinks any study to a
// smoke test of a couple of minutes.
func init() {
	quickImage := Settings{Seeds: 1, Iters: 4, Batch: 16, LR: 1e-3, Solver: "rk4", Steps: 2,
		Trace: "hutchinson", Hidden: []int{8, 8}, TrainPerClass: 32, EvalPerSet: 16, Samples: 4,
		CheckpointEvery: 2, Quick: true}
	register(&Study{
		Name: "moons",
		TrainSets: []TrainSet{
			{Name: "D{0,1}", Slug: "d01", Classes: []int{0, 1}},
			{Name: "D{4,5}", Slug: "d45", Classes: []int{4, 5}},
		},
		Defaults: Settings{Seeds: 3, Iters: 150, Batch: 256, LR: 1e-2, Solver: "dopri5", RTol: 1e-4, ATol: 1e-4,
			Trace: "exact", Hidden: []int{32}, Width: 64, TrainPerClass: 2000, EvalPerSet: 1000, Samples: 1000,
			CheckpointEvery: 50},
		Quick: Settings{Seeds: 1, Iters: 20, Batch: 64, LR: 1e-2, Solver: "rk4", Steps: 4,
			Trace: "exact", Hidden: []int{16}, Width: 16, TrainPerClass: 200, EvalPerSet: 100, Samples: 100,
			CheckpointEvery: 10, Quick: true},
		Expected: "7 to 10 minutes on 2 cores",
	})
	mnist := func(name, title string, wn bool) *Study {
		classes := []int{0, 1}
		if name == "fashion-mnist" {
			classes = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		}
		q := quickImage
		q.WeightNorm = wn
		return &Study{
			Name:      name,
			Image:     true,
			TrainSets: []TrainSet{{Name: title, Slug: name, Classes: classes}},
			Defaults: Settings{Seeds: 3, Iters: 1000, Batch: 64, LR: 1e-3, Solver: "dopri5", RTol: 1e-5, ATol: 1e-5,
				Trace: "hutchinson", Hidden: []int{64, 64, 64}, WeightNorm: wn, TrainPerClass: 1280, EvalPerSet: 500,
				Samples: 64, CheckpointEvery: 20},
			Quick:    q,
			Expected: "days on 2 cores at these defaults; scale --iters down",
		}
	}
	register(mnist("instance-mnist", "InstanceMNIST", false))
	register(mnist("subset-mnist", "SubsetMNIST", false))
	register(mnist("fashion-mnist", "FashionMNIST", true))
}
