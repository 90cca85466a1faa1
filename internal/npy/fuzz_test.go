package npy

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// FuzzRead: no input makes Read panic or allocate more than a few times
// its size; an accepted array has as many values as its shape says and
// comes back bit for bit through Write.
func FuzzRead(f *testing.F) {
	for name, b := range goldenFiles(f) {
		if strings.HasSuffix(name, ".npy") {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a *Array
		var err error
		n := readtest.Allocated(func() { a, err = Read(bytes.NewReader(b), int64(len(b)), 0, "f.npy") })
		if errors.Is(err, ErrInternal) {
			t.Fatal(err)
		}
		if limit := uint64(32*len(b) + 4*chunkBytes); n > limit {
			t.Fatalf("allocated %d bytes reading %d (limit %d): %v", n, len(b), limit, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.npy: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		roundTrip(t, a)
	})
}

// roundTrip checks that a is consistent and survives Write and Read.
func roundTrip(t *testing.T, a *Array) {
	t.Helper()
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	if n != len(a.Data) {
		t.Fatalf("shape %v with %d values", a.Shape, len(a.Data))
	}
	var w bytes.Buffer
	if err := Write(&w, a.Shape, a.Data); err != nil {
		t.Fatal(err)
	}
	b, err := Read(bytes.NewReader(w.Bytes()), int64(w.Len()), 0, "again")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Shape) != len(a.Shape) || !sameBits(b.Data, a.Data) {
		t.Fatalf("round trip changed %v %v into %v %v", a.Shape, a.Data, b.Shape, b.Data)
	}
}

// FuzzArchive: no input makes the archive reader panic, or allocate more
// than a few times the bytes its members actually inflate to; accepted
// arrays are consistent and survive writing.
func FuzzArchive(f *testing.F) {
	for name, b := range goldenFiles(f) {
		if strings.HasSuffix(name, ".npz") {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var arrays []*Array
		var err error
		n := readtest.Allocated(func() {
			var z *Archive
			if z, err = NewArchive(bytes.NewReader(b), int64(len(b)), "f.npz"); err != nil {
				return
			}
			for _, k := range z.Keys() {
				if _, err := z.Header(k); err != nil {
					continue
				}
				if a, err := z.Read(k, 0); err == nil {
					arrays = append(arrays, a)
				} else if errors.Is(err, ErrInternal) || !strings.HasPrefix(err.Error(), "f.npz: ") {
					t.Fatal(err)
				}
				if _, err := z.ReadBytes(k, 1<<16); errors.Is(err, ErrInternal) {
					t.Fatal(err)
				}
			}
		})
		if errors.Is(err, ErrInternal) {
			t.Fatal(err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.npz: ") {
			t.Fatalf("error %q does not name the file", err)
		}
		if limit := 64*readtest.Inflated(b) + 16*uint64(len(b)) + 1<<20; n > limit {
			t.Fatalf("allocated %d bytes reading %d (limit %d)", n, len(b), limit)
		}
		for _, a := range arrays {
			roundTrip(t, a)
		}
	})
}
