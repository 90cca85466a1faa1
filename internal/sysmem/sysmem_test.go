package sysmem

import (
	"os"
	"path/filepath"
	"testing"
)

// write creates the file at path (and its directories) holding s.
func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{{"4096", 4096}, {"4K", 4096}, {"1.5 GiB", 1.5 * (1 << 30)}, {"512m", 512 << 20}, {"2TB", 2 << 40}, {"3G", 3 << 30}} {
		if got, err := Parse(c.in); err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "G", "-1G", "0", "lots", "NaN", "Inf"} {
		if v, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", bad, v)
		}
	}
	for _, c := range []struct {
		b    float64
		want string
	}{{512, "512 B"}, {1536, "1.50 KiB"}, {22.7 * (1 << 30), "22.7 GiB"}, {1 << 60, "1.00 EiB"}, {1e30, "867361737988.4 EiB"}} {
		if got := Format(c.b); got != c.want {
			t.Errorf("Format(%v) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestEnvVar(t *testing.T) {
	t.Setenv(EnvVar, "2G")
	if l, err := Available(); err != nil || l.Bytes != 2<<30 || l.Source != EnvVar {
		t.Errorf("Available with %s=2G: %+v, %v", EnvVar, l, err)
	}
	t.Setenv(EnvVar, "much")
	if _, err := Available(); err == nil {
		t.Errorf("Available with %s=much: no error", EnvVar)
	}
}
