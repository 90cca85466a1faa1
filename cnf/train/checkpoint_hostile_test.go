package train

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// checkpointMembers returns the members of a valid checkpoint.
func checkpointMembers(t testing.TB) []readtest.Member {
	t.Helper()
	dir := t.TempDir()
	if err := WriteCheckpoint(dir, testCheckpoint()); err != nil {
		t.Fatal(err)
	}
	ms, err := readtest.MembersFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestCheckpointHostile: a damaged, oversized or inconsistent checkpoint is
// one error naming the file and what is wrong, found without a panic and
// without allocating what it declares.
func TestCheckpointHostile(t *testing.T) {
	set := func(name string, data []byte) func([]readtest.Member) []readtest.Member {
		return func(ms []readtest.Member) []readtest.Member { return readtest.Replace(ms, name, data) }
	}
	state := func(edit func(string) string) func([]readtest.Member) []readtest.Member {
		return func(ms []readtest.Member) []readtest.Member {
			for i := range ms {
				if ms[i].Name == "state.json" {
					ms[i].Data = []byte(edit(string(ms[i].Data)))
				}
			}
			return ms
		}
	}
	cases := []struct {
		name string
		edit func([]readtest.Member) []readtest.Member
		want string
	}{
		{"params cut in its header", set("params.npy", readtest.CutNPY),
			"checkpoint.npz: params.npy: truncated"},
		{"params declaring 10^10 values", set("params.npy", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000,), }", make([]byte, 8))),
			"checkpoint.npz: params.npy: truncated: shape (10000000000,) of <f8 needs 80000000000 bytes of data, but 8 follow the header"},
		{"adam_m longer than params", set("adam_m.npy", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", make([]byte, 40))),
			"checkpoint.npz: adam_m.npy: declared size too large: shape (5,) has 5 elements, at most 4 expected"},
		{"params not a vector", set("params.npy", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 32))),
			"params.npy has shape [2 2], want a vector"},
		{"duplicate member", func(ms []readtest.Member) []readtest.Member { return append(ms, ms[0]) },
			`checkpoint.npz: duplicate member "params.npy"`},
		{"trailing data after state.json", state(func(s string) string { return s + "{}" }),
			"state.json: at byte"},
		{"unknown field in state.json", state(func(s string) string { return strings.Replace(s, "{", `{"colour":1,`, 1) }),
			`state.json: json: unknown field "colour"`},
		{"negative log offset", state(func(s string) string { return strings.Replace(s, `"log_offset":99`, `"log_offset":-1`, 1) }),
			"state.json: negative log_offset -1"},
		{"negative elapsed time", state(func(s string) string { return strings.Replace(s, `"elapsed_seconds":1.5`, `"elapsed_seconds":-1`, 1) }),
			"state.json: elapsed_seconds -1 is not a non-negative number"},
		{"negative window", state(func(s string) string { return strings.Replace(s, `"steps":2`, `"steps":-2`, 1) }),
			"state.json: negative log_window steps -2"},
		{"state.json inflating to 64 MiB", func(ms []readtest.Member) []readtest.Member {
			for i := range ms {
				if ms[i].Name == "state.json" {
					ms[i].Data = append(ms[i].Data, bytes.Repeat([]byte(" "), 64<<20)...)
					ms[i].Method = zip.Deflate
				}
			}
			return ms
		}, "checkpoint.npz: state.json: declared size too large: 67109345 bytes, at most 1048576 accepted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := readtest.Zip(tc.edit(checkpointMembers(t)))
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, CheckpointFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			n := readtest.Allocated(func() { _, err = ReadCheckpoint(dir) })
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %v, want one naming %s and %q", err, dir, tc.want)
			}
			if n > 8<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

// FuzzReadCheckpoint: no checkpoint file makes the reader panic, or
// allocate more than a few times what its members inflate to; an accepted
// one is consistent and reads back the same once written again.
func FuzzReadCheckpoint(f *testing.F) {
	f.Add(readtest.Zip(checkpointMembers(f)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, CheckpointFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		var c *Checkpoint
		var err error
		n := readtest.Allocated(func() { c, err = ReadCheckpoint(dir) })
		if limit := 64*readtest.Inflated(b) + 16*uint64(len(b)) + 1<<20; n > limit {
			t.Fatalf("allocated %d bytes reading %d (limit %d)", n, len(b), limit)
		}
		if err != nil {
			if strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), filepath.Join(dir, CheckpointFile)) {
				t.Fatal(err)
			}
			return
		}
		if len(c.Params) == 0 || len(c.AdamM) != len(c.Params) || len(c.AdamV) != len(c.Params) || c.Iteration < 0 || c.LogOffset < 0 {
			t.Fatalf("inconsistent checkpoint accepted: %+v", c)
		}
		again := t.TempDir()
		if err := WriteCheckpoint(again, c); err != nil {
			t.Fatal(err)
		}
		c2, err := ReadCheckpoint(again)
		if err != nil {
			t.Fatalf("written out and read again: %v", err)
		}
		if !slices.Equal(c2.Params, c.Params) || !slices.Equal(c2.AdamM, c.AdamM) || !slices.Equal(c2.AdamV, c.AdamV) ||
			c2.Iteration != c.Iteration || !bytes.Equal(c2.RNG, c.RNG) || c2.LogOffset != c.LogOffset || c2.Window != c.Window || c2.Config != c.Config {
			t.Fatalf("round trip changed %+v into %+v", c, c2)
		}
	})
}
