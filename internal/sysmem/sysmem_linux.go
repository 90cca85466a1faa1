package sysmem

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// system reads /proc/meminfo and the cgroup limits.
func system() Limit {
	l := Limit{Bytes: Unlimited, Source: Unknown}
	if v, src, ok := meminfo("/proc/meminfo"); ok {
		l = Limit{Bytes: v, Source: src}
	}
	if v, ok := cgroupLimit("/proc/self/cgroup", "/sys/fs/cgroup"); ok && v < l.Bytes {
		l = Limit{Bytes: v, Source: "cgroup memory.max"}
	}
	return l
}

// meminfo returns MemAvailable from the meminfo file at path, or
// MemTotal when the kernel does not report MemAvailable.
func meminfo(path string) (float64, string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", false
	}
	defer f.Close()
	var total float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && strings.EqualFold(fields[1], "kB") {
			v *= 1024
		}
		switch key {
		case "MemAvailable":
			return v, "MemAvailable", true
		case "MemTotal":
			total = v
		}
	}
	if total > 0 {
		return total, "MemTotal", true
	}
	return 0, "", false
}

// cgroupLimit returns the lowest memory limit of the process's cgroup and
// its ancestors, reading the membership file at self (/proc/self/cgroup)
// and the hierarchies mounted under root: memory.max for cgroup v2,
// memory.limit_in_bytes for v1. Where the process's own path is not
// visible (inside a container, whose cgroup is mounted as the root), the
// root's limit counts.
func cgroupLimit(self, root string) (float64, bool) {
	b, err := os.ReadFile(self)
	if err != nil {
		return 0, false
	}
	best, found := math.Inf(1), false
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var dir, file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir, file = root, "memory.max"
		case hasController(parts[1], "memory"):
			dir, file = filepath.Join(root, "memory"), "memory.limit_in_bytes"
		default:
			continue
		}
		for p := filepath.Clean("/" + parts[2]); ; p = filepath.Dir(p) {
			if v, ok := readLimit(filepath.Join(dir, p, file)); ok && v < best {
				best, found = v, true
			}
			if p == "/" {
				break
			}
		}
	}
	return best, found
}

// hasController reports whether the comma-separated list names c.
func hasController(list, c string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == c {
			return true
		}
	}
	return false
}

// readLimit reads a cgroup limit file: a number of bytes, "max" (none) or
// a v1 value so large that it means none.
func readLimit(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || v <= 0 || v >= 1<<62 {
		return 0, false
	}
	return v, true
}
