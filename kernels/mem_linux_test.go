package kernels

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags line of the mapping of /proc/self/smaps that
// holds address p.
func vmFlags(t *testing.T, p uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 { // a mapping's header line
			in = lo <= p && p < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return line
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return ""
}

func TestMakeFloatsAdvisesHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("kernel without transparent huge pages")
	}
	s := MakeFloats(3 * hugePage / 8)
	for _, i := range []int{0, len(s) - 1} {
		if fl := vmFlags(t, uintptr(unsafe.Pointer(&s[i]))); !strings.Contains(fl+" ", " hg ") {
			t.Errorf("element %d of a %d-byte MakeFloats slice: mapping has %q, want the hg (MADV_HUGEPAGE) flag", i, 8*len(s), fl)
		}
	}
}
