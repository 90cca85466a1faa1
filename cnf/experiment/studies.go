package experiment

// The four studies of the paper, registered in the paper's order, the
// order of reports, and the sensitivity study of the moons, each with its
// measured times (see TimingMachine): the one place the documentation and
// `mmcnf reproduce -h` take them from.
// The image studies' default runs (6 units of 1,000 iterations each) are
// timed per training iteration: the wall times of `mmcnf train` with the
// settings of the study's GMM unit of seed 0 for 4 and for 1 iteration
// (with 4 test points per class, so that the held-out evaluation at the
// end is short), their difference divided by 3. An iteration takes more
// evaluations, and longer, as the flow learns; the whole runs of their
// reference reports, at fewer iterations, are timed as docs/results says
// (its commits and load). The sensitivity study's
// default run, 60 moons units, is not timed whole either: its line gives
// the training times of the moons units of make run like most of its own.
func init() {
	register(moonsStudy(), Timing{
		Defaults: "174 s (load average 1.4) by make run, in two one-thread processes",
		Quick:    "3.7 s (load average 3.0) and 2.5 s (load average 3.2)",
	})
	register(mnistStudy("instance-mnist", "InstanceMNIST", map[string]float64{BaseStandard: 97.59, BaseGMM: 84.68}, false), Timing{
		Defaults: "6.4 s (load average 3.3) and 5.9 s (load average 4.1) per training iteration, at the 20 evaluations per solve of the first ones; its reference report (2 seeds x 50 iterations, docs/results) took 34 min in two one-thread processes",
		Quick:    "3.2 s (load average 3.0) and 2.9 s (load average 3.2)",
	})
	register(mnistStudy("subset-mnist", "SubsetMNIST", map[string]float64{BaseStandard: 144.26, BaseGMM: 137.20}, true), Timing{
		Defaults: "6.1 s (load average 3.7) and 5.5 s (load average 4.0) per training iteration, at the 20 evaluations per solve of the first ones; its reference report (2 seeds x 150 iterations, docs/results) took 79 min in two one-thread processes",
		Quick:    "3.0 s (load average 3.0) and 2.6 s (load average 3.2)",
	})
	register(fashionStudy(), Timing{
		Defaults: "5.5 s (load average 3.9) and 5.8 s (load average 4.0) per training iteration, at the 20 evaluations per solve of the first ones; its reference report (2 seeds x 80 iterations, docs/results) took 57 min in two one-thread processes",
		Quick:    "5.0 s (load average 3.1) and 5.6 s (load average 3.3)",
	})
	register(sensitivityStudy(), Timing{
		Defaults: "not timed whole: 60 units, 48 as long as a D{4,5} unit of the moons and 12 shorter; those of make run trained in 14 to 51 s each on one thread",
		Quick:    "6.6 s (load average 3.1) and 6.5 s (load average 3.3)",
	})
}
