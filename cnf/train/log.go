package train

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/internal/regularfile"
	"github.com/mmcnf/mmcnf/internal/strictjson"
)

// LogFile is the name of the training log inside a model directory: one JSON
// object (a LogRecord) per line.
const LogFile = "train.jsonl"

// LogRecord is one line of the training log, written at every held-out
// evaluation. The train_* fields are means over the training steps since
// the previous line and are absent on the line of iteration 0.
type LogRecord struct {
	Iteration   int     `json:"iteration"`
	Seconds     float64 `json:"seconds"` // wall time since the run began, summed over resumes
	LR          float64 `json:"lr"`      // learning rate of the last step
	GradNorm    float64 `json:"grad_norm,omitempty"`
	TrainLoss   float64 `json:"train_loss,omitempty"`
	TrainBPD    float64 `json:"train_bits_per_dim,omitempty"`
	NFEForward  float64 `json:"nfe_forward,omitempty"`  // per training step
	NFEBackward float64 `json:"nfe_backward,omitempty"` // per training step (adjoint)
	VJPBackward float64 `json:"vjp_backward,omitempty"` // per training step
	HeldoutLoss float64 `json:"heldout_loss"`           // mean NLL in nats
	HeldoutBPD  float64 `json:"heldout_bits_per_dim"`
	HeldoutNFE  int     `json:"heldout_nfe"` // forward evaluations of the held-out solve
}

// Window accumulates training statistics between two log lines.
type Window struct {
	Steps    int     `json:"steps"`
	Loss     float64 `json:"loss"`
	BPD      float64 `json:"bpd"`
	NFEF     float64 `json:"nfe_forward"`
	NFEB     float64 `json:"nfe_backward"`
	VJPB     float64 `json:"vjp_backward"`
	GradNorm float64 `json:"grad_norm"`
}

// add records one training step.
func (w *Window) add(s cnf.LossStats, gradNorm float64) {
	w.Steps++
	w.Loss += s.Loss
	w.BPD += s.BitsPerDim
	w.NFEF += float64(s.NFEForward)
	w.NFEB += float64(s.NFEBackward)
	w.VJPB += float64(s.VJPBackward)
	w.GradNorm += gradNorm
}

// fill writes the window's means into r.
func (w *Window) fill(r *LogRecord) {
	if w.Steps == 0 {
		return
	}
	n := float64(w.Steps)
	r.TrainLoss, r.TrainBPD = w.Loss/n, w.BPD/n
	r.NFEForward, r.NFEBackward, r.VJPBackward = w.NFEF/n, w.NFEB/n, w.VJPB/n
	r.GradNorm = w.GradNorm / n
}

// maxLogLine bounds a line of the training log: a record is a few hundred
// bytes.
const maxLogLine = 64 << 10

// ReadLog reads the training log of the model directory dir, one record
// per line in the order written (see readLog).
func ReadLog(dir string) ([]LogRecord, error) {
	return readLog(filepath.Join(dir, LogFile), -1)
}

// readLog reads the records of the log at path, all of them (limit < 0)
// or those in its first limit bytes, which must end a line. The log must
// be a regular file; each line is one record decoded strictly (no unknown
// field, nothing after the object), at most maxLogLine bytes, and the
// iterations do not decrease. Errors name the file and the line.
func readLog(path string, limit int64) ([]LogRecord, error) {
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read training log: %w", err)
	}
	defer f.Close()
	if limit < 0 {
		limit = size
	}
	if limit > size {
		return nil, fmt.Errorf("read training log %s: %d bytes expected, the file has %d", path, limit, size)
	}
	var recs []LogRecord
	sc := bufio.NewScanner(io.LimitReader(f, limit))
	sc.Buffer(make([]byte, 0, 4096), maxLogLine)
	read := int64(0)
	for line := 1; sc.Scan(); line++ {
		read += int64(len(sc.Bytes())) + 1
		var r LogRecord
		if err := strictjson.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read training log %s: line %d: %w", path, line, err)
		}
		if n := len(recs); r.Iteration < 0 || (n > 0 && r.Iteration < recs[n-1].Iteration) {
			return nil, fmt.Errorf("read training log %s: line %d: iteration %d after %d", path, line, r.Iteration, recs[max(0, n-1)].Iteration)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read training log %s: line %d: %w", path, len(recs)+1, err)
	}
	if read != limit {
		return nil, fmt.Errorf("read training log %s: byte %d is not the end of a line", path, limit)
	}
	return recs, nil
}
