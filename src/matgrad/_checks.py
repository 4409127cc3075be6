"""Input checks shared by every public function (private module).

Each helper either returns a usable array or raises ValueError with a message that names the
argument, what was expected and what came. Nothing here is part of the public API.

Dtype policy (the same everywhere in matgrad):

- float32 and float64 arrays are used as they are: never upcast, never copied;
- integer and boolean arrays are converted to the floating dtype of the other arrays of the
  call (float64 when there is none);
- float32 mixed with float64 in one call is an error (NumPy would silently upcast);
- Python numbers (and NumPy scalars that subclass them) are "weak": they take the dtype of the arrays;
- any other dtype (float16, longdouble, complex, object, strings) is an error.

Finiteness policy: every floating input is checked once per call by `check_finite`, which
takes all the arrays of the call at once and names the first one holding a NaN or an infinity.

Each check is O(1) Python work, plus at most one pass over an array; the common case (float arrays
of one dtype, finite, of the right shapes) takes the fast branch of every helper.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._typing import FloatArray, IntArray

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_FLOAT_DTYPES = (_F32, _F64)
_SMALL = 4096  # a non-contiguous array up to this size is probed through a (small) contiguous copy
_UNSIGNED: dict[int, np.dtype[np.unsignedinteger[Any]]] = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.uint16),
    4: np.dtype(np.uint32),
    8: np.dtype(np.uint64),
}
_vdot, _isfinite = np.vdot, math.isfinite  # bound once: check_finite runs on every call


def as_numeric(a: ArrayLike, name: str) -> NDArray[Any]:
    """Return `np.asarray(a)` after checking it holds real numbers (bool, int, uint or float)."""
    if type(a) is np.ndarray and (a.dtype is _F64 or a.dtype is _F32):
        return a  # the common case: nothing to convert or check
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and arr.dtype not in _FLOAT_DTYPES:
        raise ValueError(f"{name} must be float32 or float64 (or integer); got dtype {arr.dtype}")
    return arr


def common_float_dtype(*named: tuple[str, NDArray[Any]]) -> np.dtype[np.floating[Any]]:
    """The one floating dtype shared by the floating arrays of the `(name, array)` pairs.

    float64 if none is floating. Raises ValueError when float32 and float64 arrays are mixed.
    """
    first = named[0][1].dtype
    if first.kind == "f" and all(a.dtype is first for _, a in named):
        return first  # the common case: one float dtype throughout
    found = [(name, a.dtype) for name, a in named if a.dtype.kind == "f"]
    dtypes = {dt for _, dt in found}
    if len(dtypes) > 1:
        listing = ", ".join(f"{name} is {dt}" for name, dt in found)
        raise ValueError(
            f"all floating inputs must share one dtype (float32 or float64), but {listing}; "
            "cast them explicitly (matgrad never upcasts silently)"
        )
    return dtypes.pop() if dtypes else _F64


def to_float(arr: NDArray[Any], dtype: np.dtype[np.floating[Any]]) -> FloatArray:
    """`arr` itself when it already has `dtype` (no copy), else a converted copy (integer input)."""
    return arr if arr.dtype == dtype else arr.astype(dtype)


def float_array(a: ArrayLike, name: str) -> FloatArray:
    """A real array as float: float32/float64 unchanged (no copy), integer/bool converted to float64."""
    arr = as_numeric(a, name)
    return arr if arr.dtype.kind == "f" else arr.astype(_F64)


def check_finite(names: Sequence[str], arrays: Sequence[NDArray[Any]]) -> None:
    """Raise ValueError naming the first of `arrays` (called `names`) with a NaN or +-inf entry.

    The one finiteness check of matgrad: every public function calls it once, with all its arrays.
    Each array is probed by one pass, `a . a` (the dot product of its entries with themselves,
    no temporary copy for a large contiguous array), which is finite unless an entry is NaN or
    infinite, or the sum of squares overflows (an integer array's probe is always finite). Only
    when a probe is not finite are that array's entries inspected one by one, and the error names
    the first non-finite entry. (`np.vdot` runs no floating-point error check, so an overflow
    gives inf without a warning; `tests/unit/test_checks.py` pins that.)
    """
    i = -1
    for a in arrays:
        i += 1
        size = a.size
        if size == 1:
            probe = a.item()  # a scalar: no NumPy call needed
        elif size <= _SMALL or a.flags.c_contiguous:
            probe = _vdot(a, a)  # flattens in C order: a view, or a copy of a small array
        elif a.flags.f_contiguous:
            probe = _vdot(a.T, a.T)  # the transpose is C-contiguous: no copy
        else:
            with np.errstate(all="ignore"):
                probe = np.add.reduce(a, axis=None)
        if not _isfinite(probe):
            _raise_if_not_finite(a, names[i])


def _raise_if_not_finite(arr: NDArray[Any], name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite, but it has {int(bad.sum())} non-finite entries "
            f"(first at index {first}: {arr[first]!r})"
        )


def check_ndim(arr: NDArray[Any], name: str, ndims: tuple[int, ...], symbols: str) -> None:
    """Raise ValueError unless `arr.ndim` is in `ndims`; `symbols` describes the expected shape."""
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have shape {symbols}; got shape {arr.shape}")


def scalar(value: object, name: str, *, minimum: float | None = None) -> float:
    """A finite real Python float from a number (or 0-d array); optional lower bound (inclusive)."""
    if type(value) is float and math.isfinite(value) and (minimum is None or value >= minimum):
        return value  # the common case
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise ValueError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    arr = np.asarray(value)
    if arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a real number; got {value!r}")
    out = float(arr)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite; got {out!r}")
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {out!r}")
    return out


def positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """An int >= `minimum` (bools and floats rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def class_labels(y: ArrayLike, n_rows: int, n_classes: int, name: str = "y") -> IntArray:
    """Integer class labels `(N,)` in {0, ..., C-1}, from integer labels `(N,)` or one-hot `(N, C)`.

    Raises ValueError for: a float/bool/other dtype in the 1-D form (labels must be integers),
    the wrong length, negative labels, labels >= C, or a 2-D target that is not one-hot.
    """
    if (
        type(y) is np.ndarray
        and y.ndim == 1
        and y.dtype.kind in "iu"
        and y.dtype.isnative
        and y.shape[0] == n_rows
        and (n_rows == 0 or y.view(_UNSIGNED[y.dtype.itemsize]).max() < n_classes)
    ):
        # The common case in one pass: seen as unsigned, a negative label is huge, so the largest
        # label is below C exactly when every label is in 0..C-1.
        return y
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape != (n_rows, n_classes):
            raise ValueError(f"one-hot {name} must have shape (N, C) = ({n_rows}, {n_classes}); got shape {y.shape}")
        if y.dtype.kind not in "biuf":
            raise ValueError(f"one-hot {name} must be numeric; got dtype {y.dtype}")
        ones = y == 1
        if not np.all(ones | (y == 0)) or not np.all(ones.sum(axis=1) == 1):
            raise ValueError(f"a 2-D {name} must be one-hot: entries 0 or 1, exactly one 1 per row")
        labels: IntArray = ones.argmax(axis=1)
        return labels
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be integer labels of shape (N,) = ({n_rows},) or one-hot of shape (N, C); got shape {y.shape}"
        )
    if y.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must hold integer class labels in 0..C-1; got dtype {y.dtype} "
            "(non-integer labels are rejected; convert with y.astype(np.int64) if they are whole numbers)"
        )
    if y.shape[0] != n_rows:
        raise ValueError(f"{name} has {y.shape[0]} labels but there are N = {n_rows} rows")
    if n_rows and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in 0..C-1 = 0..{n_classes - 1}; got values from {y.min()} to {y.max()}"
        )
    return y


