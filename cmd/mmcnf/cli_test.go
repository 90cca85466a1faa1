package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
)

// snapshot lists every file under dir with its size and contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		} else {
			out[p+"/"] = ""
		}
		return nil
	})
	return out
}

// smallModel writes a tiny untrained 2-D GMM model directory.
func smallModel(t *testing.T, dir string) {
	t.Helper()
	saveModel(t, dir, cnf.Config{
		Shape:    []int{2},
		Dynamics: cnf.DynamicsConfig{Kind: cnf.HyperPlanar, Hidden: 4, Width: 4},
		Base:     cnf.BaseConfig{Kind: cnf.BaseGMM, Means: [][]float64{{-1, 0}, {1, 0}}},
		Solver:   cnf.SolverConfig{Method: "rk4", Steps: 2},
	})
}

// saveModel writes an untrained model of cfg into the directory dir.
func saveModel(t *testing.T, dir string, cfg cnf.Config) {
	t.Helper()
	m, err := cnf.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
}

// badInput is a command line that must be refused, with a fragment of
// the message that must name what is wrong.
type badInput struct {
	args []string
	want string
}

// refused runs each command line in-process and checks the exit status 2,
// a single line on stderr that holds its fragment, nothing on stdout, and
// that nothing under root changed.
func refused(t *testing.T, root string, cases []badInput) {
	t.Helper()
	for _, tc := range cases {
		before := snapshot(t, root)
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		msg := stderr.String()
		name := strings.Join(tc.args, " ")
		if code != exitUsage {
			t.Errorf("%s: exit status %d, want %d (stderr %q)", name, code, exitUsage, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
			t.Errorf("%s: stderr is not one line: %q", name, msg)
		}
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: stderr %q does not mention %q", name, msg, tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%s: wrote %q on stdout", name, stdout.String())
		}
		after := snapshot(t, root)
		if len(after) != len(before) {
			t.Errorf("%s: the directory changed: %d entries before, %d after", name, len(before), len(after))
		}
		for p, b := range before {
			if after[p] != b {
				t.Errorf("%s: %s changed", name, p)
			}
		}
	}
}

