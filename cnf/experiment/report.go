package experiment

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
)

// Report is the content of results.json: the results of every study run
// into one output directory.
type Report struct {
	Studies []*Results `json:"studies"`
}

// Study returns the named study's results, or nil.
func (rep *Report) Study(name string) *Results {
	for _, r := range rep.Studies {
		if r.Study == name {
			return r
		}
	}
	return nil
}

// put adds r, replacing an earlier result of the same study, and keeps the
// studies in the order of the registry, the paper's.
func (rep *Report) put(r *Results) {
	rep.Studies = slices.DeleteFunc(rep.Studies, func(x *Results) bool { return x.Study == r.Study })
	rep.Studies = append(rep.Studies, r)
	slices.SortStableFunc(rep.Studies, func(a, b *Results) int { return rank(a.Study) - rank(b.Study) })
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error { return encodeJSON(w, rep) }

// ReadReport reads a results.json file; a missing file is an empty report.
func ReadReport(path string) (*Report, error) {
	var rep Report
	err := readJSON(path, &rep)
	if errors.Is(err, fs.ErrNotExist) {
		return &Report{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	return &rep, nil
}
