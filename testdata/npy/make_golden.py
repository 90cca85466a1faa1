"""Golden .npy and .npz files written by NumPy, for internal/npy's tests.

Writes, beside this script, files of every dtype the Go reader accepts (in
both byte orders), of the dtypes it refuses, with version 1.0, 2.0 and 3.0
headers, in Fortran order, 0-d and empty, .npz archives stored and deflated,
and float64 files as numpy.save writes them (the writer must produce the
same bytes), and golden.json describing what reading each must give: the
shape and the values as float64 (repr, so that NaN and infinities survive
JSON), or a piece of the error. Run from this directory with Debian's
python3-numpy: python3 make_golden.py
"""
import json
import os

import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
golden = {"arrays": [], "refused": [], "archives": [], "written": []}


def values(a):
    """The elements of a as float64, in C order, as repr strings."""
    return [repr(float(x)) for x in np.asarray(a, dtype=np.float64).ravel(order="C")]


def save(name, a, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=version, allow_pickle=True)


def accepted(name, a, version=None, expect=None):
    save(name, a, version)
    golden["arrays"].append({"file": name, "shape": list(a.shape),
                             "values": values(a if expect is None else expect)})


def refused(name, a, want):
    save(name, a)
    golden["refused"].append({"file": name, "error": want})


def floats(dt):
    info = np.finfo(dt)
    v = [0.0, -0.0, 1.0, -2.5, 0.1, float(info.max), float(info.tiny),
         float(info.smallest_subnormal), float("inf"), float("-inf"), float("nan")]
    return np.array(v, dtype=dt)


for order, tag in (("<", "le"), (">", "be")):
    for size in (2, 4, 8):
        accepted(f"f{size}_{tag}.npy", floats(np.dtype(f"{order}f{size}")))
    for size in (2, 4):
        for kind in "iu":
            dt = np.dtype(f"{order}{kind}{size}")
            info = np.iinfo(dt)
            accepted(f"{kind}{size}_{tag}.npy", np.array([info.min, 0, 1, info.max, 7], dtype=dt))
    # 64-bit integers: the exactly representable extremes are accepted...
    accepted(f"i8_{tag}.npy", np.array([-2**63, -2**53, 0, 2**53, 2**62, 2**63 - 1024], dtype=f"{order}i8"))
    accepted(f"u8_{tag}.npy", np.array([0, 1, 2**53, 2**64 - 2048], dtype=f"{order}u8"))
    # ... the others refused, naming the value and its index.
    refused(f"i8_inexact_{tag}.npy", np.array([[1, 2], [3, 2**53 + 1]], dtype=f"{order}i8"),
            "element (1, 1) of " + order + "i8 is 9007199254740993")
    refused(f"u8_inexact_{tag}.npy", np.array([5, 2**64 - 1], dtype=f"{order}u8"),
            "element (1,) of " + order + "u8 is 18446744073709551615")
    refused(f"i8_max_{tag}.npy", np.array([2**63 - 1], dtype=f"{order}i8"),
            "is 9223372036854775807")
accepted("i1.npy", np.array([-128, -1, 0, 1, 127], dtype="i1"))
accepted("u1.npy", np.array([0, 1, 128, 255], dtype="u1"))
accepted("bool.npy", np.array([[True, False], [False, True]]))

# Shapes: 0-d, empty, several dimensions, Fortran order.
accepted("scalar.npy", np.array(3.25))
accepted("empty.npy", np.zeros((0,)))
accepted("empty_0x3.npy", np.zeros((0, 3)))
accepted("empty_3x0.npy", np.zeros((3, 0), dtype="i4"))
cube = np.arange(24, dtype="<f8").reshape(2, 3, 4) * 0.5
accepted("c_2x3x4.npy", cube)
accepted("fortran_3x4.npy", np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4)))
accepted("fortran_2x3x4_be_i4.npy", np.asfortranarray(np.arange(24, dtype=">i4").reshape(2, 3, 4)))
accepted("fortran_u1.npy", np.asfortranarray(np.arange(6, dtype="u1").reshape(2, 3)))

# Header versions.
for version in ((1, 0), (2, 0), (3, 0)):
    accepted(f"v{version[0]}.npy", np.array([[1.5, -2.0], [3.0, 4.25]]), version=version)

# Dtypes refused, each named in the error.
refused("c16.npy", np.array([1 + 2j]), "'<c16' (complex)")
refused("c8.npy", np.array([1 + 2j], dtype="c8"), "'<c8' (complex)")
refused("object.npy", np.array([1, "a"], dtype=object), "'|O' (Python objects)")
refused("bytes.npy", np.array([b"abc"]), "'|S3' (byte strings)")
refused("unicode.npy", np.array(["ab"]), "'<U2' (unicode strings)")
refused("structured.npy", np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]), "structured dtype")
refused("datetime.npy", np.array(["2020-01-01"], dtype="datetime64[D]"), "'<M8[D]'")
refused("timedelta.npy", np.array([1], dtype="timedelta64[s]"), "'<m8[s]'")
refused("void.npy", np.zeros(2, dtype="V4"), "'|V4'")
refused("longdouble.npy", np.array([1.0], dtype=np.longdouble), "'<f16'")

# Archives: stored (savez) and deflated (savez_compressed).
members = {"a": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": np.arange(5, dtype=">i2"),
           "c": np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3))}
for name, save_npz in (("stored.npz", np.savez), ("deflated.npz", np.savez_compressed)):
    save_npz(os.path.join(OUT, name), **members)
    golden["archives"].append({"file": name, "members": {
        k: {"shape": list(v.shape), "values": values(v)} for k, v in members.items()}})

# float64 arrays as numpy.save writes them: the Go writer must give the same bytes.
for name, a in (("write_3.npy", np.array([1.0, -0.5, 1e300])),
                ("write_2x3.npy", np.arange(6, dtype="<f8").reshape(2, 3) / 3),
                ("write_scalar.npy", np.array(-7.0)),
                ("write_empty.npy", np.zeros((0,))),
                ("write_1x2x3.npy", np.arange(6, dtype="<f8").reshape(1, 2, 3)),
                ("write_long_shape.npy", np.zeros((1234567, 0, 3, 1)))):
    np.save(os.path.join(OUT, name), a)
    golden["written"].append({"file": name, "shape": list(a.shape), "values": values(a)})

with open(os.path.join(OUT, "golden.json"), "w") as f:
    json.dump(golden, f, indent=1)
    f.write("\n")
