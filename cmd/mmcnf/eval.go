package main

import "io"

// cmdEval runs `mmcnf eval`.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	f := newFlags("eval", "mmcnf eval [flags]", "Not available yet.")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	return usageErrorf("mmcnf eval: not available yet")
}
