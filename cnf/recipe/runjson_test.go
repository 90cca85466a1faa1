package recipe

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mmcnf/mmcnf/internal/readtest"
)

// FuzzDecodeRun: no run.json makes the decoder panic or allocate more than
// a few times its size; accepted settings have no negative count and
// decode the same once written out again.
func FuzzDecodeRun(f *testing.F) {
	f.Add([]byte(`{"base": "gmm", "dataset": {"data": "moons", "n_train": 64}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var o Options
		var err error
		if n := readtest.Allocated(func() { err = decodeOptions(b, &o) }); n > uint64(64*len(b)+1<<16) {
			t.Fatalf("allocated %d bytes decoding %d", n, len(b))
		}
		if err != nil {
			return
		}
		if o.Data.PerClass < 0 || o.Data.TestPerClass < 0 || o.Hidden < 0 || o.Train.Batch < 0 || o.Train.Iters < 0 || o.Threads < 0 || o.HeldoutMax < 0 {
			t.Fatalf("negative count accepted: %+v", o)
		}
		js, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var again Options
		if err := decodeOptions(js, &again); err != nil {
			t.Fatalf("written out and decoded again: %v", err)
		}
		if js2, _ := json.Marshal(again); !bytes.Equal(js, js2) {
			t.Fatalf("round trip changed %s into %s", js, js2)
		}
	})
}

// TestDecodeOptionsMissingList: a run.json without one of its lists is
// refused, naming the list, since the options could not be written back.
func TestDecodeOptionsMissingList(t *testing.T) {
	for _, c := range []struct{ js, want string }{
		{`{"dataset": {"data": "moons"}, "dims": "8"}`, "dataset classes is missing"},
		{`{"dataset": {"data": "moons", "classes": null}, "dims": "8"}`, "dataset classes is missing"},
		{`{"dataset": {"data": "moons", "classes": "0,1"}}`, "dims is missing"},
	} {
		var o Options
		if err := decodeOptions([]byte(c.js), &o); err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %q", c.js, err, c.want)
		}
	}
	var o Options
	if err := decodeOptions([]byte(`{"dataset": {"classes": "0,1"}, "dims": "8"}`), &o); err != nil {
		t.Errorf("both lists given: %v", err)
	}
}
