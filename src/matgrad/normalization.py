"""Batch norm and layer norm: one computation, along the columns or along the rows of X (N, D).

Both normalise `X` to `Xhat` (zero mean, unit variance along one axis, with the variance floor
`eps`), then scale and shift each column: `Y = Xhat diag(gamma) + 1_N beta^T` (in NumPy,
`Xhat * gamma + beta`), with gamma and beta of shape (D,).

- batch norm (training mode): statistics of each column, over the N examples: `mu` and `s` (D,),
  `s_j^2 = (1/N) sum_n (X_nj - mu_j)^2 + eps` (the biased variance plus the floor);
- layer norm: statistics of each row, over its D entries: `mu` and `s` (N,).

Backward passes (`dY = dL/dY`, N x D), batch norm:

    dbeta  = dY^T 1_N                       (column sums)
    dgamma = (dY * Xhat)^T 1_N
    dX     = (N dY - 1_N dbeta^T - Xhat diag(dgamma)) diag(gamma / s) / N

and layer norm, the same along the rows with `dXhat = dY diag(gamma)`:

    dX = diag(1 / s) (D dXhat - dXhat 1_D 1_D^T - Xhat * ((dXhat * Xhat) 1_D 1_D^T)) / D

Bad shapes, mixed float32/float64, non-finite values and a non-positive eps raise ValueError.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_numeric, check_finite, check_ndim, check_upstream, common_float_dtype, scalar, to_float
from ._typing import FloatArray

__all__ = [
    "BatchNormCache",
    "LayerNormCache",
    "batchnorm_backward",
    "batchnorm_forward",
    "layernorm_backward",
    "layernorm_forward",
]


class BatchNormCache(NamedTuple):
    """What `batchnorm_backward` needs, plus the batch statistics (for running averages)."""

    Xhat: FloatArray
    """The normalised input `(X - 1_N mu^T) diag(1 / s)`, (N, D)."""
    mu: FloatArray
    """The column means, (D,)."""
    s: FloatArray
    """The column standard deviations with the floor, `sqrt(biased variance + eps)`, (D,)."""
    gamma: FloatArray
    """The scale, (D,)."""


class LayerNormCache(NamedTuple):
    """What `layernorm_backward` needs, plus the row statistics."""

    Xhat: FloatArray
    """The normalised input `diag(1 / s) (X - mu 1_D^T)`, (N, D)."""
    mu: FloatArray
    """The row means, (N,)."""
    s: FloatArray
    """The row standard deviations with the floor, `sqrt(biased variance + eps)`, (N,)."""
    gamma: FloatArray
    """The scale, (D,)."""


def _inputs(
    X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Validated X (N, D), gamma (D,), beta (D,) in one float dtype, and eps > 0."""
    X, gamma, beta = as_numeric(X, "X"), as_numeric(gamma, "gamma"), as_numeric(beta, "beta")
    check_ndim(X, "X", (2,), "(N, D)")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have shape (N, D) with N >= 1 and D >= 1; got {X.shape}")
    D = X.shape[1]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != (D,):
            raise ValueError(f"{name} must have shape (D,) = ({D},) for X of shape {X.shape}; got shape {p.shape}")
    eps = scalar(eps, "eps")
    if eps <= 0:
        raise ValueError(f"eps must be > 0 (the variance floor keeps a constant column finite); got {eps!r}")
    dtype = common_float_dtype(("X", X), ("gamma", gamma), ("beta", beta))
    X, gamma, beta = to_float(X, dtype), to_float(gamma, dtype), to_float(beta, dtype)
    check_finite(("X", "gamma", "beta"), (X, gamma, beta))
    return X, gamma, beta, eps


