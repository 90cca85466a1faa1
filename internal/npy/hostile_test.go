package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// TestHugeDeclarations: sizes declared in a small file are refused before
// anything of their size is allocated.
func TestHugeDeclarations(t *testing.T) {
	// A 130-byte file declaring 625000000 x 2 float64 (10 GB).
	small := readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (625000000, 2), }", make([]byte, 2))
	// A version 2.0 header length of 0xFFFFFFF0 in a 30-byte file.
	hugeHeader := append([]byte(magic+"\x02\x00\xf0\xff\xff\xff"), "{'descr': '<f8', 'fortran_"...)
	cases := []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"shape beyond the file", small, ErrTruncated, "shape (625000000, 2) of <f8 needs 10000000000 bytes of data, but 2 follow the header"},
		{"v2 header length", hugeHeader, ErrTruncated, "header length 4294967280, but only 26 bytes follow it"},
		{"shape overflow", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil), ErrTooLarge, "more elements than an int holds"},
		{"bytes overflow", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", nil), ErrTooLarge, "more bytes than a file can hold"},
		{"dimension beyond int", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", nil), ErrTooLarge, "exceeds the range of int"},
		{"too many dimensions", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': ("+strings.Repeat("1, ", 65)+"), }", nil), ErrFormat, "more than 64 dimensions"},
		{"v3 header beyond the limit", readtest.NPY(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"+strings.Repeat(" ", 70000), nil), ErrTooLarge, "header length 70068 exceeds 65535"},
	}
	for _, tc := range cases {
		var err error
		n := readtest.Allocated(func() { _, err = Read(bytes.NewReader(tc.b), int64(len(tc.b)), 0, "f.npy") })
		t.Logf("%s: %v", tc.name, err)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "f.npy: ") {
			t.Errorf("%s: error %v, want %v naming the file and %q", tc.name, err, tc.want, tc.msg)
		}
		// The reader's buffers and the header are all it may allocate.
		if limit := uint64(4*chunkBytes + 2*len(tc.b)); n > limit {
			t.Errorf("%s: allocated %d bytes reading %d (limit %d)", tc.name, n, len(tc.b), limit)
		}
	}
}

// TestHugeFile reads the 130-byte file from disk as the CLI does.
func TestHugeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.npy")
	b := readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (625000000, 2), }", make([]byte, 2))
	if len(b) != 130 {
		t.Fatalf("file of %d bytes, want 130", len(b))
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	if n := readtest.Allocated(func() { _, err = ReadFile(p, 0) }); n > 4*chunkBytes+1<<12 {
		t.Errorf("allocated %d bytes", n)
	}
	if !errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("error %v", err)
	}
}

func TestLimitAndTrailing(t *testing.T) {
	data := make([]byte, 48)
	b := readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data)
	if _, err := Read(bytes.NewReader(b), int64(len(b)), 5, "f"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "6 elements, at most 5 expected") {
		t.Errorf("limit: error %v", err)
	}
	if a, err := Read(bytes.NewReader(b), int64(len(b)), 6, "f"); err != nil || len(a.Data) != 6 {
		t.Errorf("at the limit: %v", err)
	}
	long := append(b, 0)
	if _, err := Read(bytes.NewReader(long), int64(len(long)), 0, "f"); !errors.Is(err, ErrTrailing) {
		t.Errorf("trailing byte: error %v", err)
	}
	// A reader holding more than its declared size.
	if _, err := Read(bytes.NewReader(long), int64(len(b)), 0, "f"); !errors.Is(err, ErrTrailing) {
		t.Errorf("longer than declared: error %v", err)
	}
}

