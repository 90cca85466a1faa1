package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Write writes v, of the given shape in C order, to w as a version 1.0
// .npy file of little-endian float64 ('<f8').
func Write(w io.Writer, shape []int, v []float64) error {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt/d) {
			return fmt.Errorf("npy: write: bad shape %v", shape)
		}
		n *= d
	}
	if n != len(v) {
		return fmt.Errorf("npy: write: shape %s holds %d elements, got %d", shapeString(shape), n, len(v))
	}
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': " + shapeString(shape) + ", }"
	// The header is laid out as numpy.save (1.24 and later) writes it:
	// room for the first dimension to grow to 21 digits, then spaces and a
	// newline so that the data starts at a multiple of 64 bytes.
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(0, 21-len(strconv.Itoa(shape[0]))))
	}
	pad := 64 - (len(magic)+4+len(dict)+1)%64
	hlen := len(dict) + pad + 1
	if hlen > math.MaxUint16 {
		return fmt.Errorf("npy: write: header of %d bytes exceeds a version 1.0 header", hlen)
	}
	head := make([]byte, 0, len(magic)+4+hlen)
	head = append(head, magic...)
	head = append(head, 1, 0)
	head = binary.LittleEndian.AppendUint16(head, uint16(hlen))
	head = append(head, dict...)
	head = append(head, strings.Repeat(" ", pad)...)
	head = append(head, '\n')
	if _, err := w.Write(head); err != nil {
		return err
	}
	buf := make([]byte, 0, min(8*len(v), chunkBytes))
	for len(v) > 0 {
		k := min(len(v), chunkBytes/8)
		buf = buf[:0]
		for _, x := range v[:k] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		v = v[k:]
	}
	return nil
}
