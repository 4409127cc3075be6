"""Activation functions and their derivatives, in numerically stable forms.

Every function works entry by entry (relu, sigmoid, the tanh and GELU layers) or row by row along
the last axis (softmax, log_softmax), keeps the dtype of a float32/float64 input (integer input is
computed in float64), and raises ValueError on NaN or infinite input: a non-finite logit would
silently turn a whole row of probabilities into NaN.

Types in the signatures: `ArrayLike` (anything `np.asarray` accepts) in, `FloatArray`
(`NDArray[np.floating]`: float32 or float64, the inputs' dtype) out.

The two activation layers defined here, tanh and GELU, are forward/backward pairs like those of
`matgrad.layers`: `A, cache = <name>_forward(Z)` and `dZ = <name>_backward(dA, cache)`.
"""

from __future__ import annotations

from typing import NamedTuple, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_finite, check_ndim, check_upstream, float_array
from ._typing import FloatArray

__all__ = [
    "GeluCache",
    "TanhCache",
    "gelu_backward",
    "gelu_forward",
    "log_softmax",
    "relu",
    "relu_derivative",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
    "tanh_backward",
    "tanh_forward",
]


def _finite_float(Z: ArrayLike, name: str = "Z") -> FloatArray:
    Z = float_array(Z, name)
    check_finite((name,), (Z,))
    return Z


def relu(Z: ArrayLike) -> FloatArray:
    """Rectified linear unit `max(Z, 0)`, entry by entry.

    Parameters
    ----------
    Z : array_like, any shape (in a layer, (N, H))

    Returns
    -------
    ndarray of Z's shape and float dtype.

    Raises
    ------
    ValueError
        If Z is not real numeric or has a non-finite entry.
    """
    return np.maximum(_finite_float(Z), 0)


def relu_derivative(Z: ArrayLike) -> FloatArray:
    """Derivative of `relu`: the 0/1 mask `Z > 0` (0 at the kink Z = 0, by convention).

    Parameters
    ----------
    Z : array_like, any shape (N, H)

    Returns
    -------
    ndarray of Z's shape and float dtype, entries 0.0 or 1.0.

    Raises
    ------
    ValueError
        As `relu`.
    """
    Z = _finite_float(Z)
    return (Z > 0).astype(Z.dtype)


def sigmoid(Z: ArrayLike) -> FloatArray:
    """Logistic sigmoid `1 / (1 + exp(-Z))`, entry by entry, without overflow.

    Uses `e = exp(-|Z|) <= 1`: `sigmoid(Z) = 1/(1+e)` for Z >= 0 and `e/(1+e)` for Z < 0, so no
    exponential can overflow and small values keep full relative precision (sigmoid(-700) > 0).

    Parameters
    ----------
    Z : array_like, any shape

    Returns
    -------
    ndarray of Z's shape and float dtype, entries in [0, 1].

    Raises
    ------
    ValueError
        As `relu`.
    """
    Z = _finite_float(Z)
    e = np.exp(-np.abs(Z))  # in (0, 1]: cannot overflow
    r = 1 / (1 + e)
    return np.where(Z >= 0, r, e * r)


def softmax(Z: ArrayLike) -> FloatArray:
    """Row-wise softmax `P[i, c] = exp(Z[i, c]) / sum_k exp(Z[i, k])`, stable for any finite Z.

    The row maximum is subtracted before exponentiating (softmax is unchanged by a constant shift
    of a row), so every exponent is <= 0 and the largest is exactly 1.

    Parameters
    ----------
    Z : array_like of shape (N, C) (or (C,) for one row; the last axis is the class axis)

    Returns
    -------
    P : ndarray of Z's shape and float dtype; each row is positive-or-zero and sums to 1.

    Raises
    ------
    ValueError
        If Z is 0-d, empty along the class axis, non-numeric or non-finite.
    """
    Z = _finite_float(Z)
    _check_class_axis(Z)
    P: FloatArray = Z - Z.max(axis=-1, keepdims=True)
    np.exp(P, out=P)
    P /= P.sum(axis=-1, keepdims=True)
    return P


def log_softmax(Z: ArrayLike) -> FloatArray:
    """Row-wise log-softmax `Z - logsumexp(Z)`, computed without forming softmax first.

    Parameters
    ----------
    Z : array_like of shape (N, C) (or (C,))

    Returns
    -------
    ndarray of Z's shape and float dtype; `exp` of each row sums to 1.

    Raises
    ------
    ValueError
        As `softmax`.
    """
    Z = _finite_float(Z)
    _check_class_axis(Z)
    S: FloatArray = Z - Z.max(axis=-1, keepdims=True)
    S -= np.log(np.exp(S).sum(axis=-1, keepdims=True))
    return S


def softmax_jacobian(p: ArrayLike) -> FloatArray:
    """Jacobian of the softmax of one row, written in terms of its output `p = softmax(z)`.

    `J[j, k] = d p_j / d z_k = p_j (delta_jk - p_k)`, i.e. `J = diag(p) - p p^T` (symmetric,
    so numerator and denominator layouts coincide; every row and column sums to 0).

    Parameters
    ----------
    p : array_like of shape (C,), a probability vector (entries >= 0, summing to 1)

    Returns
    -------
    J : ndarray of shape (C, C), p's float dtype.

    Raises
    ------
    ValueError
        If p is not 1-D, not finite, has a negative entry or does not sum to 1 (to within
        100 C machine epsilons): pass the softmax *output*, not the logits.
    """
    p = _finite_float(p, "p")
    check_ndim(p, "p", (1,), "(C,)")
    tol = 100 * max(p.size, 1) * np.finfo(p.dtype).eps
    if p.size == 0 or p.min() < 0 or abs(float(p.sum()) - 1.0) > tol:
        raise ValueError(
            "softmax_jacobian expects p = softmax(z) of shape (C,) (entries >= 0, sum 1); "
            f"got entries summing to {float(p.sum())!r} with minimum {float(p.min()) if p.size else None!r}"
        )
    return np.diag(p) - np.outer(p, p)


