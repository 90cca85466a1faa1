package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// magic opens every .npy file.
const magic = "\x93NUMPY"

// maxHeaderLen bounds the header dictionary: the largest a version 1.0
// header can be. Versions 2.0 and 3.0 exist for longer headers, which only
// structured dtypes need, and those are refused anyway.
const maxHeaderLen = math.MaxUint16

// maxDims bounds the number of dimensions (NumPy's own limit is 64).
const maxDims = 64

// Header is what an .npy file declares about its array.
type Header struct {
	Major, Minor int    // format version: 1.0, 2.0 or 3.0
	Descr        string // the dtype descriptor, e.g. "<f8"
	Fortran      bool   // data in Fortran (column-major) order
	Shape        []int  // dimensions; empty for a 0-d array
	dt           dtype
	n            int   // elements
	offset       int64 // bytes before the data
}

// Len returns the number of elements (1 for a 0-d array).
func (h *Header) Len() int { return h.n }

// DataSize returns the number of bytes of data the header declares.
func (h *Header) DataSize() int64 { return int64(h.n) * int64(h.dt.size) }

// Size returns the number of bytes of the whole file the header declares.
func (h *Header) Size() int64 { return h.offset + h.DataSize() }

// readHeader reads and checks an .npy header from r, which holds avail
// bytes in all (header and data). Nothing larger than maxHeaderLen is
// allocated, whatever the bytes say.
func readHeader(r io.Reader, avail int64) (*Header, error) {
	var pre [12]byte
	n, err := io.ReadFull(r, pre[:8])
	if !bytes.HasPrefix([]byte(magic), pre[:min(n, len(magic))]) {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrFormat, pre[:min(n, len(magic))], magic)
	}
	if err != nil {
		if !short(err) {
			return nil, fmt.Errorf("reading the magic string: %w", err)
		}
		return nil, fmt.Errorf("%w: %d bytes, too short for the magic string and version", ErrTruncated, n)
	}
	h := &Header{Major: int(pre[6]), Minor: int(pre[7])}
	lenBytes := 4
	switch {
	case h.Major == 1 && h.Minor == 0:
		lenBytes = 2
	case (h.Major == 2 || h.Major == 3) && h.Minor == 0:
	default:
		return nil, fmt.Errorf("%w: format version %d.%d (want 1.0, 2.0 or 3.0)", ErrFormat, h.Major, h.Minor)
	}
	if _, err := io.ReadFull(r, pre[8:8+lenBytes]); err != nil {
		if !short(err) {
			return nil, fmt.Errorf("reading the header length: %w", err)
		}
		return nil, fmt.Errorf("%w: the header length is cut off", ErrTruncated)
	}
	var hlen int64
	if lenBytes == 2 {
		hlen = int64(binary.LittleEndian.Uint16(pre[8:]))
	} else {
		hlen = int64(binary.LittleEndian.Uint32(pre[8:]))
	}
	h.offset = int64(8+lenBytes) + hlen
	if h.offset > avail {
		return nil, fmt.Errorf("%w: header length %d, but only %d bytes follow it", ErrTruncated, hlen, avail-int64(8+lenBytes))
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf("%w: header length %d exceeds %d", ErrTooLarge, hlen, maxHeaderLen)
	}
	text := make([]byte, hlen)
	if n, err := io.ReadFull(r, text); err != nil {
		if !short(err) {
			return nil, fmt.Errorf("reading the header: %w", err)
		}
		return nil, fmt.Errorf("%w: header ends after %d of %d bytes", ErrTruncated, n, hlen)
	}
	if err := parseDict(text, h); err != nil {
		if errors.Is(err, ErrDtype) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: header %s: %w", ErrFormat, quoteHeader(text), err)
	}
	dt, err := parseDtype(h.Descr)
	if err != nil {
		return nil, err
	}
	h.dt = dt
	h.n = 1
	for _, d := range h.Shape {
		if d != 0 && h.n > math.MaxInt/d {
			return nil, fmt.Errorf("%w: shape %s has more elements than an int holds", ErrTooLarge, shapeString(h.Shape))
		}
		h.n *= d
	}
	if int64(h.n) > (math.MaxInt64-h.offset)/int64(dt.size) {
		return nil, fmt.Errorf("%w: shape %s of %s needs more bytes than a file can hold", ErrTooLarge, shapeString(h.Shape), h.Descr)
	}
	return h, nil
}

