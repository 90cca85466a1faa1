package npy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/mmcnf/mmcnf/internal/regularfile"
)

// Array is an n-dimensional float64 array in C (row-major) order.
type Array struct {
	Shape []int     // dimensions; empty for a 0-d array
	Data  []float64 // the elements, last index fastest
}

// chunkBytes is the size of the buffer data is read through.
const chunkBytes = 1 << 16

// ReadFile reads the .npy file at path. A positive limit bounds the number
// of elements accepted; the file's size bounds them in any case.
func ReadFile(path string, limit int) (a *Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, recovered(p, path, "")
		}
	}()
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read no more than the size measured, even if the file grows.
	r := bufio.NewReaderSize(io.LimitReader(f, size), chunkBytes)
	a, err = read(r, size, true, limit)
	return a, wrap(err, path, "")
}

// Read reads an .npy file of size bytes from r; name is used in errors. A
// positive limit bounds the number of elements accepted; size bounds them
// in any case, so it must be the number of bytes r holds.
func Read(r io.Reader, size int64, limit int, name string) (a *Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, recovered(p, name, "")
		}
	}()
	a, err = read(r, size, true, limit)
	return a, wrap(err, name, "")
}

// read reads an .npy file from r. When exact, size is the number of bytes
// r holds, and the values are allocated at once; otherwise size is only
// declared (a compressed stream) and the values are allocated as their
// bytes arrive.
func read(r io.Reader, size int64, exact bool, limit int) (*Array, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	return readData(r, h, size, exact, limit)
}

// readData reads the data that header h declares from r (positioned just
// after the header), checking the declared sizes first.
func readData(r io.Reader, h *Header, size int64, exact bool, limit int) (*Array, error) {
	shape := shapeString(h.Shape)
	if limit > 0 && h.n > limit {
		return nil, fmt.Errorf("%w: shape %s has %d elements, at most %d expected", ErrTooLarge, shape, h.n, limit)
	}
	have := size - h.offset
	switch need := h.DataSize(); {
	case need > have:
		return nil, fmt.Errorf("%w: shape %s of %s needs %d bytes of data, but %d follow the header", ErrTruncated, shape, h.Descr, need, have)
	case need < have:
		return nil, fmt.Errorf("%w: %d bytes follow the %d of data that shape %s of %s needs", ErrTrailing, have-need, need, shape, h.Descr)
	}
	var out []float64
	if exact {
		out = make([]float64, h.n)
	} else {
		out = make([]float64, 0, min(h.n, chunkBytes/h.dt.size))
	}
	buf := make([]byte, min(h.DataSize(), chunkBytes))
	perChunk := len(buf) / max(1, h.dt.size)
	for done := 0; done < h.n; {
		k := min(h.n-done, perChunk)
		if n, err := io.ReadFull(r, buf[:k*h.dt.size]); err != nil {
			got := int64(done*h.dt.size + n)
			if short(err) {
				return nil, fmt.Errorf("%w: data ends after %d of %d bytes", ErrTruncated, got, h.DataSize())
			}
			return nil, fmt.Errorf("reading data after %d bytes: %w", got, err)
		}
		if !exact {
			out = slices.Grow(out, k)[:done+k]
		}
		if bad := h.dt.decode(out[done:done+k], buf, done); bad != nil {
			return nil, fmt.Errorf("%w: element %s of %s is %s", ErrInexact, position(bad.index, h), h.Descr, bad.value)
		}
		done += k
	}
	// One more read must find the end: this catches a stream longer than
	// declared and lets a compressed member verify its checksum.
	var one [1]byte
	if n, err := io.ReadFull(r, one[:]); n > 0 {
		return nil, fmt.Errorf("%w: more bytes than the %d the header and data take", ErrTrailing, h.Size())
	} else if errors.Is(err, ErrTrailing) {
		return nil, err
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("after the data: %w", err)
	}
	if h.Fortran && len(h.Shape) > 1 {
		out = fortranToC(out, h.Shape)
	}
	return &Array{Shape: slices.Clone(h.Shape), Data: out}, nil
}

// fortranToC returns the elements of src, in Fortran order (first index
// fastest) for shape, in C order (last index fastest).
func fortranToC(src []float64, shape []int) []float64 {
	dst := make([]float64, len(src))
	stride := make([]int, len(shape)) // of each index in C order
	s := 1
	for j := len(shape) - 1; j >= 0; j-- {
		stride[j] = s
		s *= shape[j]
	}
	idx := make([]int, len(shape))
	c := 0
	for _, v := range src {
		dst[c] = v
		for j := range idx {
			idx[j]++
			c += stride[j]
			if idx[j] < shape[j] {
				break
			}
			c -= idx[j] * stride[j]
			idx[j] = 0
		}
	}
	return dst
}

// position formats the index of the element at file-order offset i, e.g.
// "(2, 1)".
func position(i int, h *Header) string {
	idx := make([]int, len(h.Shape))
	if h.Fortran {
		for j := range idx {
			idx[j] = i % h.Shape[j]
			i /= h.Shape[j]
		}
	} else {
		for j := len(idx) - 1; j >= 0; j-- {
			idx[j] = i % h.Shape[j]
			i /= h.Shape[j]
		}
	}
	return shapeString(idx)
}
