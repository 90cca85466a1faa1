package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// EncodeImages writes im as an IDX image file (plain, uncompressed).
func EncodeImages(w io.Writer, im *Images) error {
	if len(im.Pix) != im.N*im.Rows*im.Cols {
		return fmt.Errorf("encode IDX images: %d pixels for %d x %d x %d", len(im.Pix), im.N, im.Rows, im.Cols)
	}
	return encodeIDX(w, []int{im.N, im.Rows, im.Cols}, im.Pix)
}

// EncodeLabels writes labels as an IDX label file (plain, uncompressed).
func EncodeLabels(w io.Writer, labels []uint8) error {
	return encodeIDX(w, []int{len(labels)}, labels)
}

func encodeIDX(w io.Writer, dims []int, payload []byte) error {
	head := []byte{0, 0, idxUbyte, byte(len(dims))}
	for _, d := range dims {
		if d < 0 || uint64(d) > 1<<32-1 {
			return fmt.Errorf("encode IDX: dimension %d out of range", d)
		}
		head = binary.BigEndian.AppendUint32(head, uint32(d))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// writeIDXFile writes path atomically through encode, gzip-compressed
// when path ends in ".gz".
func writeIDXFile(path string, encode func(io.Writer) error) error {
	return atomicfile.WriteFile(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if strings.HasSuffix(path, ".gz") {
			zw, err := gzip.NewWriterLevel(bw, gzip.BestCompression)
			if err != nil {
				return err
			}
			if err := encode(zw); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
		} else if err := encode(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}