// short reports whether err says that a read ran out of bytes.
func short(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// quoteHeader quotes a header for an error message, shortened to its first
// 80 bytes with the padding dropped.
func quoteHeader(b []byte) string {
	s := strings.TrimRight(string(b), " \n")
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + "..."
	}
	return strconv.Quote(s)
}

// parseDict parses the header dictionary into h. The grammar is the
// subset of Python literals NumPy writes: a dict whose keys are exactly
// 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a
// tuple of non-negative ints), in any order, with an optional trailing
// comma, followed by spaces and a final newline.
func parseDict(b []byte, h *Header) error {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return errors.New("does not end with a newline")
	}
	p := &parser{b: b[:len(b)-1]}
	p.space()
	if !p.eat('{') {
		return p.fail("want '{'")
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return p.fail("want ':' after the key")
		}
		p.space()
		switch key {
		case "descr":
			if p.peek() == '[' {
				return fmt.Errorf("%w: a structured dtype (descr is a list of fields); only plain numeric dtypes are read", ErrDtype)
			}
			if h.Descr, err = p.str(); err != nil {
				return err
			}
		case "fortran_order":
			if h.Fortran, err = p.boolean(); err != nil {
				return err
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown key %q (want descr, fortran_order and shape)", key)
		}
		p.space()
		if p.eat('}') {
			break
		}
		if !p.eat(',') {
			return p.fail("want ',' or '}'")
		}
	}
	for p.i < len(p.b) && p.b[p.i] == ' ' {
		p.i++
	}
	if p.i != len(p.b) {
		return p.fail("want only spaces after the dictionary")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return fmt.Errorf("key %q is missing", k)
		}
	}
	return nil
}

// parser scans a header dictionary.
type parser struct {
	b []byte
	i int
}

func (p *parser) fail(what string) error {
	if p.i >= len(p.b) {
		return fmt.Errorf("at its end: %s", what)
	}
	return fmt.Errorf("at byte %d (%q): %s", p.i, p.b[p.i], what)
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.b) {
		p.i++
		return true
	}
	return false
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// str scans a quoted string without escapes.
func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.fail("want a quoted string")
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == q:
			p.i = j + 1
			return string(p.b[start:j]), nil
		case c == '\\' || c < ' ' || c > '~':
			p.i = j
			return "", p.fail("unsupported character in a string")
		}
	}
	p.i = len(p.b)
	return "", p.fail("unterminated string")
}

func (p *parser) boolean() (bool, error) {
	for _, w := range []struct {
		word string
		v    bool
	}{{"True", true}, {"False", false}} {
		if bytes.HasPrefix(p.b[p.i:], []byte(w.word)) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return false, p.fail("want True or False")
}

// tuple scans a Python tuple of non-negative ints: (), (n,), (n, m), ...
func (p *parser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, p.fail("want a tuple of ints")
	}
	shape := []int{}
	for {
		p.space()
		// Here the tuple is empty or a comma was just eaten, so a closing
		// parenthesis ends (), (n,) or (n, m,).
		if p.eat(')') {
			return shape, nil
		}
		d, err := p.int()
		if err != nil {
			return nil, err
		}
		if len(shape) == maxDims {
			return nil, fmt.Errorf("more than %d dimensions", maxDims)
		}
		shape = append(shape, d)
		p.space()
		if p.eat(')') {
			if len(shape) == 1 {
				return nil, errors.New("(n) is not a tuple: want (n,)")
			}
			return shape, nil
		}
		if !p.eat(',') {
			return nil, p.fail("want ',' or ')' in the shape")
		}
	}
}

// int scans a non-negative decimal int without leading zeros.
func (p *parser) int() (int, error) {
	if p.peek() == '-' {
		return 0, p.fail("negative dimension")
	}
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	digits := string(p.b[start:p.i])
	switch {
	case digits == "":
		return 0, p.fail("want a dimension (a non-negative int)")
	case len(digits) > 1 && digits[0] == '0':
		return 0, fmt.Errorf("dimension %s has a leading zero", digits)
	}
	d, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("%w: dimension %s exceeds the range of int", ErrTooLarge, digits)
	}
	return d, nil
}

// shapeString formats a shape as Python writes a tuple: (), (n,), (n, m).
func shapeString(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(s, ", ") + ")"
}
