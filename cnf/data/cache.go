package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/internal/regularfile"
)

// EnvDataDir names the environment variable that overrides the default data
// directory.
const EnvDataDir = "MMCNF_DATA_DIR"

// DefaultDir returns the data directory: $MMCNF_DATA_DIR when set, else
// mmcnf under the user's cache directory (os.UserCacheDir).
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data directory: %w (set %s)", err, EnvDataDir)
	}
	return filepath.Join(base, "mmcnf"), nil
}

// The standard IDX file names, as MNIST and FashionMNIST distribute them.
const (
	trainImagesName = "train-images-idx3-ubyte"
	trainLabelsName = "train-labels-idx1-ubyte"
	testImagesName  = "t10k-images-idx3-ubyte"
	testLabelsName  = "t10k-labels-idx1-ubyte"
)

var idxNames = []string{trainImagesName, trainLabelsName, testImagesName, testLabelsName}

// idxDims are the dimensions of each file, the same for MNIST and our
// FashionMNIST split.
var idxDims = map[string][]int{
	trainImagesName: {60000, 28, 28},
	trainLabelsName: {60000},
	testImagesName:  {10000, 28, 28},
	testLabelsName:  {10000},
}

// Sub-directories of the data directory holding each source.
const (
	mnistSubdir   = "mnist"
	fashionSubdir = "fashion-mnist"
)

// ErrChecksum marks a file whose content does not match its recorded
// SHA-256 sum.
var ErrChecksum = errors.New("SHA-256 mismatch")

// readIDXVerified reads the IDX file at path, decompressing it if it is
// gzip-compressed, and checks that its header announces exactly dims and
// that the SHA-256 of the uncompressed IDX bytes is want (hex). The content
// is hashed as it streams in and read no further than the size dims give
// it, so a small gzip file that inflates without end is refused after that
// many bytes; a plain file of another size, or a gzip file too small to
// inflate to that size, is refused before it is read.
// The sums are over uncompressed content so that a plain copy and a gzip
// copy of the same file both verify, and so that our own conversions do
// not depend on the compressor's exact output.
func readIDXVerified(path, want string, dims []int) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("%s: internal error: %v", path, p)
		}
	}()
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := int64(1) // the bytes dims give the content: data, then the header
	for _, d := range dims {
		n *= int64(d)
	}
	n += int64(4 + 4*len(dims))
	br := bufio.NewReader(io.LimitReader(f, size))
	var r io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		defer zr.Close()
		r = zr
		if n > maxDeflateRatio*size {
			return nil, fmt.Errorf("%s: %w: dimensions %v give %d bytes, more than a gzip stream of %d bytes can inflate to", path, errSize, dims, n, size)
		}
	} else if size != n {
		return nil, fmt.Errorf("%s: %w: %d bytes, want %d (dimensions %v)", path, errSize, size, n, dims)
	}
	h := sha256.New()
	content := io.TeeReader(r, h)
	var head bytes.Buffer
	got, _, err := readIDXHeader(io.TeeReader(content, &head), path, len(dims))
	if err != nil {
		return nil, err
	}
	if !slices.Equal(got, dims) {
		return nil, fmt.Errorf("%s: %w: dimensions %v, want %v", path, errSize, got, dims)
	}
	b = make([]byte, n)
	copy(b, head.Bytes())
	if k, err := io.ReadFull(content, b[head.Len():]); err != nil {
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("%s: %w: content ends after %d of %d bytes", path, errTruncated, head.Len()+k, n)
	}
	// One more byte must be the end; reaching it checks the gzip trailer.
	var one [1]byte
	if k, err := io.ReadFull(r, one[:]); k > 0 {
		return nil, fmt.Errorf("%s: %w: inflates to more than the %d bytes expected", path, errTrailing, n)
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return nil, fmt.Errorf("%s: %w: uncompressed content has %s, want %s (delete the file and fetch again)", path, ErrChecksum, got, want)
	}
	return b, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// findIDX returns the first existing file among dir/<sub>/<name>[.gz] and,
// when top is set, dir/<name>[.gz] (checked first), so that a directory of
// the original MNIST files can be used as it is.
func findIDX(dir, sub, name string, top bool) (string, []string, error) {
	var cands []string
	if top {
		cands = append(cands, filepath.Join(dir, name), filepath.Join(dir, name+".gz"))
	}
	cands = append(cands, filepath.Join(dir, sub, name), filepath.Join(dir, sub, name+".gz"))
	for _, c := range cands {
		_, err := os.Stat(c)
		if err == nil {
			return c, cands, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", cands, err
		}
	}
	return "", cands, fs.ErrNotExist
}

// loadSplit loads and verifies one split (images and labels) of a
// source from dir.
func loadSplit(dir, source, sub string, top bool, imagesName, labelsName string, sums map[string]string, dims map[string][]int) (*Images, []uint8, error) {
	var raw [2][]byte
	var paths [2]string
	for k, name := range []string{imagesName, labelsName} {
		p, cands, err := findIDX(dir, sub, name, top)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: %s not found (looked for %s): run `mmcnf data fetch` (or `make data`), or point --data-dir / %s at a directory holding it",
				source, name, strings.Join(cands, ", "), EnvDataDir)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		if raw[k], err = readIDXVerified(p, sums[name], dims[name]); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		paths[k] = p
	}
	im, err := DecodeImages(bytes.NewReader(raw[0]), paths[0])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	lab, err := DecodeLabels(bytes.NewReader(raw[1]), paths[1])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := checkLabelled(im, lab, 10, paths[1]); err != nil {
		return nil, nil, fmt.Errorf("%s: %w (images from %s)", source, err, paths[0])
	}
	return im, lab, nil
}

// Labelled is a set of images with their class labels.
type Labelled struct {
	Images *Images
	Labels []uint8
}

// loadSource loads the training and test splits of a source.
func loadSource(dir, source, sub string, top bool, sums map[string]string) (train, test Labelled, err error) {
	if train.Images, train.Labels, err = loadSplit(dir, source, sub, top, trainImagesName, trainLabelsName, sums, idxDims); err != nil {
		return train, test, err
	}
	test.Images, test.Labels, err = loadSplit(dir, source, sub, top, testImagesName, testLabelsName, sums, idxDims)
	return train, test, err
}

// LoadMNIST loads and verifies the MNIST training and test sets (28x28)
// from dir: the standard file names, plain or with .gz, directly in dir (a
// directory of the original files) or in dir/mnist (the fetched cache).
func LoadMNIST(dir string) (train, test Labelled, err error) {
	return loadSource(dir, "MNIST", mnistSubdir, true, mnistSums)
}

// LoadFashionMNIST loads and verifies our FashionMNIST split (28x28) from
// dir/fashion-mnist, as written by Fetch.
func LoadFashionMNIST(dir string) (train, test Labelled, err error) {
	return loadSource(dir, "FashionMNIST", fashionSubdir, false, fashionSums)
}
