package train

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// member is one raw member of a checkpoint archive.
type member struct {
	name   string
	data   []byte
	method uint16
}

// checkpointMembers returns the members of a valid checkpoint, raw.
func checkpointMembers(t testing.TB) []member {
	t.Helper()
	dir := t.TempDir()
	if err := WriteCheckpoint(dir, testCheckpoint()); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var out []member
	for _, f := range z.File {
		r, _ := f.Open()
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, member{f.Name, b, zip.Store})
	}
	return out
}

// zipMembers returns the archive of the members.
func zipMembers(t testing.TB, ms []member) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, m := range ms {
		w, err := z.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// npyOf returns an .npy file with the given header dictionary followed by
// data.
func npyOf(dict string, data []byte) []byte {
	pad := 64 - (10+len(dict)+1)%64
	h := dict + strings.Repeat(" ", pad) + "\n"
	b := binary.LittleEndian.AppendUint16([]byte("\x93NUMPY\x01\x00"), uint16(len(h)))
	return append(append(b, h...), data...)
}

// TestCheckpointHostile: a damaged, oversized or inconsistent checkpoint is
// one error naming the file and what is wrong, found without a panic and
// without allocating what it declares.
func TestCheckpointHostile(t *testing.T) {
	set := func(name string, data []byte) func([]member) []member {
		return func(ms []member) []member {
			for i := range ms {
				if ms[i].name == name {
					ms[i].data = data
				}
			}
			return ms
		}
	}
	state := func(edit func(string) string) func([]member) []member {
		return func(ms []member) []member {
			for i := range ms {
				if ms[i].name == "state.json" {
					ms[i].data = []byte(edit(string(ms[i].data)))
				}
			}
			return ms
		}
	}
	cases := []struct {
		name string
		edit func([]member) []member
		want string
	}{
		{"params cut in its header", set("params.npy", append([]byte("\x93NUMPY\x01\x00\x76\x00"), "{'descr'"...)),
			"checkpoint.npz: params.npy: truncated"},
		{"params declaring 10^10 values", set("params.npy", npyOf("{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000,), }", make([]byte, 8))),
			"checkpoint.npz: params.npy: truncated: shape (10000000000,) of <f8 needs 80000000000 bytes of data, but 8 follow the header"},
		{"adam_m longer than params", set("adam_m.npy", npyOf("{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", make([]byte, 40))),
			"checkpoint.npz: adam_m.npy: declared size too large: shape (5,) has 5 elements, at most 4 expected"},
		{"params not a vector", set("params.npy", npyOf("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 32))),
			"params.npy has shape [2 2], want a vector"},
		{"duplicate member", func(ms []member) []member { return append(ms, ms[0]) },
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
		{"state.json inflating to 64 MiB", func(ms []member) []member {
			for i := range ms {
				if ms[i].name == "state.json" {
					ms[i].data = append(ms[i].data, bytes.Repeat([]byte(" "), 64<<20)...)
					ms[i].method = zip.Deflate
				}
			}
			return ms
		}, "checkpoint.npz: state.json: declared size too large: 67109345 bytes, at most 1048576 accepted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := zipMembers(t, tc.edit(checkpointMembers(t)))
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, CheckpointFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadCheckpoint(dir)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %v, want one naming %s and %q", err, dir, tc.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

// inflated returns the bytes the members of archive b hold, each read no
// further than one byte past its declared size.
func inflated(b []byte) uint64 {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return 0
	}
	var total uint64
	for _, f := range z.File {
		if r, err := f.Open(); err == nil {
			n, _ := io.Copy(io.Discard, io.LimitReader(r, int64(min(f.UncompressedSize64, 1<<40))+1))
			r.Close()
			total += uint64(n)
		}
	}
	return total
}

// FuzzReadCheckpoint: no checkpoint file makes the reader panic, or
// allocate more than a few times what its members inflate to; an accepted
// one is consistent and reads back the same once written again.
func FuzzReadCheckpoint(f *testing.F) {
	f.Add(zipMembers(f, checkpointMembers(f)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, CheckpointFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := ReadCheckpoint(dir)
		runtime.ReadMemStats(&after)
		if limit := 64*inflated(b) + 16*uint64(len(b)) + 1<<20; after.TotalAlloc-before.TotalAlloc > limit {
			t.Fatalf("allocated %d bytes reading %d (limit %d)", after.TotalAlloc-before.TotalAlloc, len(b), limit)
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
