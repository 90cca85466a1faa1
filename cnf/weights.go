package cnf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/npy"
	"github.com/mmcnf/mmcnf/internal/strictjson"
)

// Files of a model directory.
const (
	ConfigFile  = "config.json"
	WeightsFile = "weights.npz"
)

// maxConfigBytes bounds config.json: room for the means of a thousand
// components of 2^14 dimensions, written in full.
const maxConfigBytes = 1 << 29

// namedArray is one array of weights.npz: its name, shape and values (a
// view into the parameter vector or the base).
type namedArray struct {
	paramSpec
	v []float64
}

// arrays lists every array of the model in file order: each block's
// dynamics parameters, then the base's means (K x D) and log-weights (K).
func (m *Model) arrays() []namedArray {
	var out []namedArray
	for _, blk := range m.blocks {
		off := blk.off
		for _, p := range m.newDynamics(blk.prefix).params() {
			out = append(out, namedArray{p, m.theta[off : off+p.size()]})
			off += p.size()
		}
	}
	k := m.base.k
	out = append(out,
		namedArray{paramSpec{"base.means", []int{k, m.d}}, m.base.mu},
		namedArray{paramSpec{"base.log_weights", []int{k}}, m.base.logits})
	return out
}

// Save writes the model directory dir (created if needed): config.json
// (with the base's current means and log-weights) and weights.npz. Each
// file is written to a temporary file, synced and renamed into place.
func (m *Model) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cnf: save: %w", err)
	}
	cfg := m.Config()
	cfg.Base.Means = make([][]float64, m.base.k)
	for j := range cfg.Base.Means {
		cfg.Base.Means[j] = slices.Clone(m.base.mu[j*m.d : (j+1)*m.d])
	}
	cfg.Base.LogWeights = slices.Clone(m.base.logits)
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("cnf: save: %w", err)
	}
	var buf bytes.Buffer
	w := npy.NewArchiveWriter(&buf, true)
	for _, a := range m.arrays() {
		if err := w.Write(a.name+".npy", a.shape, a.v); err != nil {
			return fmt.Errorf("cnf: save: array %s: %w", a.name, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("cnf: save: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, WeightsFile), buf.Bytes()); err != nil {
		return fmt.Errorf("cnf: save: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ConfigFile), append(js, '\n')); err != nil {
		return fmt.Errorf("cnf: save: %w", err)
	}
	return nil
}

// Load reads a model directory written by Save (or by the Python recipe in
// the repository's docs/formats.md). It fails naming the file, and the array,
// that is missing, misshaped, not of a dtype that converts exactly to
// float64, not finite, or inconsistent with config.json. config.json is
// decoded strictly (no unknown fields, nothing after the object), and its
// sizes are checked against what weights.npz can hold before the model is
// built.
func Load(dir string) (m *Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("cnf: load %s: internal error: %v", dir, p)
		}
	}()
	path := filepath.Join(dir, WeightsFile)
	z, err := npy.OpenArchive(path)
	if err != nil {
		return nil, fmt.Errorf("cnf: load: %w", err)
	}
	defer z.Close()
	cfg, err := readConfig(filepath.Join(dir, ConfigFile), z.UncompressedSize())
	if err != nil {
		return nil, fmt.Errorf("cnf: load: %w", err)
	}
	if m, err = New(cfg, 0); err != nil {
		return nil, fmt.Errorf("cnf: load %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	for _, a := range m.arrays() {
		if err := readArray(z, path, a); err != nil {
			return nil, fmt.Errorf("cnf: load: %w", err)
		}
	}
	if err := sameBase(&cfg, m); err != nil {
		return nil, fmt.Errorf("cnf: load %s: %w", dir, err)
	}
	return m, nil
}

// readConfig reads the config.json at path: decoded strictly, its sizes
// checked against the held bytes of arrays the weights archive declares,
// and validated. Errors start with the path.
func readConfig(path string, held int64) (Config, error) {
	var cfg Config
	js, err := strictjson.ReadFile(path, maxConfigBytes)
	if err != nil {
		return cfg, err
	}
	if err := strictjson.Unmarshal(js, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkSizes(&cfg, held); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// checkSizes refuses the sizes of cfg that no weights archive of held
// uncompressed bytes can match: each dimension of a point, their product,
// the number of blocks and each layer width is the length of an array the
// archive must hold, at one byte or more per value. The memory the model
// needs is another matter, for its callers to weigh.
func checkSizes(cfg *Config, held int64) error {
	tooMany := func(what string, v int64) error {
		return fmt.Errorf("config: %s = %d, but %s holds only %d bytes of arrays", what, v, WeightsFile, held)
	}
	d := int64(1)
	for i, s := range cfg.Shape {
		if int64(s) > held {
			return tooMany(fmt.Sprintf("shape[%d]", i), int64(s))
		}
		if s > 0 && d > held/int64(s) {
			return fmt.Errorf("config: shape %v, but %s holds only %d bytes of arrays", cfg.Shape, WeightsFile, held)
		}
		d *= int64(max(s, 0))
	}
	dc := cfg.Dynamics
	sizes := []struct {
		what string
		v    int
	}{{"blocks", cfg.Blocks}, {"dynamics hidden", dc.Hidden}, {"dynamics width", dc.Width}}
	for i, w := range dc.Dims {
		sizes = append(sizes, struct {
			what string
			v    int
		}{fmt.Sprintf("dynamics dims[%d]", i), w})
	}
	for _, s := range sizes {
		if int64(s.v) > held {
			return tooMany(s.what, int64(s.v))
		}
	}
	return nil
}

// sameBase checks that the base means and log-weights config.json states,
// if any, are those weights.npz holds: one model, one set of numbers.
func sameBase(cfg *Config, m *Model) error {
	for j, mean := range cfg.Base.Means {
		for i, v := range mean {
			if w := m.base.mu[j*m.d+i]; math.Float64bits(w) != math.Float64bits(v) {
				return fmt.Errorf("%s gives base mean %d element %d as %v, %s as %v", ConfigFile, j, i, v, WeightsFile, w)
			}
		}
	}
	for j, v := range cfg.Base.LogWeights {
		if w := m.base.logits[j]; math.Float64bits(w) != math.Float64bits(v) {
			return fmt.Errorf("%s gives base log-weight %d as %v, %s as %v", ConfigFile, j, v, WeightsFile, w)
		}
	}
	return nil
}

// readArray reads the array a.name of z (the archive at path) into a.v,
// checking its shape and values.
func readArray(z *npy.Archive, path string, a namedArray) error {
	h, err := z.Header(a.name)
	if errors.Is(err, npy.ErrMissing) {
		return fmt.Errorf("%s: array %s is missing", path, a.name)
	}
	if err != nil {
		return err
	}
	if !slices.Equal(h.Shape, a.shape) {
		return fmt.Errorf("%s: array %s has shape %v, want %v", path, a.name, h.Shape, a.shape)
	}
	arr, err := z.Read(a.name, len(a.v))
	if err != nil {
		return err
	}
	for i, x := range arr.Data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: array %s element %d is %v", path, a.name, i, x)
		}
	}
	copy(a.v, arr.Data)
	return nil
}
