package data

import (
	"strings"
	"testing"
)

func TestDecodeFashionClass(t *testing.T) {
	row := func(v string) string { return "[" + strings.Repeat(v+",", 783) + v + "]" }
	got, err := decodeFashionClass(strings.NewReader(`{"data": [`+row("7")+`, [], `+row("255")+"]}\n"), "ok.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0][0] != 7 || got[0][783] != 7 || got[1][5] != 255 {
		t.Fatalf("decoded %d entries, first values %v", len(got), got)
	}
	bad := map[string]string{
		`{"data": [[1,2,3]]}`:             "entry 0 has 3 values",
		`{"data": [` + row("256") + `]}`:  "want a whole number 0..255",
		`{"data": [` + row("1.5") + `]}`:  "want a whole number 0..255",
		`{"data": [` + row("-1") + `]}`:   "want a whole number 0..255",
		`{"pix": []}`:                     `want the key "data"`,
		`{"data": [` + row("1") + `]`:     "want '}'",
		`{"data": [` + row("1") + `]} x`:  "trailing data",
		`{"data": [` + row("1") + `,]}`:   "want '['",
		`{"data": [` + row("1") + `[1]]}`: "want ']'",
	}
	for doc, want := range bad {
		_, err := decodeFashionClass(strings.NewReader(doc), "bad.json")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "bad.json: ") {
			t.Errorf("%.40q...: error %v, want one naming bad.json and containing %q", doc, err, want)
		}
	}
}