def _check_class_axis(Z: FloatArray) -> None:
    if Z.ndim == 0 or Z.shape[-1] == 0:
        raise ValueError(f"softmax needs Z of shape (N, C) or (C,) with C >= 1; got shape {Z.shape}")


# ---------------------------------------------------------------------------- tanh layer: A = tanh(Z)

TanhCache: TypeAlias = FloatArray
"""The cache of `tanh_forward`: its output A itself (the derivative is 1 - A * A)."""


def tanh_forward(Z: ArrayLike) -> tuple[FloatArray, TanhCache]:
    """Tanh layer `A = tanh(Z)`, entry by entry (`np.tanh` saturates to +-1 without overflow).

    Parameters
    ----------
    Z : array_like, any shape (in a layer, (N, H))

    Returns
    -------
    A : ndarray of Z's shape and float dtype, entries in [-1, 1]
    cache : A itself (the derivative is `1 - A * A`)

    Raises
    ------
    ValueError
        If Z is not real numeric or has a non-finite entry.
    """
    A = np.tanh(_finite_float(Z))
    return A, A


def tanh_backward(dA: ArrayLike, cache: TanhCache) -> FloatArray:
    """Backward pass of `tanh_forward`: `dZ = dA * (1 - A * A)`.

    Parameters
    ----------
    dA : array_like of A's shape (N, H), the upstream gradient dL/dA
    cache : A from `tanh_forward`

    Returns
    -------
    dZ : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dA's shape or dtype differs from A's, or dA is not finite.
    """
    A = cache
    dA = check_upstream(dA, A.shape, A.dtype, "dA")
    return dA * (1 - A * A)


# ---------------------------------------------------------------------------- GELU layer (tanh form)

GELU_C = 0.7978845608028654  # sqrt(2 / pi)
GELU_A = 0.044715  # the cubic coefficient of the tanh form (Hendrycks & Gimpel 2016)
_GELU_CLIP = 100.0  # |Z| beyond which Phi is exactly 0 or 1 in float32 and float64 (u > 35000)


class GeluCache(NamedTuple):
    """What `gelu_backward` needs from the forward pass."""

    Z: FloatArray
    """The input, (N, H)."""
    Phi: FloatArray
    """`(1 + tanh(u)) / 2 = sigmoid(2 u)` with `u = c (Z + a Z^3)`, (N, H): the tanh form's Phi(Z)."""


def gelu_forward(Z: ArrayLike) -> tuple[FloatArray, GeluCache]:
    """GELU layer in its tanh form, `A = Z * Phi` with `Phi = (1 + tanh(u)) / 2`, `u = c (Z + a Z^3)`.

    `c = sqrt(2 / pi)` and `a = 0.044715`: Phi approximates the standard normal CDF, so A
    approximates `Z * Phi_normal(Z)` (the exact GELU; NumPy has no erf). This is the form GPT-2 uses
    (torch: `gelu(approximate="tanh")`). Computed as `Phi = sigmoid(2 u)`, the same number without
    the cancellation of `1 + tanh(u)` for negative u; the cubic is evaluated at Z clipped to
    [-100, 100], where Phi is already exactly 0 or 1, so no power of a large Z can overflow.

    Parameters
    ----------
    Z : array_like, any shape (in a layer, (N, H))

    Returns
    -------
    A : ndarray of Z's shape and float dtype
    cache : GeluCache (Z, Phi)

    Raises
    ------
    ValueError
        If Z is not real numeric or has a non-finite entry.
    """
    Z = _finite_float(Z)
    Zc = np.clip(Z, -_GELU_CLIP, _GELU_CLIP)
    Phi = sigmoid(2 * GELU_C * (Zc + GELU_A * Zc**3))  # (1 + tanh(u)) / 2
    return Z * Phi, GeluCache(Z, Phi)


def gelu_backward(dA: ArrayLike, cache: GeluCache) -> FloatArray:
    """Backward pass of `gelu_forward`: `dZ = dA * (Phi + 2 Z Phi (1 - Phi) u')`.

    With `u' = c (1 + 3 a Z^2)`: the derivative of `Z Phi` is `Phi + Z Phi'` and
    `Phi' = (1 - tanh(u)^2) u' / 2 = 2 Phi (1 - Phi) u'`.

    Parameters
    ----------
    dA : array_like of A's shape (N, H), the upstream gradient dL/dA
    cache : GeluCache (Z, Phi) from `gelu_forward`

    Returns
    -------
    dZ : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dA's shape or dtype differs from A's, or dA is not finite.
    """
    Z, Phi = cache
    dA = check_upstream(dA, Z.shape, Z.dtype, "dA")
    Zc = np.clip(Z, -_GELU_CLIP, _GELU_CLIP)  # where |Z| > 100, Phi (1 - Phi) is exactly 0
    du = GELU_C * (1 + 3 * GELU_A * Zc * Zc)
    return dA * (Phi + 2 * Z * Phi * (1 - Phi) * du)
