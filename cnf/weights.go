package cnf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"codeberg.org/sbinet/npyio/npz"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// Files of a model directory.
const (
	ConfigFile  = "config.json"
	WeightsFile = "weights.npz"
)

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
	w := npz.NewWriter(&buf)
	for _, a := range m.arrays() {
		if err := w.Write(a.name+".npy", nest(a.v, a.shape)); err != nil {
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

// nest reshapes v to nested slices of the given rank (1 to 4), the form the
// npy writer takes shapes from.
func nest(v []float64, shape []int) any {
	if len(shape) == 1 {
		return v
	}
	rows := shape[0]
	size := len(v) / max(1, rows)
	switch len(shape) {
	case 2:
		out := make([][]float64, rows)
		for i := range out {
			out[i] = v[i*size : (i+1)*size]
		}
		return out
	case 3:
		out := make([][][]float64, rows)
		for i := range out {
			out[i] = nest(v[i*size:(i+1)*size], shape[1:]).([][]float64)
		}
		return out
	default:
		out := make([][][][]float64, rows)
		for i := range out {
			out[i] = nest(v[i*size:(i+1)*size], shape[1:]).([][][]float64)
		}
		return out
	}
}

// Load reads a model directory written by Save (or by the Python recipe in
// the repository's docs/formats.md). It fails naming the file or the array
// that is missing, misshaped or not finite.
func Load(dir string) (*Model, error) {
	js, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("cnf: load: %w", err)
	}
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("cnf: load %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	m, err := New(cfg, 0)
	if err != nil {
		return nil, fmt.Errorf("cnf: load %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	path := filepath.Join(dir, WeightsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cnf: load: %w", err)
	}
	r, err := npz.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("cnf: load %s: %w", path, err)
	}
	keys := map[string]string{}
	for _, k := range r.Keys() {
		keys[k] = k
		keys[trimNpy(k)] = k
	}
	for _, a := range m.arrays() {
		if err := readArray(r, keys, a); err != nil {
			return nil, fmt.Errorf("cnf: load %s: %w", path, err)
		}
	}
	return m, nil
}

func trimNpy(k string) string {
	if len(k) > 4 && k[len(k)-4:] == ".npy" {
		return k[:len(k)-4]
	}
	return k
}

// readArray reads the array a.name of r into a.v, checking its type,
// shape and values.
func readArray(r *npz.Reader, keys map[string]string, a namedArray) error {
	key, ok := keys[a.name]
	if !ok {
		return fmt.Errorf("array %s is missing", a.name)
	}
	h := r.Header(key)
	if h == nil {
		return fmt.Errorf("array %s: unreadable header", a.name)
	}
	if h.Descr.Fortran {
		return fmt.Errorf("array %s is in Fortran order, want C order", a.name)
	}
	if !slices.Equal(h.Descr.Shape, a.shape) {
		return fmt.Errorf("array %s has shape %v, want %v", a.name, h.Descr.Shape, a.shape)
	}
	var v []float64
	if err := r.Read(key, &v); err != nil {
		return fmt.Errorf("array %s: %w (want float64)", a.name, err)
	}
	if len(v) != len(a.v) {
		return fmt.Errorf("array %s has %d values, want %d", a.name, len(v), len(a.v))
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("array %s element %d is %v", a.name, i, x)
		}
	}
	copy(a.v, v)
	return nil
}
