"""Checking tools: column-major vec, central finite differences, relative error, gradient check.

These are what every page and test uses to verify a derived gradient, so they are deliberately
simple: one loop over the entries of X, central differences, float64 only.

Layouts (see the conventions page): a gradient has the shape of the variable it differentiates by;
a Jacobian is in numerator layout, ``J[i, j] = d vec(f)_i / d vec(X)_j``, with vec stacking columns
(``vec(A) == A.reshape(-1, order="F")``), so that ``vec(A X B) = (B^T kron A) vec(X)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_numeric, check_finite

__all__ = [
    "GradientCheckError",
    "check_gradient",
    "numerical_gradient",
    "numerical_jacobian",
    "relative_error",
    "unvec",
    "vec",
]


def vec(A: ArrayLike) -> NDArray[Any]:
    """Stack the columns of ``A`` into one vector (column-major vec).

    Parameters
    ----------
    A : array_like, any shape (for a matrix, (m, n))

    Returns
    -------
    ndarray of shape (A.size,), equal to ``A.reshape(-1, order="F")``; a view when ``A`` is
    Fortran-contiguous, otherwise a copy. Entry ``A[i, j]`` of an (m, n) matrix lands at ``i + j*m``.
    """
    return np.asarray(A).reshape(-1, order="F")


def unvec(v: ArrayLike, shape: int | tuple[int, ...]) -> NDArray[Any]:
    """Inverse of :func:`vec`: refill an array of ``shape`` column by column from ``v``.

    Parameters
    ----------
    v : array_like of shape (prod(shape),)
    shape : tuple of ints

    Returns
    -------
    ndarray of ``shape`` with ``vec(unvec(v, shape)) == v``.

    Raises
    ------
    ValueError
        If ``v`` is not 1-D or its size is not ``prod(shape)``.
    """
    v = np.asarray(v)
    given: Any = shape
    try:
        dims = tuple(int(s) for s in given)
    except TypeError:
        dims = (int(given),)
    size = int(np.prod(dims, dtype=np.int64))
    if v.ndim != 1 or v.size != size:
        raise ValueError(f"unvec needs a vector of size {size} for shape {dims}; got shape {v.shape}")
    return v.reshape(dims, order="F")


def _float64_copy(X: ArrayLike, name: str = "X") -> NDArray[np.float64]:
    X = as_numeric(X, name)
    if X.dtype == np.float32:
        raise ValueError(f"finite differences need float64 (eps=1e-6 is below float32 resolution); {name} is float32")
    check_finite((name,), (X,))
    # A Fortran-ordered copy, so that vec(Xp) is a *view* and writing entry j of it perturbs vec(X)_j.
    return np.array(X, dtype=np.float64, order="F", copy=True)


def _check_eps(eps: float) -> float:
    eps = float(eps)
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number; got {eps!r}")
    return eps


def numerical_gradient(f: Callable[[NDArray[np.float64]], Any], X: ArrayLike, eps: float = 1e-6) -> NDArray[np.float64]:
    """Central finite-difference gradient of a scalar function, on every entry of ``X``.

    ``grad[idx] = (f(X + eps E_idx) - f(X - eps E_idx)) / (2 eps)``, one pair of calls per entry.

    Parameters
    ----------
    f : callable
        ``f(X) -> scalar`` (a float or any array of size 1). ``f`` receives a float64 copy of ``X``
        with one entry perturbed; it must not keep or modify it.
    X : array_like, any shape (e.g. (N, D))
        The point; integer input is used as float64.
    eps : float
        Step; the truncation error is O(eps^2), the round-off error about 1e-16 |f| / eps.

    Returns
    -------
    ndarray of X's shape, float64 (gradient layout: same shape as X).

    Raises
    ------
    ValueError
        If ``X`` is float32 (too coarse for eps around 1e-6), non-numeric or non-finite, if ``eps``
        is not positive, or if ``f`` does not return a single number.
    """
    eps = _check_eps(eps)
    Xp = _float64_copy(X)
    flat = vec(Xp)  # a view of Xp
    grad = np.empty(flat.size)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        f_plus = _scalar_output(f(Xp))
        flat[j] = old - eps
        f_minus = _scalar_output(f(Xp))
        flat[j] = old
        grad[j] = (f_plus - f_minus) / (2.0 * eps)
    return unvec(grad, Xp.shape)


def _scalar_output(value: object) -> float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(
            f"numerical_gradient needs f to return a scalar; it returned shape {arr.shape} "
            "(use numerical_jacobian for a vector-valued f)"
        )
    return float(arr.reshape(()))


def numerical_jacobian(
    f: Callable[[NDArray[np.float64]], ArrayLike], X: ArrayLike, eps: float = 1e-6
) -> NDArray[np.float64]:
    """Central finite-difference Jacobian of vec(f(X)) with respect to vec(X), numerator layout.

    Parameters
    ----------
    f : callable
        ``f(X) -> array_like`` of any fixed shape (m entries in all); ``f`` receives a float64 copy.
    X : array_like, any shape (n entries)
    eps : float

    Returns
    -------
    J : ndarray of shape (f(X).size, X.size) = (m, n), float64, with
        ``J[i, j] = d vec(f(X))_i / d vec(X)_j`` and vec column-major (:func:`vec`).
        For a scalar f this is the 1 x n row ``vec(numerical_gradient(f, X))[None, :]``.

    Raises
    ------
    ValueError
        As :func:`numerical_gradient`, and if the shape of ``f(X)`` changes between calls.
    """
    eps = _check_eps(eps)
    Xp = _float64_copy(X)
    flat = vec(Xp)
    out_shape = np.shape(f(Xp))
    J = np.empty((int(np.prod(out_shape, dtype=np.int64)), flat.size))
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        # Copy each output: f may return a view of Xp (e.g. X.T), which the next write would change.
        f_plus = np.array(f(Xp), dtype=np.float64, copy=True)
        flat[j] = old - eps
        f_minus = np.array(f(Xp), dtype=np.float64, copy=True)
        flat[j] = old
        if f_plus.shape != out_shape or f_minus.shape != out_shape:
            raise ValueError(f"f(X) changed shape: {out_shape} at X, {f_plus.shape} when perturbed")
        J[:, j] = (vec(f_plus) - vec(f_minus)) / (2.0 * eps)
    return J


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """Relative error ``||a - b||_F / max(||a||_F, ||b||_F)`` between two arrays of the same shape.

    Parameters
    ----------
    a, b : array_like of the same shape (any shape, scalars included)

    Returns
    -------
    float in [0, 2]; 0.0 when both are zero (in particular for two equal arrays).

    Raises
    ------
    ValueError
        If the shapes differ (no broadcasting) or an entry is NaN or infinite (a NaN error would
        make every ``error < tol`` comparison silently False and every ``error > tol`` silently pass).
    """
    a = as_numeric(a, "a")
    b = as_numeric(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs two arrays of the same shape; got {a.shape} and {b.shape}")
    a = a.astype(np.float64, copy=False)
    b = b.astype(np.float64, copy=False)
    check_finite(("a", "b"), (a, b))
    scale = max(np.linalg.norm(a.ravel()), np.linalg.norm(b.ravel()))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm((a - b).ravel()) / scale)


class GradientCheckError(AssertionError):
    """Raised by :func:`check_gradient` when the analytic and numerical gradients disagree.

    Attributes: ``error`` (relative error of the whole arrays), ``tol``, and the worst entry's
    ``index``, ``analytic``, ``numeric`` and ``entry_error`` (its own relative error).
    """

    def __init__(
        self, error: float, tol: float, index: tuple[int, ...], analytic: float, numeric: float, entry_error: float
    ) -> None:
        self.error = error
        self.tol = tol
        self.index = index
        self.analytic = analytic
        self.numeric = numeric
        self.entry_error = entry_error
        super().__init__(
            f"gradient check failed: relative error {error:.3e} is not below tol {tol:.1e}; "
            f"worst entry {index}: analytic {analytic!r}, numeric {numeric!r}, "
            f"relative error there {entry_error:.3e}"
        )


def check_gradient(
    f: Callable[[NDArray[np.float64]], Any], X: ArrayLike, grad: ArrayLike, *, eps: float = 1e-6, tol: float = 1e-7
) -> float:
    """Compare an analytic gradient with central finite differences; return the relative error.

    Parameters
    ----------
    f : callable, ``f(X) -> scalar``
    X : array_like, any shape (float64 or integer)
    grad : array_like of X's shape, the analytic gradient dL/dX at ``X``
    eps : float, finite-difference step
    tol : float, the largest accepted relative error

    Returns
    -------
    float, ``relative_error(grad, numerical_gradient(f, X, eps))``, when it is below ``tol``.

    Raises
    ------
    GradientCheckError (an AssertionError)
        If the relative error is ``>= tol``; the message names the worst entry (largest absolute
        difference): its index, the analytic and numeric values and their relative error.
    ValueError
        If ``grad`` does not have X's shape, ``grad`` or the numerical gradient is not finite, or
        as :func:`numerical_gradient`.
    """
    X_arr = as_numeric(X, "X")
    grad = as_numeric(grad, "grad")
    if grad.shape != X_arr.shape:
        raise ValueError(f"grad must have X's shape {X_arr.shape} (gradient layout); got {grad.shape}")
    tol = float(tol)
    check_finite(("the analytic gradient grad",), (grad,))
    numeric = numerical_gradient(f, X_arr, eps=eps)
    check_finite(("the numerical gradient (f returned NaN or inf near X)",), (numeric,))
    error = relative_error(grad, numeric)
    if error < tol:
        return error
    analytic = grad.astype(np.float64)
    diff = np.abs(analytic - numeric)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    a, n = float(analytic[index]), float(numeric[index])
    scale = max(abs(a), abs(n))
    entry_error = 0.0 if scale == 0.0 else abs(a - n) / scale
    raise GradientCheckError(error, tol, index, a, n, entry_error)