// TestHeaderGrammar: what NumPy writes (and harmless variants) parses;
// everything else is refused with a reason.
func TestHeaderGrammar(t *testing.T) {
	good := map[string][]int{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }":    {2},
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}":      {2},
		`{"shape": (1, 2), "descr": "<f8", "fortran_order": False}`:    {1, 2},
		"{ 'descr' : '<f8' , 'fortran_order' : True , 'shape' : ( ) }": {},
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2,), }": {1, 2},
	}
	for dict, shape := range good {
		n := 1
		for _, d := range shape {
			n *= d
		}
		b := readtest.NPY(1, dict, make([]byte, 8*n))
		a, err := Read(bytes.NewReader(b), int64(len(b)), 0, "f")
		if err != nil || len(a.Shape) != len(shape) {
			t.Errorf("%s: %v, %v", dict, a, err)
		}
	}
	bad := map[string]string{
		"{'descr': '<f8', 'fortran_order': False}":                              `key "shape" is missing`,
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}":       `unknown key "x"`,
		"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': ()}": `key "descr" appears twice`,
		"{'descr': '<f8', 'fortran_order': false, 'shape': ()}":                 "want True or False",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}":              "negative dimension",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2)}":                "(n) is not a tuple",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (02,)}":              "leading zero",
		"{'descr': '<f8', 'fortran_order': False, 'shape': [2]}":                "want a tuple of ints",
		"{'descr': '<f8', 'fortran_order': False, 'shape': ()} x":               "want only spaces after the dictionary",
		"{'descr': '<f8, 'fortran_order': False, 'shape': ()}":                  "at byte 17 ('f'): want ',' or '}'",
		"{'descr' '<f8', 'fortran_order': False, 'shape': ()}":                  "want ':' after the key",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2,) 'x'}":           "want ',' or '}'",
		"{'descr': 'a\\b'}": "unsupported character",
		"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': ()}": "structured dtype",
		"{'descr': '=f8', 'fortran_order': False, 'shape': ()}":          "native byte order",
		"{'descr': 'f8', 'fortran_order': False, 'shape': ()}":           "no byte order",
		"{'descr': '|f8', 'fortran_order': False, 'shape': ()}":          "needs a byte order",
		"{'descr': '<f08', 'fortran_order': False, 'shape': ()}":         "'<f08'",
		"{'descr': '<i3', 'fortran_order': False, 'shape': ()}":          "int of 3 bytes",
		"[]": "want '{'",
	}
	for dict, want := range bad {
		b := readtest.NPY(1, dict, make([]byte, 8))
		_, err := Read(bytes.NewReader(b), int64(len(b)), 0, "f")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", dict, err, want)
		}
	}
	// The header must end with a newline.
	b := readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8))
	b[len(b)-9] = ' '
	if _, err := Read(bytes.NewReader(b), int64(len(b)), 0, "f"); err == nil || !strings.Contains(err.Error(), "newline") {
		t.Errorf("no newline: error %v", err)
	}
	for _, v := range []string{"\x01\x01", "\x04\x00", "\x00\x00"} {
		b := append([]byte(magic+v), 0, 0, 0, 0)
		if _, err := Read(bytes.NewReader(b), int64(len(b)), 0, "f"); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "format version") {
			t.Errorf("version % x: error %v", v, err)
		}
	}
	if _, err := Read(strings.NewReader("PK\x03\x04"), 4, 0, "f"); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "magic") {
		t.Errorf("zip as npy: error %v", err)
	}
}

