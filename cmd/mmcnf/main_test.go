package main

import (
	"os"
	"testing"
)

// cliEnv, set in a child's environment, makes the test binary act as the
// mmcnf command itself, so that tests can run it as a separate process
// (to kill it, say) without building it first.
const cliEnv = "MMCNF_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	removeQuickStudies()
	os.Exit(code)
}
