package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/readtest"
)

// editArchive rewrites the archive at path after edit has changed its
// members.
func editArchive(t *testing.T, path string, edit func([]readtest.Member) []readtest.Member) {
	t.Helper()
	ms, err := readtest.MembersFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, readtest.Zip(edit(ms)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileFiles gives every reader of the CLI a damaged or oversized
// file: each run ends with exit status 2, one line naming the file and
// what is wrong, and nothing written.
func TestHostileFiles(t *testing.T) {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	smallModel(t, model)
	write := func(name string, b []byte) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.npy", readtest.CutNPY)
	huge := write("huge.npy", readtest.NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (625000000, 2), }", make([]byte, 2)))
	inexact := write("inexact.npy", readtest.NPY(1, "{'descr': '<u8', 'fortran_order': False, 'shape': (1, 2), }", []byte{1, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255}))
	modelDir := func(name string, edit func(dir string)) string {
		dir := filepath.Join(root, name)
		smallModel(t, dir)
		edit(dir)
		return dir
	}
	cutMember := modelDir("cut-member", func(dir string) {
		editArchive(t, filepath.Join(dir, "weights.npz"), func(ms []readtest.Member) []readtest.Member {
			return readtest.Replace(ms, "base.log_weights.npy", readtest.CutNPY)
		})
	})
	dupMember := modelDir("dup-member", func(dir string) {
		editArchive(t, filepath.Join(dir, "weights.npz"), func(ms []readtest.Member) []readtest.Member {
			return append(ms, ms[0])
		})
	})
	appendTo := func(file, text string) func(dir string) {
		return func(dir string) {
			f, err := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(text)
			f.Close()
		}
	}
	trailingConfig := modelDir("trailing-config", appendTo("config.json", "{}"))
	trailingRun := modelDir("trailing-run", appendTo("run.json", `{"base": "gmm"} {}`))
	unknownRun := modelDir("unknown-run", appendTo("run.json", `{"base": "gmm", "colour": 1}`))
	negativeRun := modelDir("negative-run", appendTo("run.json", `{"base": "gmm", "dataset": {"data": "moons", "n_test": -5}}`))
	// A checkpoint whose parameters are cut inside their header.
	cutCkpt := modelDir("cut-ckpt", func(dir string) {
		c := &train.Checkpoint{Params: []float64{1}, AdamM: []float64{0}, AdamV: []float64{0}, RNG: []byte("pcg"), Config: train.DefaultConfig(), Meta: []byte(`{}`)}
		if err := train.WriteCheckpoint(dir, c); err != nil {
			t.Fatal(err)
		}
		editArchive(t, filepath.Join(dir, train.CheckpointFile), func(ms []readtest.Member) []readtest.Member {
			return readtest.Replace(ms, "params.npy", readtest.CutNPY)
		})
	})
	// A directory killed before its first checkpoint, whose run.json has
	// trailing data.
	trailingResume := filepath.Join(root, "trailing-resume")
	os.MkdirAll(trailingResume, 0o755)
	appendTo("run.json", `{"base": "gmm"}x`)(trailingResume)

	refused(t, root, []badInput{
		{[]string{"eval", "--model", model, "--data", truncated}, truncated + ": truncated: header length 118, but only 8 bytes follow it"},
		{[]string{"eval", "--model", model, "--data", huge}, huge + ": truncated: shape (625000000, 2) of <f8 needs 10000000000 bytes of data"},
		{[]string{"eval", "--model", model, "--data", inexact}, inexact + ": value not exactly representable as float64: element (0, 1) of <u8 is 18446744073709551615"},
		{[]string{"eval", "--model", cutMember}, "weights.npz: base.log_weights.npy: truncated"},
		{[]string{"eval", "--model", dupMember}, `weights.npz: duplicate member "hyper_net.fc1.weight.npy"`},
		{[]string{"eval", "--model", trailingConfig}, "config.json: at byte"},
		{[]string{"eval", "--model", trailingRun}, "run.json: at byte 16: data after the JSON value"},
		{[]string{"eval", "--model", unknownRun}, `run.json: json: unknown field "colour"`},
		{[]string{"eval", "--model", negativeRun}, "run.json: dataset n_test = -5 is negative"},
		{[]string{"sample", "--model", cutMember, "--out", filepath.Join(root, "s.csv")}, "weights.npz: base.log_weights.npy: truncated"},
		{[]string{"train", "--resume", "--out", cutCkpt}, "checkpoint.npz: params.npy: truncated"},
		{[]string{"train", "--resume", "--out", trailingResume}, "run.json: at byte 15: data after the JSON value"},
	})
}
