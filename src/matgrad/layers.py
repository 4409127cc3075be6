"""Layers as forward/backward pairs. Rows are examples: `Z = X W + b` with X (N, D), W (D, H).

Each `*_forward` returns its output and a `cache` (exactly what the backward pass needs);
each `*_backward` takes the upstream gradient `dOut = dL/dOut` (the output's shape) and the
cache, and returns the gradient(s) of L with respect to the input(s), each of its variable's shape.

Each backward pass is written as the formula of its page; the nets do not call these functions
but the kernels of `matgrad.kernels`, which compute the same numbers in place (and are tested
equal to the composition of these layers).

Bad shapes, mixed float32/float64 and non-finite values raise ValueError (see matgrad._checks).

Types in the signatures: `ArrayLike` (anything `np.asarray` accepts) in, `FloatArray`
(`NDArray[np.floating]`: float32 or float64, the inputs' dtype) out.
"""

from __future__ import annotations

from typing import NamedTuple, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from . import activations
from ._checks import as_numeric, check_finite, check_ndim, check_upstream, common_float_dtype, float_array, to_float
from ._typing import FloatArray

__all__ = [
    "AffineCache",
    "ReluCache",
    "SigmoidCache",
    "SoftmaxCache",
    "affine_backward",
    "affine_forward",
    "relu_backward",
    "relu_forward",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_backward",
    "softmax_forward",
]


# ---------------------------------------------------------------------------- affine: Z = X W + b


class AffineCache(NamedTuple):
    """What `affine_backward` needs from the forward pass: its input X and weight W (not copies)."""

    X: FloatArray
    """The input, (N, D) or (D,)."""
    W: FloatArray
    """The weight, (D, H)."""


def affine_forward(X: ArrayLike, W: ArrayLike, b: ArrayLike) -> tuple[FloatArray, AffineCache]:
    """Affine layer `Z = X W + 1 b^T` (in NumPy, `X @ W + b`).

    Parameters
    ----------
    X : array_like of shape (N, D), one example per row (or (D,) for a single example)
    W : array_like of shape (D, H)
    b : array_like of shape (H,)

    Returns
    -------
    Z : ndarray of shape (N, H) (or (H,) for X of shape (D,))
    cache : AffineCache, the named tuple (X, W), for `affine_backward`

    Raises
    ------
    ValueError
        On shape mismatch (W's rows vs X's columns, b's length vs W's columns), mixed float32 and
        float64, or non-finite entries. Integer arrays are converted to the float dtype in use.
    """
    X, W, b = as_numeric(X, "X"), as_numeric(W, "W"), as_numeric(b, "b")
    check_ndim(X, "X", (1, 2), "(N, D) or (D,)")
    check_ndim(W, "W", (2,), "(D, H)")
    check_ndim(b, "b", (1,), "(H,)")
    if W.shape[0] != X.shape[-1]:
        raise ValueError(
            f"W has shape {W.shape} but X has {X.shape[-1]} columns (X shape {X.shape}); "
            f"expected W of shape ({X.shape[-1]}, H)"
        )
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b has shape {b.shape} but W has shape {W.shape}; expected b of shape ({W.shape[1]},)")
    dtype = common_float_dtype(("X", X), ("W", W), ("b", b))
    X, W, b = to_float(X, dtype), to_float(W, dtype), to_float(b, dtype)
    check_finite(("X", "W", "b"), (X, W, b))
    Z = X @ W + b
    return Z, AffineCache(X, W)


