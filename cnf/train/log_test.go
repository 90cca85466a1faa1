package train

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// TestReadLog reads back a hand-written log and rejects a missing log and a
// corrupt line, naming the line.
func TestReadLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, LogFile)
	if _, err := ReadLog(dir); err == nil {
		t.Error("missing log accepted")
	}
	good := `{"iteration":0,"seconds":0.5,"lr":0,"heldout_loss":3,"heldout_bits_per_dim":2,"heldout_nfe":20}` + "\n" +
		`{"iteration":10,"seconds":1,"lr":0.01,"train_loss":2.5,"nfe_forward":26,"heldout_loss":2,"heldout_bits_per_dim":1.5,"heldout_nfe":26}` + "\n"
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []LogRecord{
		{Iteration: 0, Seconds: 0.5, HeldoutLoss: 3, HeldoutBPD: 2, HeldoutNFE: 20},
		{Iteration: 10, Seconds: 1, LR: 0.01, TrainLoss: 2.5, NFEForward: 26, HeldoutLoss: 2, HeldoutBPD: 1.5, HeldoutNFE: 26},
	}
	if len(recs) != len(want) || recs[0] != want[0] || recs[1] != want[1] {
		t.Errorf("read %+v, want %+v", recs, want)
	}
	if err := os.WriteFile(path, []byte(good+"{\"iteration\":\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLog(dir); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("corrupt third line: error %v, want one naming line 3", err)
	}
}

// TestReadLogHostile: a log with an unknown field, data after a record,
// a line beyond the bound, iterations going back, or a FIFO in its place
// is refused naming the file and the line, without reading on.
func TestReadLogHostile(t *testing.T) {
	rec := `{"iteration":10,"seconds":1,"lr":0.01,"heldout_loss":2,"heldout_bits_per_dim":1.5,"heldout_nfe":26}`
	for _, c := range []struct{ log, want string }{
		{strings.Replace(rec, "{", `{"colour":1,`, 1) + "\n", `line 1: json: unknown field "colour"`},
		{rec + " {}\n", "line 1: at byte"},
		{rec + "\n" + strings.Repeat(" ", 1<<20) + "\n", "line 2: bufio.Scanner: token too long"},
		{rec + "\n" + strings.Replace(rec, "10", "9", 1) + "\n", "line 2: iteration 9 after 10"},
		{rec + "\n\n", "line 2: empty: no JSON value"},
		{rec, "byte 99 is not the end of a line"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, LogFile), []byte(c.log), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadLog(dir); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Join(dir, LogFile)) {
			t.Errorf("%.40q: error %v, want one naming the file and %q", c.log, err, c.want)
		}
	}
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, LogFile), 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := ReadLog(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a FIFO for a log: error %v", err)
	}
}

