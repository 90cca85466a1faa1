package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/train"
)

// npyOf returns an .npy file with the given header dictionary followed by
// data.
func npyOf(dict string, data []byte) []byte {
	pad := 64 - (10+len(dict)+1)%64
	h := dict + strings.Repeat(" ", pad) + "\n"
	b := binary.LittleEndian.AppendUint16([]byte("\x93NUMPY\x01\x00"), uint16(len(h)))
	return append(append(b, h...), data...)
}

// cutHeader is an .npy file cut inside its header.
var cutHeader = append([]byte("\x93NUMPY\x01\x00\x76\x00"), "{'descr'"...)

// editArchive rewrites the archive at path, stored, after edit has changed
// its members (name and content, in order).
func editArchive(t *testing.T, path string, edit func(names []string, data [][]byte) ([]string, [][]byte)) {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var data [][]byte
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		names, data = append(names, f.Name), append(data, b)
	}
	z.Close()
	names, data = edit(names, data)
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i, n := range names {
		f, _ := w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		f.Write(data[i])
	}
	w.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
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
	truncated := write("truncated.npy", cutHeader)
	huge := write("huge.npy", npyOf("{'descr': '<f8', 'fortran_order': False, 'shape': (625000000, 2), }", make([]byte, 2)))
	inexact := write("inexact.npy", npyOf("{'descr': '<u8', 'fortran_order': False, 'shape': (1, 2), }", []byte{1, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255}))
	modelDir := func(name string, edit func(dir string)) string {
		dir := filepath.Join(root, name)
		smallModel(t, dir)
		edit(dir)
		return dir
	}
	cutMember := modelDir("cut-member", func(dir string) {
		editArchive(t, filepath.Join(dir, "weights.npz"), func(n []string, d [][]byte) ([]string, [][]byte) {
			d[len(d)-1] = cutHeader
			return n, d
		})
	})
	dupMember := modelDir("dup-member", func(dir string) {
		editArchive(t, filepath.Join(dir, "weights.npz"), func(n []string, d [][]byte) ([]string, [][]byte) {
			return append(n, n[0]), append(d, d[0])
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
		editArchive(t, filepath.Join(dir, train.CheckpointFile), func(n []string, d [][]byte) ([]string, [][]byte) {
			d[0] = cutHeader
			return n, d
		})
	})
	// A directory killed before its first checkpoint, whose run.json has
	// trailing data.
	trailingResume := filepath.Join(root, "trailing-resume")
	os.MkdirAll(trailingResume, 0o755)
	appendTo("run.json", `{"base": "gmm"}x`)(trailingResume)

	cases := []struct {
		args []string
		want string
	}{
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
	}
	for _, tc := range cases {
		before := snapshot(t, root)
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		msg := stderr.String()
		name := strings.Join(tc.args, " ")
		if code != exitUsage {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", name, code, exitUsage, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: stderr %q, want one line with %q", name, msg, tc.want)
		}
		if after := snapshot(t, root); len(after) != len(before) {
			t.Errorf("%s: the directory changed", name)
		} else {
			for p, b := range before {
				if after[p] != b {
					t.Errorf("%s: %s changed", name, p)
				}
			}
		}
	}
}
