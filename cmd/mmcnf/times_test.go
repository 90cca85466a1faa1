package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/experiment"
)

// TestTimesQuoted: the measured times of the studies are stated once,
// where they are registered; `reproduce -h` prints them with the machine,
// and the documentation quotes them word for word, so that no two
// statements of a time can disagree.
func TestTimesQuoted(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	cli, readme := read("docs/cli.md"), read("README.md")
	var help strings.Builder
	if code := run([]string{"reproduce", "-h"}, &help, &help); code != exitOK {
		t.Fatalf("reproduce -h: exit %d", code)
	}
	for _, name := range experiment.StudyNames() {
		s, _ := experiment.Lookup(name)
		if s.Time.Defaults == "" || s.Time.Quick == "" {
			t.Errorf("%s: no measured time", name)
		}
		line := studyLine(name, s)
		if !strings.Contains(help.String(), line+"\n") {
			t.Errorf("reproduce -h lacks %q", line)
		}
		if !strings.Contains(cli, line+"\n") {
			t.Errorf("docs/cli.md does not quote %q", line)
		}
	}
	if !strings.Contains(oneLine(help.String()), experiment.TimingMachine) || !strings.Contains(oneLine(cli), experiment.TimingMachine) {
		t.Errorf("reproduce -h or docs/cli.md does not name the machine: %q", experiment.TimingMachine)
	}
	moons, _ := experiment.Lookup("moons")
	if !strings.Contains(oneLine(readme), moons.Time.Defaults) {
		t.Errorf("README.md does not quote the time of make run, %q", moons.Time.Defaults)
	}
}
