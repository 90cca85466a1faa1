package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// bomb returns a gzip stream of an IDX image header declaring n images of
// 28 x 28 followed by size bytes of zeros, written in pieces so that the
// stream is made without holding its content.
func bomb(t *testing.T, n uint32, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	head := []byte{0, 0, 8, 3}
	for _, d := range []uint32{n, 28, 28} {
		head = binary.BigEndian.AppendUint32(head, d)
	}
	z.Write(head)
	zeros := make([]byte, 1<<20)
	for size > 0 {
		k := min(size, len(zeros))
		z.Write(zeros[:k])
		size -= k
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestIDXBomb: a small gzip file standing for MNIST's training images that
// inflates to 256 MiB is refused after reading no more than the real
// file's size, whether its header announces the real dimensions or more.
func TestIDXBomb(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    uint32
		want string
	}{
		{"true header", 60000, "inflates to more than the 47040016 bytes expected"},
		{"header announcing more", 350000, "dimensions [350000 28 28], want [60000 28 28]"},
	} {
		dir := t.TempDir()
		b := bomb(t, tc.n, 256<<20)
		p := filepath.Join(dir, trainImagesName+".gz")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		n := readtest.Allocated(func() { _, _, err = LoadMNIST(dir) })
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s and %q", tc.name, err, p, tc.want)
		}
		// The real file's content is all that may be held.
		if n > 47040016+8<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte file", tc.name, n, len(b))
		}
		t.Logf("%s: %d-byte file, %d bytes allocated: %v", tc.name, len(b), n, err)
	}
}

// TestIDXFileSizes: a plain IDX file of another size than its expected
// dimensions give, or a gzip file smaller than any stream inflating to
// that size, is refused before its data is read.
func TestIDXFileSizes(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	head := []byte{0, 0, 8, 3, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0} // 1024^3 bytes
	os.WriteFile(plain, append(head, 1, 2, 3), 0o644)
	if _, err := readIDXVerified(plain, "", []int{1024, 1024, 1024}); err == nil || !strings.Contains(err.Error(), "bad size: 19 bytes, want 1073741840 (dimensions [1024 1024 1024])") {
		t.Errorf("plain: error %v", err)
	}
	gz := filepath.Join(dir, "x.gz")
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(append(head[:12], 0, 0, 0, 1))
	z.Close()
	os.WriteFile(gz, b.Bytes(), 0o644)
	if _, err := readIDXVerified(gz, "", []int{1024, 1024, 1}); err == nil || !strings.Contains(err.Error(), "dimensions [1024 1024 1] give 1048592 bytes, more than a gzip stream of") {
		t.Errorf("gzip: error %v", err)
	}
	if _, err := readIDXVerified(dir, "", []int{1}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: error %v", err)
	}
}
