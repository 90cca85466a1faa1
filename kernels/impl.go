package kernels

import (
	"fmt"
	"os"
	"strings"
)

// A tier is one implementation of every kernel: the pure-Go reference, or
// the assembly for one instruction set. Tiers are ordered: a higher one
// needs every feature of a lower one.
type tier uint8

const (
	tierPurego tier = iota // the references (*_ref.go)
	tierAVX2               // AVX2 and FMA3
	tierAVX512             // AVX-512 F, DQ, BW and VL; AVX2 kernels where a family has no AVX-512 one
	numTiers
)

// tierNames are the tiers' names, as Impl, Available, Use and MMCNF_KERNELS
// spell them.
var tierNames = [numTiers]string{tierPurego: "purego", tierAVX2: "avx2", tierAVX512: "avx512"}

func (t tier) String() string { return tierNames[t] }

// runs reports whether this machine and build can run the tier.
func (t tier) runs() bool {
	switch t {
	case tierAVX512:
		return hasAVX512
	case tierAVX2:
		return hasAVX2
	}
	return t == tierPurego
}

// startTier is the tier chosen at start-up.
var startTier = chooseAtStart()

// active is the tier every kernel dispatches on: startTier, changed only by
// Use.
var active = startTier

// chooseAtStart chooses the start-up tier from the environment, telling
// standard error when the environment asked for a tier it does not get.
func chooseAtStart() tier {
	t, note := chooseTier(os.Getenv("MMCNF_KERNELS"), os.Getenv("MMCNF_PUREGO"), tier.runs)
	if note != "" {
		fmt.Fprintln(os.Stderr, "mmcnf: kernels:", note)
	}
	return t
}

// chooseTier returns the start-up tier: the one named by kernels (the value
// of MMCNF_KERNELS) when it is set, else purego when purego (the value of
// MMCNF_PUREGO) is "1", else the best tier that runs. A name that is no
// tier, or a tier that does not run here, gives the best tier that runs and
// a note saying so; note is empty when the environment got what it asked.
func chooseTier(kernels, purego string, runs func(tier) bool) (t tier, note string) {
	best := bestTier(runs)
	if kernels == "" {
		if purego == "1" {
			return tierPurego, ""
		}
		return best, ""
	}
	t, err := lookupTier(kernels, runs)
	if err != nil {
		return best, fmt.Sprintf("MMCNF_KERNELS=%s: %v; using %s", kernels, err, best)
	}
	if purego == "1" && t != tierPurego {
		return t, fmt.Sprintf("MMCNF_KERNELS=%s overrides MMCNF_PUREGO=1", kernels)
	}
	return t, ""
}

// bestTier returns the best tier that runs (purego always does).
func bestTier(runs func(tier) bool) tier {
	for _, t := range bestFirst() {
		if runs(t) {
			return t
		}
	}
	return tierPurego
}

// lookupTier returns the tier of the given name if it runs here.
func lookupTier(name string, runs func(tier) bool) (tier, error) {
	for t := range numTiers {
		if t.String() != name {
			continue
		}
		if !runs(t) {
			return 0, fmt.Errorf("tier %s does not run on this machine and build (available: %s)", name, strings.Join(available(bestTier(runs), runs), ", "))
		}
		return t, nil
	}
	return 0, fmt.Errorf("no tier named %q (want %s)", name, strings.Join(allNames(), ", "))
}

// bestFirst returns the tiers from the best down.
func bestFirst() [numTiers]tier {
	var ts [numTiers]tier
	for i := range numTiers {
		ts[i] = numTiers - 1 - i
	}
	return ts
}

// allNames lists every tier's name, best first.
func allNames() []string {
	var names []string
	for _, t := range bestFirst() {
		names = append(names, t.String())
	}
	return names
}

// available lists the names of the tiers that run, start first and the
// others best first.
func available(start tier, runs func(tier) bool) []string {
	names := []string{start.String()}
	for _, t := range bestFirst() {
		if t != start && runs(t) {
			names = append(names, t.String())
		}
	}
	return names
}

// Impl names the tier in use: "avx512", "avx2" or "purego".
func Impl() string { return active.String() }

// Available lists the tiers this machine and build can run: the one chosen
// at start-up first, then the others best first. The avx512 tier needs
// AVX-512 F, DQ, BW and VL with the operating system saving their state,
// and the avx2 tier's features; avx2 needs AVX2 and FMA3; purego runs
// everywhere. A build with the purego tag has purego alone.
func Available() []string { return available(startTier, tier.runs) }

// Use switches every kernel to the named tier and returns a function that
// restores the previous one. It is meant for tests and benchmarks and must
// not be called while kernels run.
func Use(name string) (restore func(), err error) {
	t, err := lookupTier(name, tier.runs)
	if err != nil {
		return nil, fmt.Errorf("kernels: %w", err)
	}
	prev := active
	active = t
	return func() { active = prev }, nil
}