// goldenFiles returns the bytes of every readable golden file.
func goldenFiles(t testing.TB) map[string][]byte {
	g := readGolden(t)
	out := map[string][]byte{}
	var names []string
	for _, a := range g.Arrays {
		names = append(names, a.File)
	}
	for _, a := range g.Archives {
		names = append(names, a.File)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(goldenDir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}

// readAll reads b as an .npz archive (every member) or an .npy file.
func readAll(b []byte, name string) error {
	if strings.HasSuffix(name, ".npz") {
		z, err := NewArchive(bytes.NewReader(b), int64(len(b)), name)
		if err != nil {
			return err
		}
		for _, k := range z.Keys() {
			if _, err := z.Header(k); err != nil {
				return err
			}
			if _, err := z.Read(k, 0); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := Read(bytes.NewReader(b), int64(len(b)), 0, name)
	return err
}

// TestTruncatedEverywhere cuts every golden file at every byte: each cut
// is an error, and none comes from a panic.
func TestTruncatedEverywhere(t *testing.T) {
	for name, b := range goldenFiles(t) {
		for n := range len(b) {
			err := readAll(b[:n], name)
			if err == nil {
				t.Errorf("%s cut at %d: accepted", name, n)
			}
			if errors.Is(err, ErrInternal) {
				t.Errorf("%s cut at %d: %v", name, n, err)
			}
		}
	}
}

// TestCorruptedEverywhere changes every byte of every golden file: no
// change makes a reader panic.
func TestCorruptedEverywhere(t *testing.T) {
	for name, b := range goldenFiles(t) {
		c := bytes.Clone(b)
		for i := range c {
			for _, v := range []byte{0, 0xff, c[i] ^ 0x80, c[i] + 1} {
				old := c[i]
				c[i] = v
				if err := readAll(c, name); errors.Is(err, ErrInternal) {
					t.Errorf("%s with byte %d = %#x: %v", name, i, v, err)
				}
				c[i] = old
			}
		}
	}
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("broken reader") }

// TestRecover: a panic under a reader comes back as an error naming the
// file.
func TestRecover(t *testing.T) {
	_, err := Read(panicReader{}, 100, 0, "p.npy")
	if !errors.Is(err, ErrInternal) || !strings.HasPrefix(err.Error(), "p.npy: ") || !strings.Contains(err.Error(), "broken reader") {
		t.Errorf("error %v", err)
	}
}

// zipOf builds an archive of the given members, raw: each with the
// compressed bytes, method and declared uncompressed size given.
type rawMember struct {
	name   string
	method uint16
	data   []byte // as stored in the archive
	size   uint64 // declared uncompressed size
	crc    uint32
}

func zipOf(t *testing.T, members ...rawMember) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, m := range members {
		w, err := z.CreateRaw(&zip.FileHeader{Name: m.name, Method: m.method, CRC32: m.crc,
			CompressedSize64: uint64(len(m.data)), UncompressedSize64: m.size})
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

func stored(name string, data []byte) rawMember {
	return rawMember{name, zip.Store, data, uint64(len(data)), crc32.ChecksumIEEE(data)}
}

func deflated(t *testing.T, name string, data []byte) rawMember {
	var c bytes.Buffer
	w, _ := flate.NewWriter(&c, flate.BestCompression)
	w.Write(data)
	w.Close()
	return rawMember{name, zip.Deflate, c.Bytes(), uint64(len(data)), crc32.ChecksumIEEE(data)}
}

func TestArchiveHostile(t *testing.T) {
	one := readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8))
	// A header declaring 10^9 float64 values over 100 MB of zeros that
	// compress to about 100 kB.
	bombData := append(readtest.NPY(1, "{'descr': '<u1', 'fortran_order': False, 'shape': (100000000,), }", nil), make([]byte, 100_000_000)...)
	bomb := deflated(t, "a.npy", bombData)
	// The same stream claiming to be 200 bytes long.
	liar := bomb
	liar.size = 200
	lying := readtest.NPY(1, "{'descr': '<u1', 'fortran_order': False, 'shape': (72,), }", nil)
	liar.data = deflated(t, "", append(lying, make([]byte, 100_000_000)...)).data
	liar.size = uint64(len(lying) + 72)
	cases := []struct {
		name  string
		zip   []byte
		limit int
		want  error
		msg   string
	}{
		{"duplicate names", zipOf(t, stored("a.npy", one), stored("a.npy", one)), 0, ErrDuplicate, `duplicate member "a.npy"`},
		{"duplicate keys", zipOf(t, stored("a.npy", one), stored("a", one)), 0, ErrDuplicate, `"a.npy" and "a" are both array "a"`},
		{"stored size lies", zipOf(t, rawMember{"a.npy", zip.Store, one, 1 << 40, 0}), 0, ErrFormat, "declares 1099511627776 uncompressed"},
		{"deflate ratio", zipOf(t, rawMember{"a.npy", zip.Deflate, []byte{3, 0}, 1 << 40, 0}), 0, ErrTooLarge, "cannot inflate"},
		{"method", zipOf(t, rawMember{"a.npy", 12, one, uint64(len(one)), 0}), 0, ErrFormat, "compression method 12"},
		{"bomb over the limit", zipOf(t, bomb), 1000, ErrTooLarge, "at most 1000 expected"},
		{"stream longer than declared", zipOf(t, liar), 0, ErrTrailing, ""},
		{"missing", zipOf(t, stored("b.npy", one)), 0, ErrMissing, `no such member "a"`},
	}
	for _, tc := range cases {
		var err error
		n := readtest.Allocated(func() {
			var z *Archive
			if z, err = NewArchive(bytes.NewReader(tc.zip), int64(len(tc.zip)), "w.npz"); err == nil {
				_, err = z.Read("a", tc.limit)
			}
		})
		t.Logf("%s: %v", tc.name, err)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "w.npz: ") {
			t.Errorf("%s: error %v, want %v naming w.npz and %q", tc.name, err, tc.want, tc.msg)
		}
		if limit := uint64(1 << 20); n > limit {
			t.Errorf("%s: allocated %d bytes (limit %d)", tc.name, n, limit)
		}
	}
	// A member whose data is cut short after a header declaring 10^8
	// elements allocates for what arrives, not for what was declared.
	cut := bomb
	cut.data = deflated(t, "", bombData[:100_000]).data
	cut.size = uint64(len(bombData))
	cut.data = append(cut.data, make([]byte, len(bomb.data)-len(cut.data))...)
	z := zipOf(t, cut)
	var err error
	n := readtest.Allocated(func() {
		var a *Archive
		if a, err = NewArchive(bytes.NewReader(z), int64(len(z)), "w.npz"); err == nil {
			_, err = a.Read("a", 0)
		}
	})
	if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrFormat) || err == nil {
		t.Errorf("cut stream: error %v", err)
	}
	if n > 16<<20 {
		t.Errorf("cut stream: allocated %d bytes for 100 kB of data", n)
	}
	t.Logf("cut stream: %v; allocated %d bytes", err, n)
}

// TestArchiveBytes: raw members are read up to a limit.
func TestArchiveBytes(t *testing.T) {
	z := zipOf(t, stored("state.json", []byte(`{"a": 1}`)), deflated(t, "big.json", make([]byte, 1<<20)))
	a, err := NewArchive(bytes.NewReader(z), int64(len(z)), "c.npz")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := a.ReadBytes("state.json", 100); err != nil || string(b) != `{"a": 1}` {
		t.Errorf("state.json: %q, %v", b, err)
	}
	if _, err := a.ReadBytes("big.json", 1000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big.json: error %v", err)
	}
}

// TestArchiveWriter: archives written read back, stored or deflated;
// duplicate names are refused.
func TestArchiveWriter(t *testing.T) {
	for _, compress := range []bool{false, true} {
		var b bytes.Buffer
		w := NewArchiveWriter(&b, compress)
		if err := w.Write("a.npy", []int{2, 2}, []float64{1, 2, 3, 4}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteBytes("s.json", []byte("{}")); err != nil {
			t.Fatal(err)
		}
		if err := w.Write("a.npy", []int{1}, []float64{1}); !errors.Is(err, ErrDuplicate) {
			t.Errorf("duplicate: error %v", err)
		}
		if err := w.Write("b.npy", []int{3}, []float64{1}); err == nil {
			t.Error("shape and length disagree: no error")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		z, err := NewArchive(bytes.NewReader(b.Bytes()), int64(b.Len()), "w.npz")
		if err != nil {
			t.Fatal(err)
		}
		a, err := z.Read("a", 4)
		if err != nil || !sameBits(a.Data, []float64{1, 2, 3, 4}) {
			t.Errorf("compress %v: %v, %v", compress, a, err)
		}
		if s, err := z.ReadBytes("s.json", 2); err != nil || string(s) != "{}" {
			t.Errorf("compress %v: %q, %v", compress, s, err)
		}
	}
	if err := Write(io.Discard, []int{-1}, nil); err == nil {
		t.Error("negative shape: no error")
	}
}
