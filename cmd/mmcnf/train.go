package main

import "io"

// cmdTrain runs `mmcnf train`.
func cmdTrain(args []string, stdout, stderr io.Writer) error {
	f := newFlags("train", "mmcnf train [flags]", "Not available yet.")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	return usageErrorf("mmcnf train: not available yet")
}
