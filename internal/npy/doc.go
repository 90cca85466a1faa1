// Package npy reads and writes NumPy's .npy files and .npz archives of
// them as float64 arrays in C (row-major) order.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, either byte order, C or
// Fortran order (Fortran data is transposed to C order), and every dtype
// whose values convert exactly to float64: float64, float32, float16,
// int8/16/32, uint8/16/32, bool, and int64/uint64 when every value is
// exactly representable (an error names the first value that is not).
// Complex, object, string, datetime, void and structured dtypes are
// refused with an error naming the dtype.
//
// Every size a file declares is checked before anything is allocated: the
// header's length against the bytes that follow it, the shape's element
// count against overflow, against the caller's limit and against the bytes
// the file or archive member holds. A deflated archive member is never
// trusted for its declared size: it is read through a reader capped at
// what the header announced, with the values allocated as they arrive.
// Every error names the file (and the archive member) it comes from, and
// every exported reader turns a panic into an error.
//
// Writing produces float64, C-order, version 1.0 files that NumPy reads.
package npy
