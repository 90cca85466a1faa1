// Package recipe is the one way from a dataset and plain options to a
// trained flow: it validates the options, loads the dataset, maps class
// labels to base components, computes the base means in the flow's space,
// builds the cnf.Config and runs the training loop in a model directory,
// which records the options in run.json beside the model. Every default of
// a training run and every "auto" choice (dynamics, trace) lives here; the
// command line takes its flag defaults from Defaults, and the studies of
// cnf/experiment translate their settings into Options.
//
// The entry points: Defaults and Options.Validate; Train (a fresh run or
// one continued from a checkpoint) and Resume (the options and checkpoint
// of a run to continue); OpenModel, Evaluate and Sample for a trained
// model directory.
package recipe
