package main

import (
	"os"
	"strings"
	"testing"
)

// cliEnv, set in a child's environment, makes the test binary act as the
// mmcnf command itself, so that tests can run it as a separate process
// (to kill it, say) without building it first.
const cliEnv = "MMCNF_TEST_AS_CLI"

// peakEnv, set in such a child's environment to a file name, makes it
// write there, as it exits, the peak resident memory of its own program
// (VmHWM of /proc/self/status, in KiB): the rusage of a child counts the
// memory of the parent it was cloned from until it executed its program.
const peakEnv = "MMCNF_TEST_PEAK_FILE"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		if path := os.Getenv(peakEnv); path != "" {
			status, _ := os.ReadFile("/proc/self/status")
			for _, line := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o644)
				}
			}
		}
		os.Exit(code)
	}
	code := m.Run()
	removeQuickStudies()
	os.Exit(code)
}
