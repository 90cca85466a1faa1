package npy

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/mmcnf/mmcnf/internal/regularfile"
)

// maxDeflateRatio bounds how many times larger than its compressed form a
// deflated member can be: DEFLATE's longest match, 258 bytes, takes at
// least 2 bits. A member declaring more is corrupt.
const maxDeflateRatio = 1032

// Archive is an open .npz archive: a zip file of .npy members (stored or
// deflated), each named after its array with ".npy" appended. Members
// without that suffix are kept under their full name (for raw bytes, such
// as JSON).
type Archive struct {
	name    string
	size    int64
	held    int64 // the members' declared uncompressed sizes, summed
	closer  io.Closer
	keys    []string
	members map[string]*zip.File
}

// OpenArchive opens the .npz archive at path and checks its directory:
// readable methods, sizes within the file, no two members of one name.
func OpenArchive(path string) (a *Archive, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, recovered(p, path, "")
		}
	}()
	f, size, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	if a, err = newArchive(f, size, path); err != nil {
		f.Close()
		return nil, err
	}
	a.closer = f
	return a, nil
}

// NewArchive reads the directory of the .npz archive of size bytes in r,
// as OpenArchive does; name is used in errors.
func NewArchive(r io.ReaderAt, size int64, name string) (a *Archive, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, recovered(p, name, "")
		}
	}()
	return newArchive(r, size, name)
}

func newArchive(r io.ReaderAt, size int64, name string) (*Archive, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	a := &Archive{name: name, size: size, members: map[string]*zip.File{}}
	byName := map[string]bool{}
	for _, f := range z.File {
		if err := checkMember(f, size); err != nil {
			return nil, &Error{File: name, Member: f.Name, Err: err}
		}
		key := strings.TrimSuffix(f.Name, ".npy")
		if byName[f.Name] {
			return nil, &Error{File: name, Err: fmt.Errorf("%w %q", ErrDuplicate, f.Name)}
		}
		byName[f.Name] = true
		if g, ok := a.members[key]; ok {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: %q and %q are both array %q", ErrDuplicate, g.Name, f.Name, key)}
		}
		a.members[key] = f
		a.keys = append(a.keys, key)
		a.held = min(a.held+int64(f.UncompressedSize64), math.MaxInt64/2)
	}
	return a, nil
}

// checkMember checks what the directory declares of member f of an archive
// of size bytes.
func checkMember(f *zip.File, size int64) error {
	if f.Flags&0x1 != 0 {
		return fmt.Errorf("%w: encrypted", ErrFormat)
	}
	c, u := f.CompressedSize64, f.UncompressedSize64
	if c > uint64(size) {
		return fmt.Errorf("%w: %d compressed bytes in an archive of %d", ErrTruncated, c, size)
	}
	switch f.Method {
	case zip.Store:
		if u != c {
			return fmt.Errorf("%w: stored member of %d bytes declares %d uncompressed", ErrFormat, c, u)
		}
	case zip.Deflate:
		if u > maxDeflateRatio*(c+1) {
			return fmt.Errorf("%w: %d compressed bytes cannot inflate to the %d declared", ErrTooLarge, c, u)
		}
	default:
		return fmt.Errorf("%w: compression method %d (want stored or deflated)", ErrFormat, f.Method)
	}
	return nil
}

// Close closes the file of an archive opened by OpenArchive.
func (a *Archive) Close() error {
	if a.closer == nil {
		return nil
	}
	return a.closer.Close()
}

// UncompressedSize returns the total size of the members as the
// archive's directory declares it (each declaration checked against the
// archive's size): no array in the archive has more values.
func (a *Archive) UncompressedSize() int64 { return a.held }

// Keys returns the names of the members in archive order, without their
// ".npy" suffix, as numpy.load names them.
func (a *Archive) Keys() []string { return append([]string(nil), a.keys...) }

// member returns the member named key (with or without ".npy").
func (a *Archive) member(key string) (*zip.File, error) {
	f, ok := a.members[strings.TrimSuffix(key, ".npy")]
	if !ok {
		return nil, &Error{File: a.name, Err: fmt.Errorf("%w %q", ErrMissing, key)}
	}
	return f, nil
}

