// Package strictjson reads JSON files strictly: one value, no field the
// destination does not have, nothing after the value, and no more bytes
// than the caller accepts.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mmcnf/mmcnf/internal/regularfile"
)

// Unmarshal decodes data into v: exactly one JSON value, with no object
// field that v lacks, followed by nothing but white space. Errors give the
// byte offset where the input went wrong.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("at byte %d: %w", syn.Offset, err)
		case errors.As(err, &typ):
			return fmt.Errorf("at byte %d: %w", typ.Offset, err)
		case errors.Is(err, io.EOF):
			return errors.New("empty: no JSON value")
		}
		return err
	}
	off := dec.InputOffset()
	if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("at byte %d: data after the JSON value", int(off)+len(data[off:])-len(rest))
	}
	return nil
}

// ReadFile reads the regular file at path, refusing one of more than max
// bytes before reading it.
func ReadFile(path string, max int64) ([]byte, error) {
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d accepted", path, size, max)
	}
	// Read no more than measured, even if the file grows meanwhile.
	b, err := io.ReadAll(io.LimitReader(f, size))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}
