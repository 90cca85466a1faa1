package experiment

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// readJSON decodes the JSON file at path into v; the error of a missing
// file wraps fs.ErrNotExist.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON writes v to path as indented JSON, atomically.
func writeJSON(path string, v any) error {
	return atomicfile.WriteBuffered(path, func(w io.Writer) error { return encodeJSON(w, v) })
}

// encodeJSON writes v to w as indented JSON.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
