// Command mmcnf trains, evaluates, samples and benchmarks continuous
// normalising flows with Gaussian and Gaussian-mixture bases.
//
// Run `mmcnf help` for the commands and `mmcnf <command> -h` for the flags
// of one command.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: its name, a one-line summary for `mmcnf help`
// and the function that runs it.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order `mmcnf help` shows them.
func commands() []command {
	return []command{
		{"train", "train a flow on a dataset, with checkpoints and --resume", cmdTrain},
		{"eval", "log-likelihood and bits/dim of a trained flow per split and class, out-of-distribution AUROC", cmdEval},
		{"sample", "draw samples from a trained flow (.csv for vectors, PNG grid for images)", cmdSample},
		{"plot", "draw a trained flow of 2-D points: samples over its data and its log-density (PNG or SVG)", cmdPlot},
		{"reproduce", "run a paper experiment end to end (moons, instance-mnist, subset-mnist, fashion-mnist)", reproduce},
		{"bench", "benchmarks: `bench kernels` (one core per kernel) and `bench train` (full training steps)", cmdBench},
		{"data", "datasets: `data fetch` downloads and verifies MNIST and FashionMNIST", cmdData},
		{"help", "show this help", nil},
	}
}

// run executes the command line args (without the program name) and returns
// the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return run(append(rest[:1:1], "-h"), stdout, stderr)
		}
		printHelp(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return exitStatus(c.run(rest, stdout, stderr), stderr)
		}
	}
	return exitStatus(usageErrorf("mmcnf: unknown command %q (run `mmcnf help`)", name), stderr)
}
