package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mmcnf/mmcnf/internal/npy"
	"github.com/mmcnf/mmcnf/internal/regularfile"
)

// maxCSVLine bounds a line of a CSV point file: room for tens of
// thousands of coordinates.
const maxCSVLine = 1 << 20

// LoadPoints reads a file of points as a split named after the file:
//   - .csv: one point per line, comma-separated numbers, at least one
//     coordinate. The first line is a header when any of its fields is not
//     a number; when the header names the last column "label" or "class"
//     (any case), that column holds each point's class, a non-negative
//     integer. Without such a header every point has label 0. Blank lines
//     are skipped; every other line must have as many fields as the first.
//   - .npy: a 2-D array (points x coordinates) of a dtype that converts
//     exactly to float64 (float64, float32, float16, int8/16/32, uint8/16/32,
//     bool, and int64/uint64 whose values float64 holds exactly), either
//     byte order, C or Fortran order; every point has label 0.
//
// Every value must be finite. The file must be a regular file; it is read
// no further than its size when opened, a CSV line may be at most
// maxCSVLine bytes, and every size an .npy header declares is checked
// against the file's size before anything is allocated.
func LoadPoints(path string) (s *Split, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%s: internal error: %v", path, p)
		}
	}()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return loadCSV(path)
	case ".npy":
		return loadNPY(path)
	}
	return nil, fmt.Errorf("%s: unknown point file type (want .csv or .npy)", path)
}

func loadCSV(path string) (*Split, error) {
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &Split{Name: filepath.Base(path)}
	// Reading no further than the size measured bounds the rows by it.
	sc := bufio.NewScanner(io.LimitReader(f, size))
	sc.Buffer(make([]byte, 0, 64*1024), maxCSVLine)
	cols, labelled, line := 0, false, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if cols == 0 {
			cols = len(fields)
			if isHeader(fields) {
				last := strings.ToLower(fields[cols-1])
				labelled = last == "label" || last == "class"
				if labelled && cols < 2 {
					return nil, fmt.Errorf("%s: line %d: a label column but no coordinates", path, line)
				}
				continue
			}
		}
		if len(fields) != cols {
			return nil, fmt.Errorf("%s: line %d: %d fields, want %d", path, line, len(fields), cols)
		}
		nc := cols
		if labelled {
			nc--
		}
		for j := range nc {
			v, err := strconv.ParseFloat(fields[j], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: line %d: column %d: %q is not a finite number", path, line, j+1, fields[j])
			}
			s.X = append(s.X, v)
		}
		label := 0
		if labelled {
			l, err := strconv.Atoi(fields[cols-1])
			if err != nil || l < 0 {
				return nil, fmt.Errorf("%s: line %d: column %d: label %q is not a non-negative integer", path, line, cols, fields[cols-1])
			}
			label = l
		}
		s.Labels = append(s.Labels, label)
		s.N++
		s.Dim = nc
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s: line %d: longer than %d bytes", path, line+1, maxCSVLine)
	} else if err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", path, line+1, err)
	}
	if s.N == 0 {
		return nil, fmt.Errorf("%s: no points", path)
	}
	return s, nil
}

// isHeader reports whether any field is not a number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err != nil {
			return true
		}
	}
	return false
}

func loadNPY(path string) (*Split, error) {
	a, err := npy.ReadFile(path, 0)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 || a.Shape[0] == 0 || a.Shape[1] == 0 {
		return nil, fmt.Errorf("%s: array of shape %v, want 2-D (points, coordinates) and not empty", path, a.Shape)
	}
	n, d := a.Shape[0], a.Shape[1]
	for i, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: point %d, coordinate %d: %v is not finite", path, i/d, i%d, v)
		}
	}
	return &Split{Name: filepath.Base(path), N: n, Dim: d, X: a.Data, Labels: make([]int, n)}, nil
}
