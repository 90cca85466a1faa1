package experiment

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/dirlock"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls buf until it contains want, failing the test after a
// minute.
func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(buf.String(), want) {
			return
		}
	}
	t.Fatalf("no %q after a minute:\n%s", want, buf.String())
}

// quickMoons returns the quick moons settings with two seeds (8 units)
// and the options to run them into a fresh directory with the fake
// backend.
func quickMoons(t *testing.T) (Options, *fakeBackend, *syncBuffer) {
	t.Helper()
	st, err := Lookup("moons")
	if err != nil {
		t.Fatal(err)
	}
	s := st.Quick
	s.Seeds = 2
	out := t.TempDir()
	b := &fakeBackend{t: t, out: out}
	log := &syncBuffer{}
	return Options{Study: st, Settings: s, Out: out, Backend: b, Progress: log}, b, log
}

// TestRunUnitsSharesTheDirectory holds the lock of one unit, as another
// process running it would, while RunUnits runs units 1 to 3: it must run
// the other two, then wait for the held one, and skip it once the holder
// finishes it, or run it when the holder stops without finishing.
func TestRunUnitsSharesTheDirectory(t *testing.T) {
	defer func(p time.Duration) { lockPoll = p }(lockPoll)
	lockPoll = 5 * time.Millisecond
	for _, finish := range []bool{true, false} {
		o, b, log := quickMoons(t)
		units := o.Study.Units(o.Settings.Seeds)
		held := units[2].Dir(o.Out)
		if err := os.MkdirAll(held, 0o755); err != nil {
			t.Fatal(err)
		}
		lock, err := dirlock.Acquire(held)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- RunUnits(context.Background(), o, []int{1, 2, 3}) }()
		waitFor(t, log, "waiting: ")
		if b.calls != 2 {
			t.Fatalf("ran %d units before waiting for the held one, want 2:\n%s", b.calls, log.String())
		}
		if finish {
			r := fakeRun(t, o.Out, o.Study, o.Settings, units[2])
			if err := writeJSON(filepath.Join(held, ResultFile), r); err != nil {
				t.Fatal(err)
			}
		}
		lock.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want, line := 2, "done by another run, skipped"
		if !finish {
			want, line = 3, "[2/3] moons D{4,5} base=standard seed=0\n"
		}
		if b.calls != want || !strings.Contains(log.String(), line) {
			t.Errorf("holder finished %v: ran %d units, want %d, and a line %q:\n%s", finish, b.calls, want, line, log.String())
		}
		for _, i := range []int{1, 2, 3} {
			if _, err := os.Stat(filepath.Join(units[i].Dir(o.Out), ResultFile)); err != nil {
				t.Errorf("unit %d: %v", i, err)
			}
		}
	}
}

// TestRunUnitsStopsAtTheDeadline: a context that ends while a unit waits
// for its lock stops RunUnits with train.ErrDeadline (a deadline) or
// train.ErrInterrupted (a cancellation), naming the directory.
func TestRunUnitsStopsAtTheDeadline(t *testing.T) {
	defer func(p time.Duration) { lockPoll = p }(lockPoll)
	lockPoll = 5 * time.Millisecond
	o, _, _ := quickMoons(t)
	dir := o.Study.Units(o.Settings.Seeds)[0].Dir(o.Out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := RunUnits(ctx, o, []int{0}); !errors.Is(err, train.ErrDeadline) || !strings.Contains(err.Error(), dir) {
		t.Errorf("deadline: got %v, want train.ErrDeadline naming %s", err, dir)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := RunUnits(ctx, o, []int{0}); !errors.Is(err, train.ErrInterrupted) {
		t.Errorf("cancelled: got %v, want train.ErrInterrupted", err)
	}
}

// TestListAndReport lists the units before and after some have run, and
// checks that a report of some units names the missing ones in
// results.json and results.md, and that no finished unit is an error.
func TestListAndReport(t *testing.T) {
	o, _, _ := quickMoons(t)
	if _, _, err := WriteReport(context.Background(), o); err == nil || !strings.Contains(err.Error(), "nothing to report") {
		t.Errorf("report of no units: got %v, want an error", err)
	}
	if err := RunUnits(context.Background(), o, []int{0, 5}); err != nil {
		t.Fatal(err)
	}
	list, err := List(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 8 {
		t.Fatalf("listed %d units, want 8", len(list))
	}
	for i, u := range list {
		if u.Index != i || u.Done != (i == 0 || i == 5) {
			t.Errorf("unit %d listed as %+v", i, u)
		}
	}
	if u := list[5]; u.TrainSet != "D{0,1}" || u.Base != BaseGMM || u.Seed != 1 || u.Dir != filepath.Join(o.Out, "runs/moons/d01/gmm/seed-1") {
		t.Errorf("unit 5 listed as %+v", u)
	}
	res, missing, err := WriteReport(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 2 || len(missing) != 6 || missing[0] != 1 || len(res.Missing) != 6 || res.Missing[0] != (UnitRef{TrainSet: "D{0,1}", Base: BaseGMM, Seed: 0}) {
		t.Errorf("report of units 0 and 5: %d runs, missing %v and %+v", len(res.Runs), missing, res.Missing)
	}
	rep, err := ReadReport(filepath.Join(o.Out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Study("moons"); r == nil || len(r.Missing) != 6 {
		t.Errorf("results.json does not name the 6 missing units")
	}
	md, err := os.ReadFile(filepath.Join(o.Out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "**Incomplete:** 6 of 8 units had not finished and are left out: D{0,1} gmm seed 0,") ||
		!strings.Contains(string(md), "No figures: D{4,5} standard base has no finished unit.") {
		t.Errorf("results.md does not say what is missing:\n%s", md)
	}
}
