package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

func idxBytes(t testing.TB, dims []int, payload []byte) []byte {
	var b bytes.Buffer
	if err := encodeIDX(&b, dims, payload); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func TestIDXRoundTrip(t *testing.T) {
	im := &Images{N: 3, Rows: 2, Cols: 4, Pix: make([]uint8, 24)}
	for i := range im.Pix {
		im.Pix[i] = uint8(11 * i)
	}
	labels := []uint8{2, 0, 1}
	dir := t.TempDir()
	for _, ext := range []string{"", ".gz"} {
		ip := filepath.Join(dir, "img"+ext)
		lp := filepath.Join(dir, "lab"+ext)
		writeImages(t, ip, im)
		writeLabels(t, lp, labels)
		raw, _ := os.ReadFile(ip)
		if gz := len(raw) > 1 && raw[0] == 0x1f && raw[1] == 0x8b; gz != (ext == ".gz") {
			t.Errorf("%s: gzip-compressed %v, want %v", ip, gz, ext == ".gz")
		}
		got, err := DecodeImages(bytes.NewReader(raw), ip)
		if err != nil {
			t.Fatal(err)
		}
		lraw, _ := os.ReadFile(lp)
		glab, err := DecodeLabels(bytes.NewReader(lraw), lp)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkLabelled(got, glab, 3, lp); err != nil {
			t.Fatal(err)
		}
		if got.N != 3 || got.Rows != 2 || got.Cols != 4 || !bytes.Equal(got.Pix, im.Pix) || !bytes.Equal(glab, labels) {
			t.Errorf("%s: round trip gave %+v %v", ip, got, glab)
		}
		if !bytes.Equal(got.Image(1), im.Pix[8:16]) {
			t.Errorf("Image(1) = %v", got.Image(1))
		}
		if err := checkLabelled(got, glab, 2, lp); err == nil || !strings.Contains(err.Error(), "label 2 of item 0 out of range 0..1") {
			t.Errorf("label out of range: got error %v", err)
		}
	}
	if err := checkLabelled(im, labels[:2], 10, "short"); err == nil || !strings.Contains(err.Error(), "2 labels for 3 images") {
		t.Errorf("count mismatch: got error %v", err)
	}
}

// writeImages writes im to path as an IDX image file, gzip-compressed when
// path ends in ".gz".
func writeImages(t *testing.T, path string, im *Images) {
	t.Helper()
	if err := writeIDXFile(path, func(w io.Writer) error { return EncodeImages(w, im) }); err != nil {
		t.Fatal(err)
	}
}

// writeLabels writes labels to path as an IDX label file, gzip-compressed
// when path ends in ".gz".
func writeLabels(t *testing.T, path string, labels []uint8) {
	t.Helper()
	if err := writeIDXFile(path, func(w io.Writer) error { return EncodeLabels(w, labels) }); err != nil {
		t.Fatal(err)
	}
}

// TestIDXRejects feeds malformed files to the decoder and checks that each
// fails with the right kind of error, naming the file.
func TestIDXRejects(t *testing.T) {
	good := idxBytes(t, []int{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, errTruncated},
		{"short magic", []byte{0, 0}, errTruncated},
		{"wrong magic", append([]byte{0, 1, 8, 3}, good[4:]...), errMagic},
		{"wrong type", append([]byte{0, 0, 0x0d, 3}, good[4:]...), errMagic},
		{"labels as images", idxBytes(t, []int{3}, []byte{1, 2, 3}), errDims},
		{"short dimensions", good[:9], errTruncated},
		{"truncated data", good[:len(good)-1], errTruncated},
		{"trailing data", append(append([]byte{}, good...), 9), errTrailing},
		{"huge", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}, errSize},
		{"truncated gzip", gzipBytes(good)[:20], nil},
	}
	for _, c := range cases {
		_, err := DecodeImages(bytes.NewReader(c.data), "case.idx")
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "case.idx: ") {
			t.Errorf("%s: error %q does not start with the file name", c.name, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: error %q, want kind %q", c.name, err, c.want)
		}
	}
	if _, err := DecodeImages(bytes.NewReader(gzipBytes(good)), "ok.gz"); err != nil {
		t.Errorf("gzip image file: %v", err)
	}
}

// FuzzReadIDX checks that no input makes the readers panic or allocate
// more than a few times what the input holds (inflated, for gzip), that
// whatever decodes re-encodes to the same bytes, and that the verifying
// reader allocates no more than the content it expects, whatever the
// file.
func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(f, []int{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(idxBytes(f, []int{3}, []byte{1, 2, 3}))
	f.Add(gzipBytes(idxBytes(f, []int{1, 3, 1}, []byte{0, 255, 7})))
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1})
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		plain := !(len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b)
		inflated := len(b)
		if !plain {
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				n, _ := io.Copy(io.Discard, io.LimitReader(zr, idxMaxBytes+1))
				inflated = int(n)
			}
		}
		var im *Images
		var lab []uint8
		var errImages, errLabels error
		if n := readtest.Allocated(func() {
			im, errImages = DecodeImages(bytes.NewReader(b), "fuzz")
			lab, errLabels = DecodeLabels(bytes.NewReader(b), "fuzz")
		}); n > uint64(8*(inflated+len(b))+1<<20) {
			t.Fatalf("decoding %d bytes (%d inflated) allocated %d", len(b), inflated, n)
		}
		// The verifying reader below is given the dimensions the decoder
		// found and the sum of the content.
		dims, sum := []int{2, 2, 2}, ""
		if errImages == nil {
			if len(im.Pix) != im.N*im.Rows*im.Cols {
				t.Fatalf("%d pixels for %d x %d x %d", len(im.Pix), im.N, im.Rows, im.Cols)
			}
			var out bytes.Buffer
			if err := EncodeImages(&out, im); err != nil {
				t.Fatal(err)
			}
			if plain && !bytes.Equal(out.Bytes(), b) {
				t.Fatal("images do not re-encode to the input")
			}
			dims, sum = []int{im.N, im.Rows, im.Cols}, sha256Hex(out.Bytes())
		}
		if errLabels == nil {
			var out bytes.Buffer
			if err := EncodeLabels(&out, lab); err != nil {
				t.Fatal(err)
			}
			if plain && !bytes.Equal(out.Bytes(), b) {
				t.Fatal("labels do not re-encode to the input")
			}
		}
		p := filepath.Join(dir, "f.gz")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		// The verifying reader must accept what the decoder accepts and
		// nothing else; with an empty sum, nothing.
		var raw []byte
		var errFile, errEmpty error
		if n := readtest.Allocated(func() {
			raw, errFile = readIDXVerified(p, sum, dims)
			_, errEmpty = readIDXVerified(p, "", dims)
		}); n > uint64(8*(inflated+len(b))+1<<20) {
			t.Fatalf("reading a file of %d bytes (%d inflated) allocated %d", len(b), inflated, n)
		}
		if (errFile == nil) != (errImages == nil) {
			t.Fatalf("readIDXVerified and DecodeImages disagree: %v, %v", errFile, errImages)
		}
		if errFile == nil {
			if got, err := DecodeImages(bytes.NewReader(raw), p); err != nil || !bytes.Equal(got.Pix, im.Pix) {
				t.Fatalf("verified content decodes to other images: %v", err)
			}
		}
		if errEmpty == nil {
			t.Fatal("an empty checksum verified")
		}
	})
}
