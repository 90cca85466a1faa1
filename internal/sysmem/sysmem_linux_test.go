package sysmem

import (
	"path/filepath"
	"testing"
)

func TestMeminfo(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "meminfo")
	write(t, p, "MemTotal:       24684096 kB\nMemFree:         1000 kB\nMemAvailable:   23773276 kB\n")
	if v, src, ok := meminfo(p); !ok || v != 23773276*1024 || src != "MemAvailable" {
		t.Errorf("meminfo: %v %q %v", v, src, ok)
	}
	write(t, p, "MemTotal:       1000 kB\nMemFree:         10 kB\n")
	if v, src, ok := meminfo(p); !ok || v != 1000*1024 || src != "MemTotal" {
		t.Errorf("meminfo without MemAvailable: %v %q %v", v, src, ok)
	}
	write(t, p, "garbage\n")
	if _, _, ok := meminfo(p); ok {
		t.Error("meminfo of garbage: ok")
	}
}

func TestCgroupLimit(t *testing.T) {
	root := t.TempDir()
	// v2: the lowest limit on the path counts; "max" is none.
	self := filepath.Join(root, "self-v2")
	write(t, self, "0::/a/b\n")
	write(t, filepath.Join(root, "v2", "a", "b", "memory.max"), "max\n")
	write(t, filepath.Join(root, "v2", "a", "memory.max"), "8589934592\n")
	if v, ok := cgroupLimit(self, filepath.Join(root, "v2")); !ok || v != 8<<30 {
		t.Errorf("v2: %v %v", v, ok)
	}
	// v1: memory.limit_in_bytes under the memory hierarchy; the huge value
	// of no limit is none; a path not visible leaves the root's.
	self = filepath.Join(root, "self-v1")
	write(t, self, "9:name=systemd:/\n4:cpu,memory:/job/42\n")
	write(t, filepath.Join(root, "v1", "memory", "memory.limit_in_bytes"), "9223372036854771712\n")
	if _, ok := cgroupLimit(self, filepath.Join(root, "v1")); ok {
		t.Error("v1 without a limit: ok")
	}
	write(t, filepath.Join(root, "v1", "memory", "memory.limit_in_bytes"), "1073741824\n")
	if v, ok := cgroupLimit(self, filepath.Join(root, "v1")); !ok || v != 1<<30 {
		t.Errorf("v1 root limit: %v %v", v, ok)
	}
	write(t, filepath.Join(root, "v1", "memory", "job", "42", "memory.limit_in_bytes"), "536870912\n")
	if v, ok := cgroupLimit(self, filepath.Join(root, "v1")); !ok || v != 512<<20 {
		t.Errorf("v1 job limit: %v %v", v, ok)
	}
	if _, ok := cgroupLimit(filepath.Join(root, "none"), root); ok {
		t.Error("no membership file: ok")
	}
}

func TestSystem(t *testing.T) {
	l := system()
	if !(l.Bytes > 0) || l.Source == "" {
		t.Errorf("system: %+v", l)
	}
	t.Logf("this machine: %v", l)
}
