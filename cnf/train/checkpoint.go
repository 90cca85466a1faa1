package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
	"github.com/mmcnf/mmcnf/internal/npy"
	"github.com/mmcnf/mmcnf/internal/strictjson"
)

// CheckpointFile is the name of the checkpoint inside a model directory.
const CheckpointFile = "checkpoint.npz"

// checkpointFormat names the layout of state.json; readers reject others.
const checkpointFormat = "mmcnf-checkpoint/1"

// maxStateBytes bounds state.json: a few numbers and the run's settings.
const maxStateBytes = 1 << 20

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
		z := npy.NewArchiveWriter(f, false)
		for _, a := range []struct {
			name string
			v    []float64
		}{{"params.npy", c.Params}, {"adam_m.npy", c.AdamM}, {"adam_v.npy", c.AdamV}} {
			if err := z.Write(a.name, []int{len(a.v)}, a.v); err != nil {
				return err
			}
		}
		if err := z.WriteBytes("state.json", state); err != nil {
			return err
		}
		return z.Close()
	})
}

// ReadCheckpoint reads dir/checkpoint.npz and checks that it is complete and
// consistent: a known format, state.json decoded strictly (no unknown
// fields, nothing after the object) with no negative count, three finite
// vectors of one length, and a generator state. Every size the archive
// declares is checked before it is allocated.
func ReadCheckpoint(dir string) (c *Checkpoint, err error) {
	path := filepath.Join(dir, CheckpointFile)
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("read checkpoint %s: internal error: %v", path, p)
		}
	}()
	z, err := npy.OpenArchive(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	defer z.Close()
	state, err := z.ReadBytes("state.json", maxStateBytes)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c = &Checkpoint{}
	if err := strictjson.Unmarshal(state, c); err != nil {
		return nil, fmt.Errorf("read checkpoint %s: state.json: %w", path, err)
	}
	switch {
	case c.Format != checkpointFormat:
		return nil, fmt.Errorf("read checkpoint %s: format %q, want %q", path, c.Format, checkpointFormat)
	case c.LogOffset < 0:
		return nil, fmt.Errorf("read checkpoint %s: state.json: negative log_offset %d", path, c.LogOffset)
	case !(c.Seconds >= 0) || math.IsInf(c.Seconds, 1):
		return nil, fmt.Errorf("read checkpoint %s: state.json: elapsed_seconds %v is not a non-negative number", path, c.Seconds)
	case c.Window.Steps < 0:
		return nil, fmt.Errorf("read checkpoint %s: state.json: negative log_window steps %d", path, c.Window.Steps)
	}
	for _, a := range []struct {
		name string
		dst  *[]float64
	}{{"params.npy", &c.Params}, {"adam_m.npy", &c.AdamM}, {"adam_v.npy", &c.AdamV}} {
		// The moments have as many values as the parameters.
		arr, err := z.Read(a.name, len(c.Params))
		if err != nil {
			return nil, fmt.Errorf("read checkpoint: %w", err)
		}
		if len(arr.Shape) != 1 {
			return nil, fmt.Errorf("read checkpoint %s: %s has shape %v, want a vector", path, a.name, arr.Shape)
		}
		if len(arr.Data) == 0 {
			return nil, fmt.Errorf("read checkpoint %s: %s is empty", path, a.name)
		}
		for i, v := range arr.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("read checkpoint %s: %s[%d] is %v", path, a.name, i, v)
			}
		}
		*a.dst = arr.Data
	}
	switch {
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
	return c, nil
}

// CheckDir checks c against the model directory dir it was read from, as
// continuing it needs, and returns the last training log record it covers
// (the zero record when it covers none): c must hold params parameters,
// as the model does; the first log_offset bytes of train.jsonl must be
// whole records (readLog; an offset of zero needs no log), the last of
// them written log_window.steps iterations before c's iteration (the
// loop logs before it checkpoints, and counts the steps since).
func (c *Checkpoint) CheckDir(dir string, params int) (LogRecord, error) {
	path := filepath.Join(dir, CheckpointFile)
	var last LogRecord
	if len(c.Params) != params {
		return last, fmt.Errorf("%s: %d parameters, but the model has %d", path, len(c.Params), params)
	}
	logged := 0
	if c.LogOffset > 0 {
		recs, err := readLog(filepath.Join(dir, LogFile), c.LogOffset)
		if err != nil {
			return last, fmt.Errorf("%s: log_offset %d: %w", path, c.LogOffset, err)
		}
		if len(recs) > 0 {
			last = recs[len(recs)-1]
			logged = last.Iteration
		}
	}
	if logged+c.Window.Steps != c.Iteration {
		return last, fmt.Errorf("%s: iteration %d, but the training log's last record before log_offset %d is of iteration %d and log_window.steps is %d", path, c.Iteration, c.LogOffset, logged, c.Window.Steps)
	}
	return last, nil
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
