//go:build unix

package dirlock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as a second process holding a lock:
// with DIRLOCK_HOLD set it locks that directory, says so on stdout and holds
// the lock until it is killed or its stdin closes.
func TestMain(m *testing.M) {
	if dir := os.Getenv("DIRLOCK_HOLD"); dir != "" {
		l, err := Acquire(dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts a process that holds the lock of dir and returns it once it
// does.
func holder(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIRLOCK_HOLD="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder process: %q, %v", line, err)
	}
	return cmd
}

// TestBusyNamesHolder: a directory locked by another process is refused with
// an error naming that process, and is free once the holder is killed: the
// kernel drops the lock, so no stale lock survives a SIGKILL.
func TestBusyNamesHolder(t *testing.T) {
	dir := t.TempDir()
	cmd := holder(t, dir)
	_, err := Acquire(dir)
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrBusy) {
		t.Fatalf("Acquire of a held directory: %v, want a BusyError", err)
	}
	if want := fmt.Sprintf("pid %d ", cmd.Process.Pid); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the holder (%q)", err, want)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestSameProcess: flock locks belong to open files, so a second Acquire in
// the same process is refused too, and Release frees the directory.
func TestSameProcess(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Acquire: %v, want ErrBusy", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

// TestMissingDir: Acquire creates no directory.
func TestMissingDir(t *testing.T) {
	dir := t.TempDir() + "/absent"
	if _, err := Acquire(dir); err == nil {
		t.Fatal("Acquire of a missing directory succeeded")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Acquire created %s (%v)", dir, err)
	}
}

// TestBusyWaitsForTheHolderLine: a holder that has taken the lock but not
// yet written its line (it does so right after) is still named: a refused
// Acquire waits a moment for the whole line.
func TestBusyWaitsForTheHolderLine(t *testing.T) {
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, Name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := flock(f); err != nil {
		t.Fatal(err)
	}
	f.WriteString("pid 1 on ho") // a line being written
	go func() {
		time.Sleep(50 * time.Millisecond)
		f.WriteString("st since now: mmcnf train\n")
	}()
	if _, err := Acquire(dir); err == nil || !strings.Contains(err.Error(), "in use by another run: pid 1 on host since now: mmcnf train") {
		t.Errorf("Acquire while the holder writes its line: %v", err)
	}
}
