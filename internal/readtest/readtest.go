// Package readtest helps the tests of readers of user files: .npy files and
// zip archives built to order, well-formed or not, and the memory a read
// allocates.
package readtest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"os"
	"runtime"
	"strings"
)

// NPY returns an .npy file of format version major.0 whose header
// dictionary is dict, padded with spaces and a newline as NumPy pads it,
// followed by data.
func NPY(major byte, dict string, data []byte) []byte {
	lenBytes := 2
	if major > 1 {
		lenBytes = 4
	}
	pad := 64 - (8+lenBytes+len(dict)+1)%64
	h := dict + strings.Repeat(" ", pad) + "\n"
	b := []byte{0x93, 'N', 'U', 'M', 'P', 'Y', major, 0}
	if lenBytes == 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(h)))
	}
	return append(append(b, h...), data...)
}

// CutNPY is an .npy file cut inside its header: magic string, version,
// a header length of 118, then the first 8 bytes of the dictionary.
var CutNPY = []byte("\x93NUMPY\x01\x00\x76\x00{'descr'")

// Member is one member of a zip archive: its name, its content
// (uncompressed) and how it is compressed (zip.Store or zip.Deflate).
type Member struct {
	Name   string
	Data   []byte
	Method uint16
}

// Members returns the members of archive b, their content inflated.
func Members(b []byte) ([]Member, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []Member
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, Member{f.Name, data, f.Method})
	}
	return out, nil
}

// MembersFile returns the members of the archive at path.
func MembersFile(path string) ([]Member, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Members(b)
}

// Zip returns an archive of the members in order, deflated members at the
// best compression.
func Zip(members []Member) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, m := range members {
		w, err := z.CreateHeader(&zip.FileHeader{Name: m.Name, Method: m.Method})
		if err != nil {
			panic(err) // only for a method zip does not know, a bug of the test
		}
		w.Write(m.Data)
	}
	z.Close()
	return b.Bytes()
}

// Replace returns the members with the content of the one named name
// replaced by data.
func Replace(members []Member, name string, data []byte) []Member {
	out := append([]Member(nil), members...)
	for i := range out {
		if out[i].Name == name {
			out[i].Data = data
		}
	}
	return out
}

// Inflated returns the bytes the members of archive b hold, each read no
// further than one byte past its declared size (0 when b is no archive).
func Inflated(b []byte) uint64 {
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

// Allocated returns the bytes allocated while f runs (by f, and by
// anything running at the same time).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
