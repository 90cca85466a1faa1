package kernels

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// forEachImpl runs f once for every tier, with the kernels switched to it,
// as a subtest named after it. A tier this machine or build cannot run is
// skipped by name, with the reason.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, name := range allNames() {
		t.Run(name, func(t *testing.T) {
			restore, err := Use(name)
			if err != nil {
				t.Skipf("skipping tier %s: %v", name, err)
			}
			defer restore()
			f(t)
		})
	}
}

// TestTiers names the tiers every forEachImpl table runs under on this
// machine and build, and those it skips; make test prints the line.
func TestTiers(t *testing.T) {
	var skipped []string
	for _, name := range allNames() {
		if !slices.Contains(Available(), name) {
			skipped = append(skipped, name)
		}
	}
	if len(Available()) == 0 || !slices.Contains(Available(), "purego") {
		t.Fatalf("Available() = %v, want at least purego", Available())
	}
	skips := "none"
	if len(skipped) > 0 {
		skips = strings.Join(skipped, ", ")
	}
	t.Logf("kernel tiers tested: %s; skipped: %s", strings.Join(Available(), ", "), skips)
}

func TestUse(t *testing.T) {
	for _, name := range []string{"sse", "", "AVX2"} {
		if _, err := Use(name); err == nil || !strings.Contains(err.Error(), "no tier named") {
			t.Errorf("Use(%q) = %v, want an error naming no tier", name, err)
		}
	}
	for _, name := range allNames() {
		restore, err := Use(name)
		if slices.Contains(Available(), name) != (err == nil) {
			t.Fatalf("Use(%q): error %v, but Available() = %v", name, err, Available())
		}
		if err != nil {
			if !strings.Contains(err.Error(), "does not run on this machine") {
				t.Errorf("Use(%q): %v, want an error saying it does not run here", name, err)
			}
			continue
		}
		if Impl() != name {
			t.Errorf("after Use(%q), Impl() = %q", name, Impl())
		}
		restore()
		if got, want := Impl(), Available()[0]; got != want {
			t.Fatalf("after restore, Impl() = %q, want the start-up tier %q", got, want)
		}
	}
}

// machines are the feature sets chooseTier and available are tested on.
var machines = map[string]func(tier) bool{
	"avx512": func(tier) bool { return true },
	"avx2":   func(t tier) bool { return t <= tierAVX2 },
	"purego": func(t tier) bool { return t == tierPurego },
}

func TestChooseTier(t *testing.T) {
	cases := []struct {
		machine, kernels, purego string
		want                     tier
		note                     string // a part of the note; empty: no note
	}{
		{"avx512", "", "", tierAVX512, ""},
		{"avx2", "", "", tierAVX2, ""},
		{"purego", "", "", tierPurego, ""},
		{"avx512", "", "1", tierPurego, ""},
		{"avx512", "", "0", tierAVX512, ""},
		{"avx512", "avx2", "", tierAVX2, ""},
		{"avx512", "purego", "", tierPurego, ""},
		{"avx512", "purego", "1", tierPurego, ""},
		{"avx2", "avx2", "", tierAVX2, ""},
		{"avx512", "avx2", "1", tierAVX2, "MMCNF_KERNELS=avx2 overrides MMCNF_PUREGO=1"},
		{"avx2", "avx512", "", tierAVX2, "MMCNF_KERNELS=avx512: tier avx512 does not run on this machine and build (available: avx2, purego); using avx2"},
		{"purego", "avx2", "", tierPurego, "MMCNF_KERNELS=avx2: tier avx2 does not run on this machine and build (available: purego); using purego"},
		{"avx512", "sse", "", tierAVX512, `MMCNF_KERNELS=sse: no tier named "sse" (want avx512, avx2, purego); using avx512`},
		{"avx2", "AVX2", "1", tierAVX2, `no tier named "AVX2"`},
	}
	for _, c := range cases {
		got, note := chooseTier(c.kernels, c.purego, machines[c.machine])
		if got != c.want || (c.note == "") != (note == "") || !strings.Contains(note, c.note) {
			t.Errorf("on an %s machine, MMCNF_KERNELS=%q MMCNF_PUREGO=%q: %s with note %q, want %s with a note holding %q",
				c.machine, c.kernels, c.purego, got, note, c.want, c.note)
		}
	}
}

func TestAvailable(t *testing.T) {
	cases := []struct {
		machine string
		start   tier
		want    string
	}{
		{"avx512", tierAVX512, "avx512 avx2 purego"},
		{"avx512", tierAVX2, "avx2 avx512 purego"},
		{"avx512", tierPurego, "purego avx512 avx2"},
		{"avx2", tierAVX2, "avx2 purego"},
		{"avx2", tierPurego, "purego avx2"},
		{"purego", tierPurego, "purego"},
	}
	for _, c := range cases {
		if got := strings.Join(available(c.start, machines[c.machine]), " "); got != c.want {
			t.Errorf("on an %s machine starting with %s: %q, want %q", c.machine, c.start, got, c.want)
		}
	}
	if got := Available(); got[0] != startTier.String() || !slices.Contains(got, "purego") {
		t.Errorf("Available() = %v, want the start-up tier %s first and purego in it", got, startTier)
	}
}

// TestStartTierFromEnvironment runs this test binary again with the
// environment set, and checks the tier it starts with and what it says on
// standard error.
func TestStartTierFromEnvironment(t *testing.T) {
	if name := os.Getenv("MMCNF_TEST_REPORT_TIER"); name != "" {
		os.Stdout.WriteString(name + "=" + Impl() + "\n")
		return
	}
	bin, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-run the test binary: %v", err)
	}
	type envCase struct {
		kernels, purego string
		want            tier
		note            string // how standard error starts; empty: nothing on it
	}
	best := bestTier(tier.runs)
	cases := []envCase{
		{"", "", best, ""},
		{"", "1", tierPurego, ""},
		{"purego", "", tierPurego, ""},
		{"sse", "", best, `mmcnf: kernels: MMCNF_KERNELS=sse: no tier named "sse"`},
	}
	for _, name := range []string{"avx512", "avx2"} {
		if t, err := lookupTier(name, tier.runs); err == nil {
			cases = append(cases, envCase{name, "", t, ""})
		} else {
			cases = append(cases, envCase{name, "", best, "mmcnf: kernels: MMCNF_KERNELS=" + name + ": tier " + name + " does not run"})
		}
	}
	for _, c := range cases {
		cmd := exec.Command(bin, "-test.run=^TestStartTierFromEnvironment$")
		cmd.Env = append(os.Environ(), "MMCNF_TEST_REPORT_TIER=tier", "MMCNF_KERNELS="+c.kernels, "MMCNF_PUREGO="+c.purego)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("MMCNF_KERNELS=%q MMCNF_PUREGO=%q: %v\n%s", c.kernels, c.purego, err, stderr.String())
		}
		if !strings.Contains(string(out), "tier="+c.want.String()+"\n") {
			t.Errorf("MMCNF_KERNELS=%q MMCNF_PUREGO=%q: started with %q, want %s", c.kernels, c.purego, out, c.want)
		}
		note := strings.TrimSpace(stderr.String())
		if (c.note == "") != (note == "") || !strings.HasPrefix(note, c.note) || strings.Count(note, "\n") != 0 {
			t.Errorf("MMCNF_KERNELS=%q MMCNF_PUREGO=%q: standard error %q, want one line starting %q", c.kernels, c.purego, note, c.note)
		}
	}
}
