package kernels

import "testing"

// forEachImpl runs f once for every implementation this machine and build can
// run, with the kernels switched to it, as a subtest named after it.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, name := range Available() {
		t.Run(name, func(t *testing.T) {
			restore, err := Use(name)
			if err != nil {
				t.Fatal(err)
			}
			defer restore()
			f(t)
		})
	}
}

func TestUse(t *testing.T) {
	if _, err := Use("sse9"); err == nil {
		t.Fatal("Use accepted an unknown implementation")
	}
	restore, err := Use("purego")
	if err != nil {
		t.Fatal(err)
	}
	if Impl() != "purego" {
		t.Fatalf("after Use(purego), Impl() = %q", Impl())
	}
	restore()
	if got, want := Impl(), Available()[0]; got != want {
		t.Fatalf("after restore, Impl() = %q, want %q", got, want)
	}
}
