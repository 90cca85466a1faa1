package experiment

// The four studies of the paper, registered in the paper's order, the
// order of reports, each with its measured times (see TimingMachine): the
// one place the documentation and `mmcnf reproduce -h` take them from.
// The image studies' default runs (6 units of 1,000 iterations each) are
// timed per training iteration, measured as the difference between runs
// of 4 and of 1 iteration of a unit divided by 3; an iteration takes more
// evaluations, and longer, as the flow learns.
func init() {
	register(moonsStudy(), Timing{
		Defaults: "68 s (load average 8.8) and 78 s (load average 11.8)",
		Quick:    "1.8 s (load average 7.1) and 4.4 s (load average 10.3)",
	})
	register(mnistStudy("instance-mnist", "InstanceMNIST", map[string]float64{BaseStandard: 97.59, BaseGMM: 84.68}, false), Timing{
		Defaults: "6.4 s (load average 6.4) and 14.8 s (load average 15.1) per training iteration, at the 20 evaluations per solve of the first ones",
		Quick:    "2.9 s (load average 6.7) and 3.9 s (load average 10.2)",
	})
	register(mnistStudy("subset-mnist", "SubsetMNIST", map[string]float64{BaseStandard: 144.26, BaseGMM: 137.20}, true), Timing{
		Defaults: "10.0 s (load average 6.0) and 20.3 s (load average 15.8) per training iteration, at the 20 evaluations per solve of the first ones",
		Quick:    "3.1 s (load average 6.7) and 3.5 s (load average 10.3)",
	})
	register(fashionStudy(), Timing{
		Defaults: "83 s (load average 8.1 rising to 18.3) and 5.1 s (load average 13.6) per training iteration, at the 20 evaluations per solve of the first ones",
		Quick:    "5.3 s (load average 6.5) and 7.7 s (load average 10.5)",
	})
}
