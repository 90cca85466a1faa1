package data

import (
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
	"strings"
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

// Sub-directories of the data directory holding each source.
const (
	mnistSubdir   = "mnist"
	fashionSubdir = "fashion-mnist"
)

// ErrChecksum marks a file whose content does not match its recorded
// SHA-256 sum.
var ErrChecksum = errors.New("SHA-256 mismatch")

// readIDXVerified reads the IDX file at path, decompressing it if it is
// gzip-compressed, and checks the SHA-256 of the uncompressed IDX bytes
// against want (hex). The sums are over uncompressed content so that a
// plain copy and a gzip copy of the same file both verify, and so that our
// own conversions do not depend on the compressor's exact output.
func readIDXVerified(path, want string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
	}
	if got := sha256Hex(b); got != want {
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
func loadSplit(dir, source, sub string, top bool, imagesName, labelsName string, sums map[string]string) (*Images, []uint8, error) {
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
		if raw[k], err = readIDXVerified(p, sums[name]); err != nil {
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
	if train.Images, train.Labels, err = loadSplit(dir, source, sub, top, trainImagesName, trainLabelsName, sums); err != nil {
		return train, test, err
	}
	test.Images, test.Labels, err = loadSplit(dir, source, sub, top, testImagesName, testLabelsName, sums)
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