// TestBadInput runs every kind of bad command line in-process and checks
// the exit status 2, a single line on stderr that names the problem, and
// that nothing in the working directory changed.
func TestBadInput(t *testing.T) {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	smallModel(t, model)
	corrupt := filepath.Join(root, "corrupt")
	smallModel(t, corrupt)
	if err := os.WriteFile(filepath.Join(corrupt, "weights.npz"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	badCkpt := filepath.Join(root, "badckpt")
	smallModel(t, badCkpt)
	if err := os.WriteFile(filepath.Join(badCkpt, "checkpoint.npz"), []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "out")
	file := filepath.Join(root, "s.csv")
	cases := []badInput{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"train", "--frob"}, "flag provided but not defined: -frob"},
		{[]string{"train", "--iters", "ten", "--out", out}, "invalid value"},
		{[]string{"train", "--out", out, "extra"}, `unexpected argument "extra"`},
		{[]string{"train", "--data", "nosuch", "--out", out}, `unknown dataset "nosuch"`},
		{[]string{"train", "--classes", "0,7", "--out", out}, "class 7 out of range"},
		{[]string{"train", "--classes", "0,0", "--out", out}, "0 appears twice"},
		{[]string{"train", "--classes", "-1", "--out", out}, "not a non-negative integer"},
		{[]string{"train", "--iters", "0", "--out", out}, "--iters must be positive"},
		{[]string{"train", "--batch", "-4", "--out", out}, "--batch must be positive"},
		{[]string{"train", "--n-train", "-5", "--out", out}, "must not be negative"},
		{[]string{"train", "--hidden", "0", "--out", out}, "--hidden must be positive"},
		{[]string{"train", "--rtol", "0", "--out", out}, "--rtol must be positive"},
		{[]string{"train", "--atol", "-1e-5", "--out", out}, "--atol must be positive"},
		{[]string{"train", "--lr", "NaN", "--out", out}, "--lr must be positive"},
		{[]string{"train", "--solver", "rk5", "--out", out}, "--solver must be one of euler, rk4, rk38, dopri5, tsit5"},
		{[]string{"train", "--grad", "both", "--out", out}, "--grad must be one of backprop, backprop-recompute, adjoint"},
		{[]string{"train", "--solver", "rk4", "--interpolate", "--out", out}, "--interpolate needs an adaptive solver"},
		{[]string{"train", "--weight-norm", "--out", out}, "--weight-norm applies to concatconv and concatmlp, not to the hyperplanar dynamics of moons"},
		{[]string{"train", "--base", "uniform", "--out", out}, "--base must be one of"},
		{[]string{"train", "--beta2", "1", "--out", out}, "--beta2 must lie in [0, 1)"},
		{[]string{"train"}, "--out DIR is required"},
		{[]string{"train", "--progress-every", "-1s", "--out", out}, "--progress-every must not be negative"},
		{[]string{"reproduce", "moons", "--progress-every", "-1s", "--out", out}, "--progress-every must not be negative"},
		{[]string{"eval", "--model", model, "--json", "--out", filepath.Join(root, "p.json")}, "written as .csv"},
		{[]string{"train", "--out", model}, "already holds a model"},
		{[]string{"train", "--out", filepath.Join(root, "none"), "--resume"}, "none is no such directory"},
		{[]string{"train", "--out", badCkpt, "--resume"}, "checkpoint"},
		{[]string{"train", "--out", model, "--resume", "--lr", "0.1"}, "--lr cannot be changed on --resume"},
		{[]string{"eval"}, "--model DIR is required"},
		{[]string{"eval", "--model", filepath.Join(root, "none")}, "no such model directory"},
		{[]string{"eval", "--model", corrupt}, "weights.npz"},
		{[]string{"eval", "--model", model, "--data", "nosuch"}, `unknown dataset "nosuch"`},
		{[]string{"eval", "--model", model, "--data", "moons", "--classes", "9"}, "class 9 out of range"},
		{[]string{"eval", "--model", model}, "--data is required: the model directory has no run.json"},
		{[]string{"eval", "--model", model, "--data", "moons", "--interpolate"}, "--interpolate: the model's solver rk4 is fixed-step"},
		{[]string{"sample", "--model", model, "--interpolate", "--out", file}, "--interpolate: the model's solver rk4 is fixed-step"},
		{[]string{"eval", "--model", model, "--out", filepath.Join(root, "p.txt")}, "written as .csv"},
		{[]string{"eval", "--model", model, "--data", "moons", "--batch", "0"}, "--batch must be positive"},
		{[]string{"sample", "--model", model, "-n", "0", "--out", file}, "--n must be positive"},
		{[]string{"sample", "--model", model, "--class", "2", "--out", file}, "--class 2 out of range"},
		{[]string{"sample", "--model", model, "--class", "-3", "--out", file}, "--class must be -1"},
		{[]string{"sample", "--model", model, "--out", filepath.Join(root, "s.png")}, "needs an image model"},
		{[]string{"sample", "--model", model, "--out", filepath.Join(root, "s.txt")}, "want a .csv or .png"},
		{[]string{"sample", "--model", model}, "--out FILE is required"},
		{[]string{"sample", "--model", filepath.Join(root, "none"), "--out", file}, "no such model directory"},
		{[]string{"sample", "--model", corrupt, "--out", file}, "weights.npz"},
		{[]string{"train", "--max-time", "-1s", "--out", out}, "--max-time must not be negative"},
		{[]string{"reproduce", "moons", "--out", out, "--unit", "x"}, `"x" is not a unit index`},
		{[]string{"reproduce", "moons", "--quick", "--out", out, "--unit", "0,4"}, "unit 4 out of range: the study has 4 units"},
		{[]string{"reproduce", "moons", "--out", out, "--unit", "3-1"}, `range "3-1" runs backwards`},
		{[]string{"reproduce", "moons", "--out", out, "--unit", "1,"}, `"" is not a unit index`},
		{[]string{"reproduce", "moons", "--out", out, "--list", "--report"}, "exclude each other"},
		{[]string{"reproduce", "moons", "--out", out, "--report", "--unit", "0"}, "not to report or prepare"},
		{[]string{"reproduce", "moons", "--out", out, "--max-time", "-1s"}, "--max-time must not be negative"},
		{[]string{"reproduce", "moons", "--out", out, "--list", "--max-time", "1h"}, "--max-time bounds training"},
		{[]string{"reproduce", "moons", "--batch", "-1", "--out", out}, "--batch must not be negative"},
		{[]string{"reproduce", "moons", "--grad", "both", "--out", out}, "--grad must be one of backprop, backprop-recompute, adjoint"},
		{[]string{"reproduce", "moons", "--quick", "--samples", "-1", "--out", out}, "--samples must not be negative"},
		{[]string{"reproduce", "moons-sensitivity", "--quick", "--lr-schedule", "linear", "--out", out}, `--lr-schedule must be constant or cosine, got "linear"`},
		{[]string{"bench", "nosuch"}, `unknown benchmark "nosuch"`},
		{[]string{"data", "nosuch"}, `unknown subcommand "nosuch"`},
	}
	refused(t, root, cases)
}

// TestHelp checks that help and -h succeed and document every flag with
// its default.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	help := stdout.String()
	for _, c := range []string{"train", "eval", "sample", "plot", "reproduce", "bench", "data"} {
		if !strings.Contains(help, "  "+c+" ") {
			t.Errorf("help does not list %s", c)
		}
		stdout.Reset()
		args := []string{c, "-h"}
		if c == "data" {
			args = []string{"data", "fetch", "-h"}
		}
		if c == "bench" {
			continue
		}
		if code := run(args, &stdout, &stderr); code != exitOK {
			t.Errorf("%s -h: exit %d", c, code)
		}
		text := stdout.String()
		if !strings.Contains(text, "usage: mmcnf "+c) {
			t.Errorf("%s -h lacks a usage line:\n%s", c, text)
		}
		flags := strings.Count(text, "\n  -")
		// Every flag ends with its default, printed as "(default X)" or
		// stated by the flag's own text as "(default: ...)".
		defaults := strings.Count(text, "(default ") + strings.Count(text, "(default: ")
		if flags == 0 || flags != defaults {
			t.Errorf("%s -h: %d flags but %d defaults:\n%s", c, flags, defaults, text)
		}
	}
}