def _statistics(X: FloatArray, axis: int, eps: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean, floored standard deviation and normalised X along `axis` (kept as a length-1 axis)."""
    mu = X.mean(axis=axis, keepdims=True)
    centred = X - mu
    s = np.sqrt((centred * centred).mean(axis=axis, keepdims=True) + eps)  # biased variance + eps
    return mu, s, centred / s


# ---------------------------------------------------------------------------- batch norm: columns


def batchnorm_forward(
    X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5
) -> tuple[FloatArray, BatchNormCache]:
    """Batch normalisation in training mode: each column normalised over the N examples, then scaled.

    `mu = X^T 1_N / N`, `s_j = sqrt((1/N) sum_n (X_nj - mu_j)^2 + eps)` (biased variance),
    `Xhat = (X - 1_N mu^T) diag(1 / s)` and `Y = Xhat diag(gamma) + 1_N beta^T`.

    Parameters
    ----------
    X : array_like of shape (N, D), one example per row, N >= 1 (for N = 1, Xhat = 0 and Y = beta)
    gamma : array_like of shape (D,), the scale
    beta : array_like of shape (D,), the shift
    eps : float > 0, the variance floor (default 1e-5): a constant column gives Xhat = 0, finite

    Returns
    -------
    Y : ndarray of shape (N, D), X's float dtype
    cache : BatchNormCache (Xhat (N, D), mu (D,), s (D,), gamma (D,)), for `batchnorm_backward`

    Raises
    ------
    ValueError
        If X is not 2-D with N, D >= 1, gamma or beta is not of shape (D,), eps is not a positive
        finite number, float32 and float64 are mixed, or an entry is not finite.
    """
    X, gamma, beta, eps = _inputs(X, gamma, beta, eps)
    mu, s, Xhat = _statistics(X, 0, eps)  # mu, s: (1, D)
    Y = Xhat * gamma + beta
    return Y, BatchNormCache(Xhat, mu[0], s[0], gamma)


def batchnorm_backward(dY: ArrayLike, cache: BatchNormCache) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Backward pass of `batchnorm_forward` (training mode: mu and s depend on X).

    `dbeta = dY^T 1_N`, `dgamma = (dY * Xhat)^T 1_N` and the compact form
    `dX = (N dY - 1_N dbeta^T - Xhat diag(dgamma)) diag(gamma / s) / N`.
    Every column of dX sums to 0 (shifting a column of X changes nothing); with eps = 0 it would
    also be orthogonal to that column of Xhat (nor would scaling it).

    Parameters
    ----------
    dY : array_like of shape (N, D), the upstream gradient dL/dY
    cache : the BatchNormCache returned by `batchnorm_forward`

    Returns
    -------
    dX : ndarray of shape (N, D)
    dgamma : ndarray of shape (D,)
    dbeta : ndarray of shape (D,)

    Raises
    ------
    ValueError
        If dY's shape is not Y's, its dtype differs from the cache's, or it is not finite.
    """
    Xhat, _mu, s, gamma = cache
    dY = check_upstream(dY, Xhat.shape, Xhat.dtype, "dY")
    N = Xhat.shape[0]
    dbeta: FloatArray = dY.sum(axis=0)  # dY^T 1_N
    dgamma: FloatArray = (dY * Xhat).sum(axis=0)  # (dY * Xhat)^T 1_N
    dX: FloatArray = (N * dY - dbeta - Xhat * dgamma) * (gamma / (N * s))
    return dX, dgamma, dbeta


# ---------------------------------------------------------------------------- layer norm: rows


def layernorm_forward(
    X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5
) -> tuple[FloatArray, LayerNormCache]:
    """Layer normalisation: each row normalised over its D entries, then each column scaled.

    `mu = X 1_D / D` (N,), `s_n = sqrt((1/D) sum_j (X_nj - mu_n)^2 + eps)`,
    `Xhat = diag(1 / s) (X - mu 1_D^T)` and `Y = Xhat diag(gamma) + 1_N beta^T`.
    No statistic crosses examples: each row's output depends on that row only.

    Parameters
    ----------
    X : array_like of shape (N, D), one example (or token) per row, D >= 1
    gamma : array_like of shape (D,), the scale
    beta : array_like of shape (D,), the shift
    eps : float > 0, the variance floor (default 1e-5)

    Returns
    -------
    Y : ndarray of shape (N, D), X's float dtype
    cache : LayerNormCache (Xhat (N, D), mu (N,), s (N,), gamma (D,)), for `layernorm_backward`

    Raises
    ------
    ValueError
        If X is not 2-D with N, D >= 1, gamma or beta is not of shape (D,), eps is not a positive
        finite number, float32 and float64 are mixed, or an entry is not finite.
    """
    X, gamma, beta, eps = _inputs(X, gamma, beta, eps)
    mu, s, Xhat = _statistics(X, 1, eps)  # mu, s: (N, 1)
    Y = Xhat * gamma + beta
    return Y, LayerNormCache(Xhat, mu[:, 0], s[:, 0], gamma)


def layernorm_backward(dY: ArrayLike, cache: LayerNormCache) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Backward pass of `layernorm_forward`.

    With `dXhat = dY diag(gamma)`: `dbeta = dY^T 1_N`, `dgamma = (dY * Xhat)^T 1_N` and
    `dX = diag(1 / s) (D dXhat - dXhat 1_D 1_D^T - Xhat * ((dXhat * Xhat) 1_D 1_D^T)) / D`
    (batch norm's formula along the rows). Every row of dX sums to 0.

    Parameters
    ----------
    dY : array_like of shape (N, D), the upstream gradient dL/dY
    cache : the LayerNormCache returned by `layernorm_forward`

    Returns
    -------
    dX : ndarray of shape (N, D)
    dgamma : ndarray of shape (D,)
    dbeta : ndarray of shape (D,)

    Raises
    ------
    ValueError
        If dY's shape is not Y's, its dtype differs from the cache's, or it is not finite.
    """
    Xhat, _mu, s, gamma = cache
    dY = check_upstream(dY, Xhat.shape, Xhat.dtype, "dY")
    D = Xhat.shape[1]
    dbeta: FloatArray = dY.sum(axis=0)
    dgamma: FloatArray = (dY * Xhat).sum(axis=0)
    dXhat = dY * gamma  # (N, D)
    row_sum = dXhat.sum(axis=1, keepdims=True)  # dXhat 1_D, (N, 1)
    row_dot = (dXhat * Xhat).sum(axis=1, keepdims=True)  # (dXhat * Xhat) 1_D, (N, 1)
    dX: FloatArray = (D * dXhat - row_sum - Xhat * row_dot) / (D * s[:, None])
    return dX, dgamma, dbeta
