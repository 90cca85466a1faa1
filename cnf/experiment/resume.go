package experiment

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// sameRun reports, naming them, the settings in which the run options o
// of a unit differ from those its checkpoint stored (stored, as run.json
// holds them): a unit resumes only as the run it started, with the same
// mini-batches, gradient and everything else that makes its model. Only
// the iteration count (and the periods derived from it: held-out
// evaluations and checkpoints), the thread count and the directory the
// data is read from may change.
func sameRun(stored []byte, o recipe.Options) error {
	var was recipe.Options
	if err := json.Unmarshal(stored, &was); err != nil {
		return fmt.Errorf("settings of the checkpoint: %w", err)
	}
	for _, p := range []*recipe.Options{&was, &o} {
		p.Train.Iters, p.Train.EvalEvery, p.Train.CheckpointEvery, p.Threads, p.Data.Dir = 0, 0, 0, 0, ""
	}
	a, err := flatten(was)
	if err != nil {
		return err
	}
	b, err := flatten(o)
	if err != nil {
		return err
	}
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var diffs []string
	for _, k := range keys {
		if a[k] != b[k] {
			diffs = append(diffs, fmt.Sprintf("%s %s, not %s", k, orNone(a[k]), orNone(b[k])))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("its checkpoint was written with other settings (%s)", strings.Join(diffs, "; "))
	}
	return nil
}

// orNone is v, or "none" for a setting left out.
func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// flatten returns the settings of o as run.json writes them, nested names
// joined by dots ("train.batch"), each with its value as JSON.
func flatten(o recipe.Options) (map[string]string, error) {
	js, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(js, &tree); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(prefix+k+".", x)
			}
			return
		}
		b, _ := json.Marshal(v)
		out[strings.TrimSuffix(prefix, ".")] = string(b)
	}
	walk("", tree)
	return out, nil
}
