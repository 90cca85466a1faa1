package data

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"
)

// LoadPoints reads a file of points as a split named after the file:
//   - .csv: one point per line, comma-separated numbers, at least one
//     coordinate. The first line is a header when any of its fields is not
//     a number; when the header names the last column "label" or "class"
//     (any case), that column holds each point's class, a non-negative
//     integer. Without such a header every point has label 0. Blank lines
//     are skipped; every other line must have as many fields as the first.
//   - .npy: a 2-D array (points x coordinates) of any numeric type, read as
//     float64; every point has label 0.
//
// Every value must be finite.
func LoadPoints(path string) (*Split, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return loadCSV(path)
	case ".npy":
		return loadNPY(path)
	}
	return nil, fmt.Errorf("%s: unknown point file type (want .csv or .npy)", path)
}

func loadCSV(path string) (*Split, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &Split{Name: filepath.Base(path)}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
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
	if err := sc.Err(); err != nil {
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

func loadNPY(path string) (s *Split, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := npyio.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	shape := r.Header.Descr.Shape
	if len(shape) != 2 || shape[0] == 0 || shape[1] == 0 {
		return nil, fmt.Errorf("%s: array of shape %v, want 2-D (points, coordinates) and not empty", path, shape)
	}
	var m mat.Dense
	defer func() {
		// The reader panics on some malformed payloads; report them as errors.
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%s: malformed array data: %v", path, p)
		}
	}()
	if err := r.Read(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n, d := m.Dims()
	s = &Split{Name: filepath.Base(path), N: n, Dim: d, X: make([]float64, 0, n*d), Labels: make([]int, n)}
	for i := range n {
		for j := range d {
			v := m.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: point %d, coordinate %d: %v is not finite", path, i, j, v)
			}
			s.X = append(s.X, v)
		}
	}
	if len(s.X) != n*d {
		return nil, errors.New("internal: size mismatch")
	}
	return s, nil
}
