"""Checking tools: column-major vec, central finite differences, relative error, gradient check.

These are what every page and test uses to verify a derived gradient, so they are deliberately
simple: one loop over the entries of X, central differences, float64 only.

Layouts (see the conventions page): a gradient has the shape of the variable it differentiates by;
a Jacobian is in numerator layout, `J[i, j] = d vec(f)_i / d vec(X)_j`, with vec stacking columns
(`vec(A) == A.reshape(-1, order="F")`), so that `vec(A X B) = (B^T kron A) vec(X)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_numeric, check_finite

__all__ = [
    "Diagnosis",
    "GradientCheckError",
    "check_gradient",
    "diagnose",
    "numerical_gradient",
    "numerical_jacobian",
    "relative_error",
    "unvec",
    "vec",
]


def vec(A: ArrayLike) -> NDArray[Any]:
    """Stack the columns of `A` into one vector (column-major vec).

    Parameters
    ----------
    A : array_like, any shape (for a matrix, (m, n))

    Returns
    -------
    ndarray of shape (A.size,), equal to `A.reshape(-1, order="F")`; a view when `A` is
    Fortran-contiguous, otherwise a copy. Entry `A[i, j]` of an (m, n) matrix lands at `i + j*m`.
    """
    return np.asarray(A).reshape(-1, order="F")


def unvec(v: ArrayLike, shape: int | tuple[int, ...]) -> NDArray[Any]:
    """Inverse of `vec`: refill an array of `shape` column by column from `v`.

    Parameters
    ----------
    v : array_like of shape (prod(shape),)
    shape : tuple of ints

    Returns
    -------
    ndarray of `shape` with `vec(unvec(v, shape)) == v`.

    Raises
    ------
    ValueError
        If `v` is not 1-D or its size is not `prod(shape)`.
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
    """Central finite-difference gradient of a scalar function, on every entry of `X`.

    `grad[idx] = (f(X + eps E_idx) - f(X - eps E_idx)) / (2 eps)`, one pair of calls per entry.

    Parameters
    ----------
    f : callable
        `f(X) -> scalar` (a float or any array of size 1). `f` receives a float64 copy of `X`
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
        If `X` is float32 (too coarse for eps around 1e-6), non-numeric or non-finite, if `eps`
        is not positive, or if `f` does not return a single number.
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
        `f(X) -> array_like` of any fixed shape (m entries in all); `f` receives a float64 copy.
    X : array_like, any shape (n entries)
    eps : float

    Returns
    -------
    J : ndarray of shape (f(X).size, X.size) = (m, n), float64, with
        `J[i, j] = d vec(f(X))_i / d vec(X)_j` and vec column-major (`vec`).
        For a scalar f this is the 1 x n row `vec(numerical_gradient(f, X))[None, :]`.

    Raises
    ------
    ValueError
        As `numerical_gradient`, and if the shape of `f(X)` changes between calls.
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
    """Relative error `||a - b||_F / max(||a||_F, ||b||_F)` between two arrays of the same shape.

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
        make every `error < tol` comparison silently False and every `error > tol` silently pass).
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


# ---------------------------------------------------------------------------- diagnosis
# Every pattern is tested the same way the gradient itself is: a repaired gradient (grad / c,
# grad.T, grad - k X, ...) must pass the check that grad failed, at the same tol. A correct gradient
# lands at the finite-difference error (about 1e-10 relative), so a repaired one does too, while an
# unrelated error leaves a residual of its own size. Nothing is diagnosed on a single number (any
# number is a multiple of any other) or against a zero numerical gradient.


class Diagnosis(NamedTuple):
    """What a failed gradient check recognised in the analytic gradient (see `diagnose`).

    `kind` is one of `"scaled"`, `"sign"`, `"transposed"`, `"regulariser"`, `"mask"` or
    None (no pattern fits); `factor` is the fitted constant (`grad = factor * numeric` for
    "scaled" and "sign", `grad - numeric = factor * X` for "regulariser"), else None; `hint`
    is one plain-language sentence ("" for None).
    """

    kind: str | None
    factor: float | None
    hint: str


NO_DIAGNOSIS = Diagnosis(None, None, "")


def _passes(candidate: NDArray[np.float64], numeric: NDArray[np.float64], tol: float) -> bool:
    # a / c with a tiny c may overflow: such a repair does not pass
    return math.isfinite(float(np.max(np.abs(candidate)))) and relative_error(candidate, numeric) < tol


def _near_integer(t: float) -> int | None:
    k = round(t)
    return k if k >= 2 and abs(t - k) <= 1e-6 * t else None


