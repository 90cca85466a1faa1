package main

import "io"

// cmdSample runs `mmcnf sample`.
func cmdSample(args []string, stdout, stderr io.Writer) error {
	f := newFlags("sample", "mmcnf sample [flags]", "Not available yet.")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	return usageErrorf("mmcnf sample: not available yet")
}
