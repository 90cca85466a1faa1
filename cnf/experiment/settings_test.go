package experiment

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/ode"
)

// quickMoonsSettings returns the moons study and its --quick settings.
func quickMoonsSettings(t *testing.T) (*Study, Settings) {
	t.Helper()
	st, err := Lookup("moons")
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Settings(true, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	return st, s
}

// TestSettingsOverrides: a run's batch, gradient, sample count and
// learning-rate schedule replace the study's, reach the units' training
// options and tell finished units apart; bad ones are named.
func TestSettingsOverrides(t *testing.T) {
	st, def := quickMoonsSettings(t)
	if def.Grad != ode.Backprop.Name() || def.Batch != st.Quick.Batch {
		t.Errorf("without overrides: grad %q, batch %d", def.Grad, def.Batch)
	}
	for _, g := range ode.Gradients() {
		s, err := st.Settings(true, Overrides{Batch: 8, Grad: g.Name()})
		if err != nil {
			t.Fatalf("grad %s: %v", g.Name(), err)
		}
		o := s.options(st, st.Units(1)[0], "")
		if s.Grad != g.Name() || s.Batch != 8 || o.Grad != g.Name() || o.Train.Batch != 8 {
			t.Errorf("grad %s, batch 8: settings %q %d, options %q %d", g.Name(), s.Grad, s.Batch, o.Grad, o.Train.Batch)
		}
		if sameTraining(def, s) {
			t.Errorf("grad %s, batch 8: taken for the same training as the study's", g.Name())
		}
	}
	s, err := st.Settings(true, Overrides{Samples: 7, LRSchedule: ScheduleCosine})
	if err != nil {
		t.Fatal(err)
	}
	if o := s.options(st, st.Units(1)[0], ""); s.Samples != 7 || o.Train.Adam.Anneal != s.Iters || sameTraining(def, s) {
		t.Errorf("samples 7, cosine: samples %d, annealed over %d of %d iterations, same as the study's: %v",
			s.Samples, o.Train.Adam.Anneal, s.Iters, sameTraining(def, s))
	}
	long, _ := st.Settings(false, Overrides{})
	if c, _ := st.Settings(false, Overrides{LRSchedule: ScheduleConstant}); !long.Anneal || c.Anneal {
		t.Errorf("the defaults anneal: %v; --lr-schedule constant anneals: %v", long.Anneal, c.Anneal)
	}
	old := def
	old.Grad = "" // a result written before the gradient was recorded
	if !sameTraining(old, def) {
		t.Error("a result without grad is not taken for backprop")
	}
	if a, _ := st.Settings(true, Overrides{Grad: "adjoint"}); sameTraining(a, old) {
		t.Error("a result without grad is taken for adjoint")
	}
	for _, c := range []struct {
		o       Overrides
		setting string
	}{{Overrides{Batch: -1}, "batch"}, {Overrides{Grad: "both"}, "grad"},
		{Overrides{Samples: -1}, "samples"}, {Overrides{LRSchedule: "linear"}, "lr-schedule"}} {
		var se *recipe.SettingError
		if _, err := st.Settings(false, c.o); !errors.As(err, &se) || se.Setting != c.setting {
			t.Errorf("%+v: error %v, want a SettingError naming %s", c.o, err, c.setting)
		}
	}
}

// TestSameRun: a unit resumes from its checkpoint only with the settings
// it started with, but for its length, thread count and data directory;
// the others are named with the values of both.
func TestSameRun(t *testing.T) {
	st, s := quickMoonsSettings(t)
	u := st.Units(1)[3]
	stored, err := json.Marshal(s.options(st, u, "/data"))
	if err != nil {
		t.Fatal(err)
	}
	longer, _ := st.Settings(true, Overrides{Iters: 3 * s.Iters, Threads: 2})
	if err := sameRun(stored, longer.options(st, u, "/elsewhere")); err != nil {
		t.Errorf("more iterations, threads and another data directory: %v", err)
	}
	other, _ := st.Settings(true, Overrides{Batch: 32, Grad: "adjoint"})
	err = sameRun(stored, other.options(st, u, "/data"))
	if err == nil || !strings.Contains(err.Error(), `grad "backprop", not "adjoint"; train.batch 64, not 32`) {
		t.Errorf("another batch and gradient: error %v", err)
	}
	if err := sameRun([]byte("{"), s.options(st, u, "")); err == nil {
		t.Error("a damaged record of settings accepted")
	}
}
