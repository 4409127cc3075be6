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
"""

from __future__ import annotations

import numbers

import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_SMALL = 4096  # arrays up to this size are checked entry by entry in check_finite


def as_numeric(a, name):
    """Return ``np.asarray(a)`` after checking it holds real numbers (bool, int, uint or float)."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and arr.dtype not in _FLOAT_DTYPES:
        raise ValueError(f"{name} must be float32 or float64 (or integer); got dtype {arr.dtype}")
    return arr


def common_float_dtype(**arrays):
    """The one floating dtype shared by the floating arrays among ``arrays`` (float64 if none is floating).

    Raises ValueError when float32 and float64 arrays are mixed.
    """
    found = {name: a.dtype for name, a in arrays.items() if a.dtype.kind == "f"}
    dtypes = set(found.values())
    if len(dtypes) > 1:
        listing = ", ".join(f"{name} is {dt}" for name, dt in found.items())
        raise ValueError(
            f"all floating inputs must share one dtype (float32 or float64), but {listing}; "
            "cast them explicitly (matgrad never upcasts silently)"
        )
    return dtypes.pop() if dtypes else np.dtype(np.float64)


def to_float(arr, dtype):
    """``arr`` itself when it already has ``dtype`` (no copy), else a converted copy (integer input)."""
    return arr if arr.dtype == dtype else arr.astype(dtype)


def float_array(a, name):
    """A real array as float: float32/float64 unchanged (no copy), integer/bool converted to float64."""
    arr = as_numeric(a, name)
    return to_float(arr, arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64))


def check_finite(arr, name):
    """Raise ValueError if the floating array ``arr`` contains NaN or +-inf.

    For a large array a single reduction decides the common case without a temporary the size of
    ``arr``: the sum of finite numbers is finite unless it overflows, and only then are the entries
    inspected one by one. A small array is inspected directly (cheaper than the error-state switch).
    """
    if arr.dtype.kind != "f" or arr.size == 0:
        return
    if arr.size > _SMALL:
        with np.errstate(all="ignore"):
            total = arr.sum()
        if np.isfinite(total):
            return
    elif np.isfinite(arr).all():
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite, but it has {int(bad.sum())} non-finite entries "
            f"(first at index {first}: {arr[first]!r})"
        )


def check_ndim(arr, name, ndims, symbols):
    """Raise ValueError unless ``arr.ndim`` is in ``ndims``; ``symbols`` describes the expected shape."""
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have shape {symbols}; got shape {arr.shape}")


def check_nonempty(arr, name):
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")


def scalar(value, name, *, minimum=None):
    """A finite real Python float from a number (or 0-d array); optional lower bound (inclusive)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise ValueError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    arr = np.asarray(value)
    if arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a real number; got {value!r}")
    out = float(arr)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite; got {out!r}")
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {out!r}")
    return out


def positive_int(value, name, *, minimum=1):
    """An int >= ``minimum`` (bools and floats rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral,)):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def class_labels(y, n_rows, n_classes, name="y"):
    """Integer class labels ``(N,)`` in {0, ..., C-1}, from integer labels ``(N,)`` or one-hot ``(N, C)``.

    Raises ValueError for: a float/bool/other dtype in the 1-D form (labels must be integers),
    the wrong length, negative labels, labels >= C, or a 2-D target that is not one-hot.
    """
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape != (n_rows, n_classes):
            raise ValueError(f"one-hot {name} must have shape (N, C) = ({n_rows}, {n_classes}); got shape {y.shape}")
        if y.dtype.kind not in "biuf":
            raise ValueError(f"one-hot {name} must be numeric; got dtype {y.dtype}")
        ones = y == 1
        if not np.all(ones | (y == 0)) or not np.all(ones.sum(axis=1) == 1):
            raise ValueError(f"a 2-D {name} must be one-hot: entries 0 or 1, exactly one 1 per row")
        return ones.argmax(axis=1)
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


def sign_labels(y, shape, dtype, name="y"):
    """Logistic labels: an array of ``shape`` with every entry -1 or +1, returned in ``dtype``.

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
