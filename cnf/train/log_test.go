package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
