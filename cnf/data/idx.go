package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Images is a stack of 8-bit grey-scale images, as held in an IDX file:
// N images of Rows x Cols pixels, row-major, one after another in Pix.
type Images struct {
	N, Rows, Cols int
	Pix           []uint8
}

// Image returns the pixels of image i (a sub-slice of Pix).
func (im *Images) Image(i int) []uint8 {
	d := im.Rows * im.Cols
	return im.Pix[i*d : (i+1)*d]
}

// idxUbyte is the IDX type code of unsigned bytes, the only one we read.
const idxUbyte = 0x08

// idxMaxBytes bounds the payload an IDX header may announce (4 GiB), so
// that a corrupt header fails clearly rather than by exhausting memory.
const idxMaxBytes = 1 << 32

// errNotIDX and friends classify what is wrong with a file; they are wrapped
// with the file name and details.
var (
	errMagic     = errors.New("bad IDX magic number")
	errDims      = errors.New("wrong number of dimensions")
	errTruncated = errors.New("truncated")
	errTrailing  = errors.New("trailing bytes after the data")
	errSize      = errors.New("bad size")
)

// maxDeflateRatio bounds how many times larger than its compressed form a
// gzip stream can inflate: DEFLATE's longest match, 258 bytes, takes at
// least 2 bits.
const maxDeflateRatio = 1032

// decodeIDX reads an unsigned-byte IDX stream with ndims dimensions (gzip
// or plain, detected from the first bytes) and returns its dimensions and
// payload. name is used in errors only.
func decodeIDX(r io.Reader, name string, ndims int) (dims []int, payload []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			dims, payload, err = nil, nil, fmt.Errorf("%s: internal error: %v", name, p)
		}
	}()
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	dims, total, err := readIDXHeader(br, name, ndims)
	if err != nil {
		return nil, nil, err
	}
	// Read at most total+1 bytes, growing the buffer as data arrives, so a
	// header announcing more than the stream holds does not allocate it all.
	payload, err = io.ReadAll(io.LimitReader(br, int64(total)+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading data: %w", name, err)
	}
	switch {
	case uint64(len(payload)) < total:
		return nil, nil, fmt.Errorf("%s: %w: dimensions %v need %d data bytes, file has %d", name, errTruncated, dims, total, len(payload))
	case uint64(len(payload)) > total:
		return nil, nil, fmt.Errorf("%s: %w (dimensions %v need %d)", name, errTrailing, dims, total)
	}
	return dims, payload, nil
}

// readIDXHeader reads the magic number and the ndims dimensions of an
// unsigned-byte IDX stream and returns the dimensions and the number of
// data bytes they announce (at most idxMaxBytes). name is used in errors.
func readIDXHeader(r io.Reader, name string, ndims int) ([]int, uint64, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, 0, fmt.Errorf("%s: reading magic number: %w: %w", name, errTruncated, err)
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != idxUbyte {
		return nil, 0, fmt.Errorf("%s: %w % x (want 00 00 08 %02x: unsigned bytes, %d dimensions)", name, errMagic, magic, ndims, ndims)
	}
	if int(magic[3]) != ndims {
		return nil, 0, fmt.Errorf("%s: %w: %d, want %d", name, errDims, magic[3], ndims)
	}
	dims := make([]int, ndims)
	total := uint64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, 0, fmt.Errorf("%s: reading dimension %d: %w: %w", name, i, errTruncated, err)
		}
		dims[i] = int(d)
		total *= uint64(d)
		if total > idxMaxBytes {
			return nil, 0, fmt.Errorf("%s: %w: dimensions %v announce more than %d bytes", name, errSize, dims[:i+1], uint64(idxMaxBytes))
		}
	}
	return dims, total, nil
}

// DecodeImages reads an IDX image file (magic 00 00 08 03: N x rows x cols
// unsigned bytes), gzip-compressed or plain. name is used in errors.
func DecodeImages(r io.Reader, name string) (*Images, error) {
	dims, pix, err := decodeIDX(r, name, 3)
	if err != nil {
		return nil, err
	}
	return &Images{N: dims[0], Rows: dims[1], Cols: dims[2], Pix: pix}, nil
}

// DecodeLabels reads an IDX label file (magic 00 00 08 01: N unsigned
// bytes), gzip-compressed or plain. name is used in errors.
func DecodeLabels(r io.Reader, name string) ([]uint8, error) {
	_, lab, err := decodeIDX(r, name, 1)
	return lab, err
}

// checkLabelled checks that labels has one entry per image, each below
// classes; name (the label file) is used in errors.
func checkLabelled(im *Images, labels []uint8, classes int, name string) error {
	if len(labels) != im.N {
		return fmt.Errorf("%s: %d labels for %d images", name, len(labels), im.N)
	}
	for i, l := range labels {
		if int(l) >= classes {
			return fmt.Errorf("%s: label %d of item %d out of range 0..%d", name, l, i, classes-1)
		}
	}
	return nil
}
