package strictjson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type sample struct {
	A int      `json:"a"`
	B []string `json:"b"`
}

func TestUnmarshal(t *testing.T) {
	var s sample
	if err := Unmarshal([]byte(" {\"a\": 1, \"b\": [\"x\"]}\n \t\r\n"), &s); err != nil || s.A != 1 || len(s.B) != 1 {
		t.Fatalf("%+v, %v", s, err)
	}
	bad := map[string]string{
		`{"a": 1} {"a": 2}`: "at byte 9: data after the JSON value",
		`{"a": 1}x`:         "at byte 8: data after the JSON value",
		`{"a": 1, "c": 2}`:  `unknown field "c"`,
		`{"a": "1"}`:        "at byte 9: json: cannot unmarshal string",
		`{"a": 1,}`:         "at byte 9: invalid character '}'",
		`{"a": 1`:           "unexpected EOF",
		"":                  "empty",
		" \n":               "empty",
		`{"a": 1e400}`:      "cannot unmarshal number 1e400",
	}
	for in, want := range bad {
		var s sample
		if err := Unmarshal([]byte(in), &s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	os.WriteFile(p, []byte("0123456789"), 0o644)
	if b, err := ReadFile(p, 10); err != nil || string(b) != "0123456789" {
		t.Errorf("%q, %v", b, err)
	}
	if _, err := ReadFile(p, 9); err == nil || !strings.Contains(err.Error(), "10 bytes, more than the 9 accepted") {
		t.Errorf("over the limit: error %v", err)
	}
	if _, err := ReadFile(dir, 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: error %v", err)
	}
	if _, err := ReadFile("/dev/zero", 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: error %v", err)
	}
}