def _scale_hint(c: float) -> str:
    """The usual cause of `grad = c * numeric`."""
    size = abs(c)
    up, down = _near_integer(size), _near_integer(1.0 / size)
    opposite = ", and of the opposite sign (a sign error as well)" if c < 0 else ""
    lead = f"grad is {c:.6g} times the numerical gradient{opposite}: "
    if up == 2 or down == 2:
        which = "twice" if up == 2 else "half"
        return lead + (
            f"{which} the right size. A factor of 2 usually means lambda versus lambda/2 (the gradient of "
            "lambda ||W||_F^2 is 2 lambda W), a missing or extra 1/2 in a squared error, or, with N = 2 "
            "examples, a sum where the loss takes the mean."
        )
    if up is not None:
        return lead + (
            f"off by a factor of {up}. If {up} is your batch size N, you summed over the examples where the "
            "loss takes the mean (the 1/N is missing)."
        )
    if down is not None:
        return lead + (
            f"off by a factor of 1/{down}. If {down} is your batch size N, you averaged twice (or divided "
            "by N where the loss is a sum)."
        )
    return lead + "look for a constant coefficient in your formula (a 1/N, a 2, a lambda) that is wrong."


def diagnose(grad: ArrayLike, numeric: ArrayLike, X: ArrayLike | None = None, *, tol: float = 1e-7) -> Diagnosis:
    """Recognise a classic mistake in a gradient `grad` that disagrees with `numeric`.

    Patterns, tried in this order; each is reported only when the repaired gradient passes the
    check (relative error to `numeric` below `tol`), so an unrelated error gets None:

    - `"sign"`: `-grad` passes (a sign error, e.g. gradient ascent); factor -1.
    - `"scaled"`: `grad / c` passes for the least-squares factor
      `c = <grad, numeric> / <numeric, numeric>`; factor c. The hint names the usual cause of
      c = N or 1/N (sum versus mean over the batch), 2 or 1/2 (lambda versus lambda/2, a 1/2 in a
      squared error).
    - `"transposed"`: grad is a square matrix and `grad.T` passes (a layout mix-up).
    - `"regulariser"`: `grad - k X` passes for the least-squares `k` (the difference is
      proportional to X: a penalty term missing, halved or doubled); factor k. Needs X, not
      constant.
    - `"mask"`: entry by entry, grad and numeric agree (to `tol` times the larger norm) except
      on some entries where one of the two is zero, and they agree on at least one non-zero entry
      (a ReLU mask applied where it should not be, or missing).

    Parameters
    ----------
    grad : array_like, the analytic gradient, of X's shape
    numeric : array_like of grad's shape, the finite-difference gradient
    X : array_like of grad's shape, or None; the point (needed for "regulariser" only)
    tol : float, the check's tolerance (relative error)

    Returns
    -------
    Diagnosis, the named tuple (kind, factor, hint); `(None, None, "")` when no pattern fits, when
    grad already passes the check, when grad has fewer than 2 entries, or when numeric is zero.

    Raises
    ------
    ValueError
        If the shapes differ or an entry is not finite.
    """
    a = as_numeric(grad, "grad").astype(np.float64)
    n = as_numeric(numeric, "numeric").astype(np.float64)
    if a.shape != n.shape:
        raise ValueError(f"diagnose needs grad and numeric of one shape; got {a.shape} and {n.shape}")
    check_finite(("grad", "numeric"), (a, n))
    P = None if X is None else as_numeric(X, "X").astype(np.float64)
    if P is not None and P.shape != a.shape:
        raise ValueError(f"X must have grad's shape {a.shape}; got {P.shape}")
    nn = float(np.vdot(n, n))
    if a.size < 2 or nn == 0.0:
        return NO_DIAGNOSIS
    if _passes(a, n, tol):  # grad already passes: there is no mistake to name
        return NO_DIAGNOSIS
    if _passes(-a, n, tol):
        return Diagnosis("sign", -1.0, "grad is minus the numerical gradient: a sign error (gradient ascent?).")
    c = float(np.vdot(a, n)) / nn
    if c != 0.0 and _passes(a / c, n, tol):
        return Diagnosis("scaled", c, _scale_hint(c))
    if a.ndim == 2 and a.shape[0] == a.shape[1] and _passes(a.T, n, tol):
        return Diagnosis(
            "transposed",
            None,
            "grad is the transpose of the numerical gradient: a layout mix-up (dL/dX^T computed, or a "
            "denominator-layout Jacobian); gradients have the shape of their variable.",
        )
    if P is not None and np.ptp(P) > 0.0:
        k = float(np.vdot(a - n, P)) / float(np.vdot(P, P))
        if _passes(a - k * P, n, tol):
            return Diagnosis(
                "regulariser",
                k,
                f"grad - numeric = {k:.6g} X: a term proportional to the variable is wrong, usually the "
                "penalty (the gradient of lambda ||W||_F^2 is 2 lambda W: missing, halved or doubled).",
            )
    scale = max(float(np.linalg.norm(a.ravel())), math.sqrt(nn))
    atol = tol * scale
    agree = np.abs(a - n) <= atol
    zero_one_side = np.minimum(np.abs(a), np.abs(n)) <= atol
    differ = ~agree
    if differ.any() and bool(np.all(zero_one_side[differ])) and bool(np.any(agree & (np.abs(n) > atol))):
        k_diff = int(differ.sum())
        return Diagnosis(
            "mask",
            None,
            f"grad agrees with the numerical gradient except at {k_diff} of {a.size} entries, where one of the "
            "two is 0: a mask applied where it should not be, or missing (relu'(Z) forgotten, of the wrong "
            "layer, or > where >= is meant).",
        )
    return NO_DIAGNOSIS


