package experiment

// The four studies of the paper, registered in the paper's order, the
// order of reports.
func init() {
	register(moonsStudy())
	register(mnistStudy("instance-mnist", "InstanceMNIST", map[string]float64{BaseStandard: 97.59, BaseGMM: 84.68}, false))
	register(mnistStudy("subset-mnist", "SubsetMNIST", map[string]float64{BaseStandard: 144.26, BaseGMM: 137.20}, true))
	register(fashionStudy())
}
