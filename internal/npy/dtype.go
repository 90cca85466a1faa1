package npy

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// dtype is a numeric element type this package converts to float64.
type dtype struct {
	kind  byte // 'f' float, 'i' signed int, 'u' unsigned int, 'b' bool
	size  int  // bytes per element
	order binary.ByteOrder
}

// accepted lists the dtypes read, for error messages.
const accepted = "float64, float32, float16, int8/16/32/64, uint8/16/32/64 and bool"

// parseDtype parses a descriptor such as "<f8": a byte order ('<' little,
// '>' big, '|' not applicable, for one-byte types), a kind and a size in
// bytes.
func parseDtype(descr string) (dtype, error) {
	if len(descr) < 2 {
		return dtype{}, fmt.Errorf("%w '%s': accepted are %s", ErrDtype, descr, accepted)
	}
	var dt dtype
	switch descr[0] {
	case '<':
		dt.order = binary.LittleEndian
	case '>':
		dt.order = binary.BigEndian
	case '|':
	case '=':
		return dtype{}, fmt.Errorf("%w '%s': native byte order does not say which", ErrDtype, descr)
	default:
		return dtype{}, fmt.Errorf("%w '%s': no byte order ('<', '>' or '|'); accepted are %s", ErrDtype, descr, accepted)
	}
	dt.kind = descr[1]
	size, err := strconv.Atoi(descr[2:])
	if err != nil || strconv.Itoa(size) != descr[2:] {
		size = 0
	}
	dt.size = size
	ok := false
	switch dt.kind {
	case 'f':
		ok = size == 2 || size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		what := map[byte]string{
			'f': "float", 'i': "int", 'u': "unsigned int", 'b': "bool",
			'c': "complex", 'O': "Python objects", 'S': "byte strings", 'a': "byte strings",
			'U': "unicode strings", 'V': "void (raw or structured)", 'M': "datetime", 'm': "timedelta",
		}[dt.kind]
		switch {
		case what == "":
			what = "unknown kind"
		case strings.IndexByte("fiub", dt.kind) >= 0:
			what = fmt.Sprintf("%s of %s bytes", what, descr[2:])
		}
		return dtype{}, fmt.Errorf("%w '%s' (%s): accepted are %s", ErrDtype, descr, what, accepted)
	}
	if size > 1 && dt.order == nil {
		return dtype{}, fmt.Errorf("%w '%s': a %d-byte type needs a byte order, '<' or '>'", ErrDtype, descr, size)
	}
	if dt.order == nil {
		dt.order = binary.LittleEndian // unused for one-byte types
	}
	return dt, nil
}

// inexact reports the element (in file order) that float64 cannot hold.
type inexact struct {
	index int
	value string
}

// decode converts len(dst) elements from src (len(dst)*dt.size bytes) to
// dst. first is the file-order index of dst[0], for errors.
func (dt dtype) decode(dst []float64, src []byte, first int) *inexact {
	o := dt.order
	switch int(dt.kind)<<4 | dt.size {
	case 'f'<<4 | 8:
		for i := range dst {
			dst[i] = math.Float64frombits(o.Uint64(src[8*i:]))
		}
	case 'f'<<4 | 4:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(o.Uint32(src[4*i:])))
		}
	case 'f'<<4 | 2:
		for i := range dst {
			dst[i] = float16(o.Uint16(src[2*i:]))
		}
	case 'i'<<4 | 1:
		for i := range dst {
			dst[i] = float64(int8(src[i]))
		}
	case 'i'<<4 | 2:
		for i := range dst {
			dst[i] = float64(int16(o.Uint16(src[2*i:])))
		}
	case 'i'<<4 | 4:
		for i := range dst {
			dst[i] = float64(int32(o.Uint32(src[4*i:])))
		}
	case 'i'<<4 | 8:
		for i := range dst {
			v := int64(o.Uint64(src[8*i:]))
			f := float64(v)
			// f rounds to 2^63 only for values float64 cannot hold.
			if f >= 1<<63 || int64(f) != v {
				return &inexact{first + i, strconv.FormatInt(v, 10)}
			}
			dst[i] = f
		}
	case 'u'<<4 | 1:
		for i := range dst {
			dst[i] = float64(src[i])
		}
	case 'u'<<4 | 2:
		for i := range dst {
			dst[i] = float64(o.Uint16(src[2*i:]))
		}
	case 'u'<<4 | 4:
		for i := range dst {
			dst[i] = float64(o.Uint32(src[4*i:]))
		}
	case 'u'<<4 | 8:
		for i := range dst {
			v := o.Uint64(src[8*i:])
			f := float64(v)
			if f >= 1<<64 || uint64(f) != v {
				return &inexact{first + i, strconv.FormatUint(v, 10)}
			}
			dst[i] = f
		}
	case 'b'<<4 | 1:
		// NumPy reads any non-zero byte as True.
		for i := range dst {
			dst[i] = 0
			if src[i] != 0 {
				dst[i] = 1
			}
		}
	default:
		panic("npy: decode of unchecked dtype")
	}
	return nil
}

// float16 converts IEEE 754 half-precision bits to float64 exactly.
func float16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: frac * 2^-24
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}
