package train

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/sbinet/npyio"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// CheckpointFile is the name of the checkpoint inside a model directory.
const CheckpointFile = "checkpoint.npz"

// checkpointFormat names the layout of state.json; readers reject others.
const checkpointFormat = "mmcnf-checkpoint/1"

// Checkpoint is everything a run needs to continue exactly: the parameters,
// Adam's moments, the iteration, the generator's state and the settings.
//
// On disk it is a NumPy .npz archive holding params.npy, adam_m.npy and
// adam_v.npy (float64 vectors) and state.json (the other fields), which
// numpy.load returns as bytes.
type Checkpoint struct {
	Params []float64 `json:"-"`
	AdamM  []float64 `json:"-"`
	AdamV  []float64 `json:"-"`

	Format    string          `json:"format"`
	Iteration int             `json:"iteration"`       // updates applied so far
	RNG       []byte          `json:"rng_pcg"`         // math/rand/v2 PCG state (MarshalBinary)
	Seconds   float64         `json:"elapsed_seconds"` // wall time of the run so far
	LogOffset int64           `json:"log_offset"`      // bytes of the training log that belong to this state
	Window    Window          `json:"log_window"`      // training statistics not yet logged
	Config    Config          `json:"train"`           // the loop's settings
	Meta      json.RawMessage `json:"run,omitempty"`   // the caller's settings (data, model), opaque here
}

// WriteCheckpoint writes c as dir/checkpoint.npz atomically.
func WriteCheckpoint(dir string, c *Checkpoint) error {
	c.Format = checkpointFormat
	state, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, CheckpointFile), func(f *os.File) error {
		z := zip.NewWriter(f)
		for _, a := range []struct {
			name string
			v    []float64
		}{{"params.npy", c.Params}, {"adam_m.npy", c.AdamM}, {"adam_v.npy", c.AdamV}} {
			w, err := z.CreateHeader(&zip.FileHeader{Name: a.name, Method: zip.Store})
			if err != nil {
				return err
			}
			if err := npyio.Write(w, a.v); err != nil {
				return fmt.Errorf("%s: %w", a.name, err)
			}
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: "state.json", Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := w.Write(state); err != nil {
			return err
		}
		return z.Close()
	})
}

// ReadCheckpoint reads dir/checkpoint.npz and checks that it is complete and
// consistent: a known format, three finite vectors of one length, a
// non-negative iteration and a generator state.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	path := filepath.Join(dir, CheckpointFile)
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	defer z.Close()
	members := map[string]*zip.File{}
	for _, f := range z.File {
		members[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := members[name]
		if !ok {
			return nil, fmt.Errorf("read checkpoint %s: %s is missing", path, name)
		}
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %s: %w", path, name, err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %s: %w", path, name, err)
		}
		return b, nil
	}
	var c Checkpoint
	state, err := read("state.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(state, &c); err != nil {
		return nil, fmt.Errorf("read checkpoint %s: state.json: %w", path, err)
	}
	if c.Format != checkpointFormat {
		return nil, fmt.Errorf("read checkpoint %s: format %q, want %q", path, c.Format, checkpointFormat)
	}
	for _, a := range []struct {
		name string
		dst  *[]float64
	}{{"params.npy", &c.Params}, {"adam_m.npy", &c.AdamM}, {"adam_v.npy", &c.AdamV}} {
		b, err := read(a.name)
		if err != nil {
			return nil, err
		}
		if err := npyio.Read(bytes.NewReader(b), a.dst); err != nil {
			return nil, fmt.Errorf("read checkpoint %s: %s: %w", path, a.name, err)
		}
		for i, v := range *a.dst {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("read checkpoint %s: %s[%d] is %v", path, a.name, i, v)
			}
		}
	}
	switch {
	case len(c.Params) == 0:
		return nil, fmt.Errorf("read checkpoint %s: params.npy is empty", path)
	case len(c.AdamM) != len(c.Params) || len(c.AdamV) != len(c.Params):
		return nil, fmt.Errorf("read checkpoint %s: %d params but Adam moments of length %d and %d", path, len(c.Params), len(c.AdamM), len(c.AdamV))
	case c.Iteration < 0:
		return nil, fmt.Errorf("read checkpoint %s: negative iteration %d", path, c.Iteration)
	case len(c.RNG) == 0:
		return nil, fmt.Errorf("read checkpoint %s: no generator state", path)
	}
	if err := c.Config.Validate(); err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	return &c, nil
}

// HasCheckpoint reports whether dir holds a checkpoint file.
func HasCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, CheckpointFile))
	return err == nil
}

// RemoveTemporaries deletes what an interrupted atomic write can leave in
// dir: hidden ".save-*" directories and ".*.tmp-*" files.
func RemoveTemporaries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".save-") || (strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-")) {
			if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}
