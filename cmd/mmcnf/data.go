package main

import "io"

// cmdData runs `mmcnf data`.
func cmdData(args []string, stdout, stderr io.Writer) error {
	f := newFlags("data", "mmcnf data [flags]", "Not available yet.")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	return usageErrorf("mmcnf data: not available yet")
}
