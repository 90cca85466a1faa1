// Package sysmem tells how much memory this process can count on, so that
// a run whose estimate exceeds it is refused before it allocates anything.
package sysmem

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// EnvVar names the environment variable that replaces what the system
// reports: a number of bytes, optionally with a suffix K, M, G or T
// (powers of 1024, "KiB" and "KB" alike), e.g. "4G".
const EnvVar = "MMCNF_MEMORY"

// Limit is the memory a process can count on and where the figure comes
// from.
type Limit struct {
	// Bytes is the memory available.
	Bytes float64
	// Source names the figure: "MemAvailable", "cgroup memory.max",
	// "MemTotal", EnvVar, or Unknown.
	Source string
}

// Unknown is the source of the limit assumed where the system reports
// none: Unlimited bytes.
const Unknown = "no figure from the system"

// Unlimited is the memory assumed where the system reports none, 256 TiB:
// more than any machine holds, so that only sizes no machine could hold
// are refused.
const Unlimited = 1 << 48

// String returns the limit with its source, e.g. "22.7 GiB (MemAvailable)".
func (l Limit) String() string { return fmt.Sprintf("%s (%s)", Format(l.Bytes), l.Source) }

// Available returns the memory this process can count on: the value of
// EnvVar when it is set, else what the system reports (on Linux the
// lower of MemAvailable in /proc/meminfo and the memory limit of the
// process's cgroup, v1 or v2; MemTotal on kernels without MemAvailable),
// else Unlimited. A malformed EnvVar is an error.
func Available() (Limit, error) {
	if s, ok := os.LookupEnv(EnvVar); ok {
		b, err := Parse(s)
		if err != nil {
			return Limit{}, fmt.Errorf("%s=%q: %w", EnvVar, s, err)
		}
		return Limit{Bytes: b, Source: EnvVar}, nil
	}
	return system(), nil
}

// Parse reads a number of bytes with an optional suffix K, M, G or T
// (powers of 1024, with or without "iB" or "B").
func Parse(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	scale := 1.0
	for i, unit := range []string{"K", "M", "G", "T"} {
		if strings.HasSuffix(t, unit) {
			t, scale = strings.TrimSuffix(t, unit), math.Pow(1024, float64(i+1))
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a positive number of bytes such as 4G or 512M")
	}
	return v * scale, nil
}

// Format writes a number of bytes for people: "512 B", "1.5 KiB",
// "22.7 GiB", up to EiB.
func Format(b float64) string {
	if b < 1024 {
		return fmt.Sprintf("%.0f B", b)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	for i, u := range units {
		v := b / math.Pow(1024, float64(i+1))
		if v < 1024 || i == len(units)-1 {
			if v < 10 {
				return fmt.Sprintf("%.2f %s", v, u)
			}
			return fmt.Sprintf("%.1f %s", v, u)
		}
	}
	panic("unreachable")
}
