package train

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

func testCheckpoint() *Checkpoint {
	return &Checkpoint{
		Params:    []float64{1, -0.5, math.SmallestNonzeroFloat64, 3e300},
		AdamM:     []float64{0.1, 0.2, 0.3, 0.4},
		AdamV:     []float64{1e-9, 2e-9, 0, 4},
		Iteration: 17,
		RNG:       []byte("pcg:0123456789abcdef0123456789ab"),
		Seconds:   1.5,
		LogOffset: 99,
		Window:    Window{Steps: 2, Loss: 1.25},
		Config:    DefaultConfig(),
		Meta:      []byte(`{"data":"moons"}`),
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	atomicfile.SetSync(true)
	defer atomicfile.SetSync(false)
	dir := t.TempDir()
	c := testCheckpoint()
	if err := WriteCheckpoint(dir, c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]float64{
		"params": {c.Params, got.Params}, "adam_m": {c.AdamM, got.AdamM}, "adam_v": {c.AdamV, got.AdamV},
	} {
		for i := range pair[0] {
			if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
				t.Errorf("%s[%d] = %v after reading, wrote %v", name, i, pair[1][i], pair[0][i])
			}
		}
	}
	if got.Iteration != 17 || !bytes.Equal(got.RNG, c.RNG) || got.LogOffset != 99 || got.Window != c.Window ||
		got.Config != c.Config || string(got.Meta) != string(c.Meta) {
		t.Errorf("state after reading %+v, wrote %+v", got, c)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after one write, want only %s", len(entries), CheckpointFile)
	}
}

func TestCheckpointRejectsDamage(t *testing.T) {
	dir := t.TempDir()
	if err := WriteCheckpoint(dir, testCheckpoint()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, _ := os.ReadFile(path)
	cases := map[string][]byte{
		"truncated": good[:len(good)/2],
		"empty":     {},
		"garbage":   bytes.Repeat([]byte{0x55}, 300),
	}
	for name, b := range cases {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCheckpoint(dir); err == nil {
			t.Errorf("%s checkpoint accepted", name)
		}
	}
	bad := []func(*Checkpoint){
		func(c *Checkpoint) { c.Params[1] = math.NaN() },
		func(c *Checkpoint) { c.AdamV[0] = math.Inf(1) },
		func(c *Checkpoint) { c.AdamM = c.AdamM[:2] },
		func(c *Checkpoint) { c.Params = nil; c.AdamM = nil; c.AdamV = nil },
		func(c *Checkpoint) { c.RNG = nil },
		func(c *Checkpoint) { c.Iteration = -1 },
		func(c *Checkpoint) { c.Config.Batch = 0 },
	}
	for i, f := range bad {
		c := testCheckpoint()
		f(c)
		if err := WriteCheckpoint(dir, c); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCheckpoint(dir); err == nil {
			t.Errorf("damaged checkpoint %d accepted", i)
		}
	}
	if _, err := ReadCheckpoint(t.TempDir()); err == nil {
		t.Error("missing checkpoint accepted")
	}
}