def sign_labels(y: ArrayLike, shape: tuple[int, ...], dtype: np.dtype[np.floating[Any]], name: str = "y") -> FloatArray:
    """Logistic labels: an array of `shape` with every entry -1 or +1, returned in `dtype`.

    Raises ValueError for the wrong shape, a non-numeric dtype, or any value other than -1/+1.
    """
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold labels -1/+1; got dtype {y.dtype}")
    if y.shape != shape:
        raise ValueError(f"{name} must have shape {shape} to match the predictions; got shape {y.shape}")
    ok = (y == 1) | (y == -1)
    if not np.all(ok):
        bad = np.unique(y[~ok])[:5]
        raise ValueError(f"{name} must hold labels -1 or +1 only; got {bad.tolist()}")
    return y.astype(dtype, copy=False)


def sign_label(y: object, name: str = "y") -> float | None:
    """A single logistic label as the float -1.0 or 1.0 when `y` is the Python number -1 or 1, else None.

    The fast path of `sign_labels` for one example; None sends the caller to the full check.
    """
    if (type(y) is int or type(y) is float) and (y == 1 or y == -1):
        return float(y)
    return None


def check_upstream(
    d_out: ArrayLike, shape: tuple[int, ...], dtype: np.dtype[np.floating[Any]], name: str
) -> FloatArray:
    """An upstream gradient checked against its forward pass: `shape`, the cache's float `dtype`, finite.

    Integer input is converted to `dtype`; a float of the other precision is an error (never upcast).
    """
    d = as_numeric(d_out, name)
    if d.shape != shape:
        raise ValueError(f"{name} must have the output's shape {shape}; got {d.shape}")
    if d.dtype.kind == "f" and d.dtype != dtype:
        raise ValueError(f"{name} is {d.dtype} but the forward pass ran in {dtype}; cast it explicitly")
    d = to_float(d, dtype)
    check_finite((name,), (d,))
    return d