class GradientCheckError(AssertionError):
    """Raised by `check_gradient` when the analytic and numerical gradients disagree.

    Attributes: `error` (relative error of the whole arrays), `tol`, the worst entry's
    `index`, `analytic`, `numeric` and `entry_error` (its own relative error), and what
    `diagnose` recognised: `diagnosis` (`"scaled"`, `"sign"`, `"transposed"`,
    `"regulariser"`, `"mask"` or None), `factor` (the fitted constant or None) and `hint`
    (a plain-language sentence, also at the end of the message; "" when nothing is recognised).
    """

    def __init__(
        self,
        error: float,
        tol: float,
        index: tuple[int, ...],
        analytic: float,
        numeric: float,
        entry_error: float,
        diagnosis: Diagnosis = NO_DIAGNOSIS,
    ) -> None:
        self.error = error
        self.tol = tol
        self.index = index
        self.analytic = analytic
        self.numeric = numeric
        self.entry_error = entry_error
        self.diagnosis, self.factor, self.hint = diagnosis
        message = (
            f"gradient check failed: relative error {error:.3e} is not below tol {tol:.1e}; "
            f"worst entry {index}: analytic {analytic!r}, numeric {numeric!r}, "
            f"relative error there {entry_error:.3e}"
        )
        super().__init__(f"{message}\n{diagnosis.kind}: {diagnosis.hint}" if diagnosis.kind else message)


def _shape_error(grad_shape: tuple[int, ...], x_shape: tuple[int, ...]) -> ValueError:
    if len(x_shape) == 2 and grad_shape == x_shape[::-1]:
        return ValueError(
            f"grad has shape {grad_shape}, the transpose of X's shape {x_shape}: gradients have the shape of their "
            "variable (a layout mix-up: transpose your formula, not the result)"
        )
    return ValueError(f"grad must have X's shape {x_shape} (gradient layout); got {grad_shape}")


def check_gradient(
    f: Callable[[NDArray[np.float64]], Any], X: ArrayLike, grad: ArrayLike, *, eps: float = 1e-6, tol: float = 1e-7
) -> float:
    """Compare an analytic gradient with central finite differences; return the relative error.

    Parameters
    ----------
    f : callable, `f(X) -> scalar`
    X : array_like, any shape (float64 or integer)
    grad : array_like of X's shape, the analytic gradient dL/dX at `X`
    eps : float, finite-difference step
    tol : float, the largest accepted relative error

    Returns
    -------
    float, `relative_error(grad, numerical_gradient(f, X, eps))`, when it is below `tol`.

    Raises
    ------
    GradientCheckError (an AssertionError)
        If the relative error is `>= tol`; the message names the worst entry (largest absolute
        difference): its index, the analytic and numeric values and their relative error, and,
        when `diagnose` recognises a mistake (a factor such as N or 2, a sign, a transpose, a
        penalty term, a mask), says which and its usual cause (attributes `diagnosis`, `factor`,
        `hint`).
    ValueError
        If `grad` does not have X's shape (the message says when it has the transposed shape),
        `grad` or the numerical gradient is not finite, or as `numerical_gradient`.
    """
    X_arr = as_numeric(X, "X")
    grad = as_numeric(grad, "grad")
    if grad.shape != X_arr.shape:
        raise _shape_error(grad.shape, X_arr.shape)
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
    found = diagnose(analytic, numeric, X_arr, tol=tol)
    raise GradientCheckError(error, tol, index, a, n, entry_error, found)