def affine_backward(dZ: ArrayLike, cache: AffineCache) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Backward pass of `affine_forward`.

    With the upstream gradient `dZ = dL/dZ`: `dX = dZ W^T`, `dW = X^T dZ`, `db = dZ^T 1`
    (column sums: the bias is broadcast to every row). For a single example X (D,):
    `dW = outer(X, dZ)` (the product `x dz^T`) and `db = dZ`.

    Parameters
    ----------
    dZ : array_like of shape (N, H) (or (H,)), the upstream gradient
    cache : the AffineCache (X, W) returned by `affine_forward`

    Returns
    -------
    dX : ndarray of shape (N, D) (or (D,))
    dW : ndarray of shape (D, H)
    db : ndarray of shape (H,)

    Raises
    ------
    ValueError
        If dZ's shape is not the shape of Z, its dtype differs from the cache's, or it is not finite.
    """
    X, W = cache
    dZ = check_upstream(dZ, (*X.shape[:-1], W.shape[1]), X.dtype, "dZ")
    dX = dZ @ W.T
    dW: FloatArray
    db: FloatArray
    if X.ndim == 1:  # one example: x (D,), dz (H,)
        dW = np.outer(X, dZ)
        db = dZ.copy()
    else:
        dW = X.T @ dZ
        db = dZ.T @ np.ones(dZ.shape[0], dZ.dtype)
    return dX, dW, db


# ---------------------------------------------------------------------------- ReLU: A = max(Z, 0)

ReluCache: TypeAlias = FloatArray
"""The cache of `relu_forward`: its output A itself (`A > 0` exactly where `Z > 0`)."""


def relu_forward(Z: ArrayLike) -> tuple[FloatArray, ReluCache]:
    """ReLU layer `A = max(Z, 0)`.

    Parameters
    ----------
    Z : array_like, any shape (N, H)

    Returns
    -------
    A : ndarray of Z's shape
    cache : A itself (`A > 0` exactly where `Z > 0`, which is all the backward pass needs)

    Raises
    ------
    ValueError
        If Z is not real numeric or not finite.
    """
    Z = float_array(Z, "Z")
    check_finite(("Z",), (Z,))
    A = np.maximum(Z, 0)
    return A, A


def relu_backward(dA: ArrayLike, cache: ReluCache) -> FloatArray:
    """Backward pass of `relu_forward`: `dZ = dA * 1[Z > 0]` (derivative 0 at Z = 0).

    Parameters
    ----------
    dA : array_like of A's shape (N, H)
    cache : A from `relu_forward`

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
    return dA * (A > 0)


# ---------------------------------------------------------------------------- sigmoid: S = 1 / (1 + exp(-Z))

SigmoidCache: TypeAlias = FloatArray
"""The cache of `sigmoid_forward`: its output S itself (the derivative is S (1 - S))."""


def sigmoid_forward(Z: ArrayLike) -> tuple[FloatArray, SigmoidCache]:
    """Sigmoid layer `S = 1 / (1 + exp(-Z))` (overflow-free, see `matgrad.sigmoid`).

    Parameters
    ----------
    Z : array_like, any shape (N, H)

    Returns
    -------
    S : ndarray of Z's shape
    cache : S itself (the derivative is S (1 - S))

    Raises
    ------
    ValueError
        If Z is not real numeric or not finite.
    """
    S = activations.sigmoid(Z)
    return S, S


def sigmoid_backward(dS: ArrayLike, cache: SigmoidCache) -> FloatArray:
    """Backward pass of `sigmoid_forward`: `dZ = dS * S * (1 - S)`.

    Parameters
    ----------
    dS : array_like of S's shape (N, H)
    cache : S from `sigmoid_forward`

    Returns
    -------
    dZ : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dS's shape or dtype differs from S's, or dS is not finite.
    """
    S = cache
    dS = check_upstream(dS, S.shape, S.dtype, "dS")
    return dS * S * (1 - S)


# ---------------------------------------------------------------------------- softmax: P = softmax(Z) row-wise

SoftmaxCache: TypeAlias = FloatArray
"""The cache of `softmax_forward`: its output P itself."""


def softmax_forward(Z: ArrayLike) -> tuple[FloatArray, SoftmaxCache]:
    """Row-wise softmax layer (stable, see `matgrad.softmax`).

    Parameters
    ----------
    Z : array_like of shape (N, C)

    Returns
    -------
    P : ndarray of shape (N, C), rows sum to 1
    cache : P itself

    Raises
    ------
    ValueError
        As `matgrad.softmax`.
    """
    P = activations.softmax(Z)
    return P, P


def softmax_backward(dP: ArrayLike, cache: SoftmaxCache) -> FloatArray:
    """Backward pass of `softmax_forward`, row by row without forming any C x C Jacobian.

    For one row, `dz = J^T dp` with `J = diag(p) - p p^T`, which is `p * (dp - (dp . p))`;
    for all rows at once `dZ = P * (dP - rowsum(dP * P))`.

    Parameters
    ----------
    dP : array_like of shape (N, C), the upstream gradient dL/dP
    cache : P from `softmax_forward`

    Returns
    -------
    dZ : ndarray of shape (N, C); each row sums to 0.

    Raises
    ------
    ValueError
        If dP's shape or dtype differs from P's, or dP is not finite.
    """
    P = cache
    dP = check_upstream(dP, P.shape, P.dtype, "dP")
    dZ: FloatArray = dP - (dP * P).sum(axis=-1, keepdims=True)
    dZ *= P
    return dZ