// open opens member f for reading; exact reports whether its declared
// size is the number of bytes it holds (stored), rather than a claim to be
// checked as it inflates.
func (a *Archive) open(f *zip.File) (r io.Reader, c io.Closer, exact bool, err error) {
	off, err := f.DataOffset()
	if err != nil {
		return nil, nil, false, fmt.Errorf("%w: local header: %w", ErrFormat, err)
	}
	if off < 0 || off > a.size-int64(f.CompressedSize64) {
		return nil, nil, false, fmt.Errorf("%w: its %d bytes at offset %d run past the end of the archive (%d bytes)", ErrTruncated, f.CompressedSize64, off, a.size)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, false, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return memberReader{rc, f.UncompressedSize64}, rc, f.Method == zip.Store, nil
}

// memberReader names the errors archive/zip reports while inflating: it
// stops a member at its declared size with zip.ErrFormat, and checks the
// CRC-32 at its end.
type memberReader struct {
	r    io.Reader
	size uint64
}

func (m memberReader) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	switch {
	case errors.Is(err, zip.ErrFormat):
		err = fmt.Errorf("%w: the member inflates to more than the %d bytes declared", ErrTrailing, m.size)
	case errors.Is(err, zip.ErrChecksum):
		err = fmt.Errorf("%w: CRC-32 mismatch", ErrFormat)
	}
	return n, err
}

// Header reads the header of the array named key.
func (a *Archive) Header(key string) (h *Header, err error) {
	f, err := a.member(key)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			h, err = nil, recovered(p, a.name, f.Name)
		}
	}()
	r, c, _, err := a.open(f)
	if err != nil {
		return nil, wrap(err, a.name, f.Name)
	}
	defer c.Close()
	h, err = readHeader(r, int64(f.UncompressedSize64))
	return h, wrap(err, a.name, f.Name)
}

// Read reads the array named key. A positive limit bounds the number of
// elements accepted; the member's size bounds them in any case, and a
// deflated member is read no further than the size its header declares.
func (a *Archive) Read(key string, limit int) (arr *Array, err error) {
	f, err := a.member(key)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			arr, err = nil, recovered(p, a.name, f.Name)
		}
	}()
	r, c, exact, err := a.open(f)
	if err != nil {
		return nil, wrap(err, a.name, f.Name)
	}
	defer c.Close()
	arr, err = read(r, int64(f.UncompressedSize64), exact, limit)
	return arr, wrap(err, a.name, f.Name)
}

// ReadBytes returns the raw content of the member named key, refusing one
// of more than limit bytes (declared or actual).
func (a *Archive) ReadBytes(key string, limit int64) (b []byte, err error) {
	f, err := a.member(key)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, recovered(p, a.name, f.Name)
		}
	}()
	if f.UncompressedSize64 > uint64(limit) {
		return nil, &Error{File: a.name, Member: f.Name, Err: fmt.Errorf("%w: %d bytes, at most %d accepted", ErrTooLarge, f.UncompressedSize64, limit)}
	}
	r, c, _, err := a.open(f)
	if err != nil {
		return nil, wrap(err, a.name, f.Name)
	}
	defer c.Close()
	b, err = io.ReadAll(io.LimitReader(r, int64(f.UncompressedSize64)+1))
	switch {
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &Error{File: a.name, Member: f.Name, Err: err}
	case err != nil || uint64(len(b)) < f.UncompressedSize64:
		return nil, &Error{File: a.name, Member: f.Name, Err: fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(b), f.UncompressedSize64)}
	case uint64(len(b)) > f.UncompressedSize64:
		return nil, &Error{File: a.name, Member: f.Name, Err: fmt.Errorf("%w: more than the %d bytes declared", ErrTrailing, f.UncompressedSize64)}
	}
	return b, nil
}

// ArchiveWriter writes an .npz archive.
type ArchiveWriter struct {
	z      *zip.Writer
	method uint16
	names  map[string]bool
}

// NewArchiveWriter returns a writer of an .npz archive to w, its members
// deflated when compress is set (as numpy.savez_compressed writes them)
// and stored otherwise (as numpy.savez does).
func NewArchiveWriter(w io.Writer, compress bool) *ArchiveWriter {
	m := zip.Store
	if compress {
		m = zip.Deflate
	}
	return &ArchiveWriter{z: zip.NewWriter(w), method: m, names: map[string]bool{}}
}

// create starts the member name.
func (w *ArchiveWriter) create(name string) (io.Writer, error) {
	if w.names[name] {
		return nil, fmt.Errorf("npz: write: %w %q", ErrDuplicate, name)
	}
	w.names[name] = true
	return w.z.CreateHeader(&zip.FileHeader{Name: name, Method: w.method})
}

// Write adds the member name (conventionally "<array>.npy") holding v, of
// the given shape in C order, as Write writes it.
func (w *ArchiveWriter) Write(name string, shape []int, v []float64) error {
	m, err := w.create(name)
	if err != nil {
		return err
	}
	if err := Write(m, shape, v); err != nil {
		return fmt.Errorf("npz: member %s: %w", name, err)
	}
	return nil
}

// WriteBytes adds the member name holding b as it is.
func (w *ArchiveWriter) WriteBytes(name string, b []byte) error {
	m, err := w.create(name)
	if err != nil {
		return err
	}
	_, err = m.Write(b)
	return err
}

// Close finishes the archive (its directory); it does not close the
// underlying writer.
func (w *ArchiveWriter) Close() error { return w.z.Close() }