// TestCheckDir: a checkpoint that does not describe its directory (a log
// offset beyond the log, inside a line, or over a damaged log, no log for
// a nonzero offset, an iteration that is not the last logged one plus the
// window, another parameter count) is refused by CheckDir and by a resumed
// Run, naming the checkpoint, and the directory is left byte for byte as
// it was.
func TestCheckDir(t *testing.T) {
	src := t.TempDir()
	tr := toyTrainer(src, newToy(2))
	ctx, cancel := context.WithCancel(context.Background())
	tr.Progress = func(p Progress) {
		if p.Iteration == 30 {
			cancel()
		}
	}
	if _, err := tr.Run(ctx, nil); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("run stopped at 30: %v", err)
	}
	cancel()
	good, err := ReadCheckpoint(src)
	if err != nil {
		t.Fatal(err)
	}
	params := len(good.Params)
	if _, err := good.CheckDir(src, params); err != nil {
		t.Fatalf("the checkpoint of a run in its own directory: %v", err)
	}
	logBytes, _ := os.ReadFile(filepath.Join(src, LogFile))
	for _, c := range []struct {
		name string
		edit func(dir string, c *Checkpoint)
		want string
	}{
		{"offset beyond the log", func(dir string, c *Checkpoint) { c.LogOffset = 1 << 40 },
			LogFile + ": 1099511627776 bytes expected, the file has"},
		{"offset inside a line", func(dir string, c *Checkpoint) { c.LogOffset-- },
			"is not the end of a line"},
		{"no log", func(dir string, c *Checkpoint) { os.Remove(filepath.Join(dir, LogFile)) },
			"no such file or directory"},
		{"damaged log", func(dir string, c *Checkpoint) {
			os.WriteFile(filepath.Join(dir, LogFile), append([]byte("{}x"), logBytes[3:]...), 0o644)
		}, "line 1"},
		{"iteration not the logged one plus the window", func(dir string, c *Checkpoint) { c.Iteration += 5 },
			"iteration 35, but the training log's last record before log_offset"},
		{"window not the steps since the last log line", func(dir string, c *Checkpoint) { c.Window.Steps = 0 },
			"log_window.steps is 0"},
		{"other parameter count", func(dir string, c *Checkpoint) {
			c.Params, c.AdamM, c.AdamV = append(c.Params, 0), append(c.AdamM, 0), append(c.AdamV, 0)
		}, "5 parameters, but the model has 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range []string{LogFile, CheckpointFile} {
				b, err := os.ReadFile(filepath.Join(src, name))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, name), b, 0o644)
			}
			ck, err := ReadCheckpoint(dir)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(dir, ck)
			before := dirSums(t, dir)
			_, err = ck.CheckDir(dir, params)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Join(dir, CheckpointFile)) {
				t.Errorf("CheckDir: error %v, want one naming the checkpoint and %q", err, c.want)
			}
			if _, err := toyTrainer(dir, newToy(2)).Run(context.Background(), ck); err == nil {
				t.Error("Run continued the checkpoint")
			}
			if after := dirSums(t, dir); !maps.Equal(before, after) {
				t.Errorf("the directory changed: %v before, %v after", before, after)
			}
		})
	}
}

// dirSums returns the SHA-256 of every file in dir by name.
func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][32]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// FuzzReadLog: no training log makes the reader panic or allocate more
// than a few times its size, read whole or up to any offset; what it
// accepts has iterations that do not decrease and reads back the same
// once written out again.
func FuzzReadLog(f *testing.F) {
	rec := `{"iteration":10,"seconds":1,"lr":0.01,"heldout_loss":2,"heldout_bits_per_dim":1.5,"heldout_nfe":26}`
	f.Add([]byte(rec+"\n"+strings.Replace(rec, "10", "20", 1)+"\n"), int64(-1))
	f.Add([]byte(rec+"\n"+rec[:20]), int64(len(rec)+1))
	f.Add([]byte(rec+"\n"+strings.Repeat("x", 70000)+"\n"), int64(-1))
	f.Add([]byte(`{"iteration":5}`+"\n"+`{"iteration":4}`+"\n"), int64(-1))
	dir := f.TempDir()
	path := filepath.Join(dir, LogFile)
	f.Fuzz(func(t *testing.T, b []byte, limit int64) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var recs []LogRecord
		var err error
		if n := readtest.Allocated(func() { recs, err = readLog(path, limit) }); n > uint64(64*len(b)+1<<20) {
			t.Fatalf("allocated %d bytes reading %d", n, len(b))
		}
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		var again []byte
		for i, r := range recs {
			if i > 0 && r.Iteration < recs[i-1].Iteration {
				t.Fatalf("iterations %d then %d accepted", recs[i-1].Iteration, r.Iteration)
			}
			line, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			again = append(append(again, line...), '\n')
		}
		if err := os.WriteFile(path, again, 0o644); err != nil {
			t.Fatal(err)
		}
		back, err := readLog(path, -1)
		if err != nil || !slices.Equal(back, recs) {
			t.Fatalf("written out and read again: %v, %v against %v", err, back, recs)
		}
	})
}
