"""Fast kernels of the nets: the formulas of the layers and losses, unchecked and in place where it pays.

`matgrad.layers`, `matgrad.losses` and `matgrad.activations` are the teaching
code: each function validates its input and is written as the formula of its page. The nets
(`matgrad.mlp`, `matgrad.logistic_net`) validate their inputs once per call and then run
these kernels, which compute the same numbers (to rounding; `tests/unit/test_kernels.py` checks
each against its teaching function, and each net against the composition of its layers) with fewer
passes over memory and fewer temporary arrays.

Every kernel assumes validated input and checks nothing: float32 or float64 arrays of ONE dtype,
finite, of the shapes in its docstring (integer labels in range, logistic labels -1/+1). A kernel
whose name ends in `_into` overwrites one of its arguments, as its docstring says. Sizes use the
symbols of the pages: N rows (examples), H units of a layer (H_prev below it), C classes, h hidden
units of the logistic net. Gradients are named `dA` for dL/dA, as everywhere in matgrad.

Matrix products in the kernels and the nets are written `A.dot(B)`: the same BLAS call as
`A @ B` and `np.dot(A, B)`, without their dispatch, which at the iris size, (N, D, H, C) =
(90, 4, 6, 3), costs as much as the product itself (about 0.3-0.6 us a call, measured).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._typing import FloatArray, IntArray

__all__ = [
    "add_bias_relu",
    "column_sums",
    "logistic_loss_one",
    "logistic_loss_sum",
    "ones",
    "outer",
    "relu_backward_into",
    "row_max",
    "softmax_cross_entropy_into",
    "squared_norm",
]

_SMALL = 4096  # entries; below this, per-call overhead outweighs memory traffic (see add_bias_relu)
_FEW_CLASSES = 16  # up to this C, a row maximum is taken column by column (see row_max)
_OUTER_DOT_BYTES = 8 * 2**20  # up to this size, an outer product is a matrix product (see outer)


def ones(n: int, dtype: np.dtype[np.floating[Any]]) -> FloatArray:
    """The vector `1` of shape (n,) in `dtype` (`np.ones` costs a few times more at small n)."""
    e = np.empty(n, dtype)
    e.fill(1)
    return e


def add_bias_relu(Z: FloatArray, b: FloatArray) -> FloatArray:
    """`Z <- relu(Z + 1 b^T)` in place, the affine layer's bias and the ReLU: returns Z, now A.

    Parameters
    ----------
    Z : ndarray of shape (N, H), the product `A_prev W`; overwritten with the activation A
    b : ndarray of shape (H,)

    Returns
    -------
    Z : the same array, holding `A = max(Z + 1 b^T, 0)`, shape (N, H)

    For a large Z the maximum is taken with a row of zeros broadcast down Z rather than with the
    scalar 0: the same numbers, and with NumPy 2.4 the scalar form was measured 1.5-2.5x slower on
    the benchmark's N x H arrays (docs/benchmark.md). For a small Z the scalar form has less setup.
    """
    Z += b
    if Z.size <= _SMALL:
        np.maximum(Z, 0.0, out=Z)
    else:
        np.maximum(Z, np.zeros(b.shape, b.dtype), out=Z)
    return Z


def column_sums(M: FloatArray, ones_n: FloatArray | None = None) -> FloatArray:
    """`M^T 1`, the column sums of M, e.g. the bias gradient `db = dZ^T 1`.

    Computed as the matrix-vector product `1^T M` (BLAS gemv), which was measured 1.3-3x faster
    than `M.sum(axis=0)` on the benchmark's N x H arrays; the same numbers up to rounding.

    Parameters
    ----------
    M : ndarray of shape (N, H)
    ones_n : None, or the vector `ones` of shape (N,) in M's dtype (to share one between calls)

    Returns
    -------
    ndarray of shape (H,)
    """
    if ones_n is None:
        ones_n = ones(M.shape[0], M.dtype)
    sums: FloatArray = ones_n.dot(M)
    return sums


def relu_backward_into(dZ: FloatArray, W: FloatArray, A: FloatArray) -> FloatArray:
    """`dZ_prev = (dZ W^T) * 1[A > 0]`, the gradient of the pre-activation below, written over `A`.

    The affine layer's `dA_prev = dZ W^T` followed by the ReLU's backward pass.

    Parameters
    ----------
    dZ : ndarray of shape (N, H), dL/dZ of this layer
    W : ndarray of shape (H_prev, H), this layer's weight
    A : ndarray of shape (N, H_prev), the activation below, `relu(Z_prev)` (so `A > 0` exactly
        where `Z_prev > 0`); overwritten

    Returns
    -------
    dZ_prev : the array `A`, now holding dL/dZ_prev, shape (N, H_prev)

    After its mask is taken, A is needed neither by the forward pass nor by the rest of the
    backward pass (`dW = A^T dZ` must be computed before), so the product goes into A's memory:
    no second N x H_prev array is allocated, and no page of a fresh array is faulted in. The mask
    is a boolean array (1 byte an entry).
    """
    mask = A > 0
    dA: FloatArray = dZ.dot(W.T, out=A)  # dL/dA_prev
    dA *= mask  # dL/dZ_prev
    return dA


def row_max(Z: FloatArray) -> FloatArray:
    """The maximum of each row of Z (N, C): an ndarray of shape (N,).

    For few classes (C <= 16) it is taken column by column, C - 1 entry-wise maxima over N
    entries: NumPy's reduction along a short last axis pays a setup per row, and at (1024, 10) was
    measured 3-4x slower than the column loop here. Wider rows use the reduction.
    """
    C = Z.shape[1]
    if C == 1:
        return Z[:, 0].copy()
    if C > _FEW_CLASSES:
        widest: FloatArray = np.maximum.reduce(Z, axis=1)
        return widest
    m = np.maximum(Z[:, 0], Z[:, 1])
    for c in range(2, C):
        np.maximum(m, Z[:, c], out=m)
    return m


def softmax_cross_entropy_into(Z: FloatArray, labels: IntArray) -> tuple[float, FloatArray]:
    """Mean softmax cross-entropy of the logits and its gradient, OVERWRITING `Z` with `dZ`.

    `loss = mean_i (logsumexp(Z_i) - Z[i, y_i])` and `dZ = (P - Y) / N` with
    `P = softmax(Z)` row by row, as `matgrad.softmax_cross_entropy`, after subtracting each
    row's maximum (so logits of +-1e4 are fine). The exponentials are taken once, in place, and
    scaled straight into `(P - Y) / N`.

    Parameters
    ----------
    Z : C-contiguous ndarray of shape (N, C), the logits; overwritten
    labels : integer ndarray of shape (N,) in {0, ..., C-1}

    Returns
    -------
    loss : float
    dZ : the array `Z`, now holding `(P - Y) / N`, shape (N, C)
    """
    N, C = Z.shape
    Z -= row_max(Z)[:, None]  # every row's maximum becomes 0
    flat = Z.reshape(-1)  # a view (Z is C-contiguous); entry (i, y_i) is flat[i C + y_i]
    at_label = np.arange(0, N * C, C)
    at_label += labels.astype(np.intp, copy=False)  # (uint64 + int64 would be float64)
    correct = flat[at_label]  # shifted logit of the true class, (N,)
    np.exp(Z, out=Z)
    row_sums = Z.dot(ones(C, Z.dtype))  # Z 1, each in [1, C]
    correct -= np.log(row_sums)  # log P[i, y_i], (N,)
    loss = -float(np.add.reduce(correct)) / N
    row_sums *= float(N)  # (a Python float: a Python int scalar costs a slower conversion)
    Z /= row_sums[:, None]  # P / N
    flat[at_label] -= 1.0 / N  # (P - Y) / N
    return loss, Z


def squared_norm(W: FloatArray) -> float:
    """`||W||_F^2`, the sum of squares of the entries of W (any shape), as a float.

    One dot product of W's entries with themselves: no temporary copy for a C-contiguous W.
    """
    return float(np.vdot(W, W))


def logistic_loss_sum(yhat: FloatArray, y: FloatArray) -> tuple[float, FloatArray]:
    """Summed logistic loss `sum_n log(1 + exp(-y_n yhat_n))` and `dyhat`, as `matgrad.logistic_loss`.

    Parameters
    ----------
    yhat : ndarray of shape (N,), the net's outputs
    y : ndarray of shape (N,) and yhat's dtype, entries -1.0 or +1.0

    Returns
    -------
    loss : float
    dyhat : ndarray of shape (N,), `-y sigmoid(-y yhat)`
    """
    m = y * yhat
    np.negative(m, out=m)  # m = -y yhat, (N,)
    softplus = np.logaddexp(0.0, m)  # log(1 + exp(m)), (N,)
    loss = float(np.add.reduce(softplus))
    # sigmoid(m) = exp(m - softplus(m)): the exponent is <= 0 (no overflow), and its rounding error,
    # about |m| eps, is of the order already in m itself (yhat is rounded too), so this is as
    # accurate as the two-branch form of matgrad.sigmoid and reuses the loss's logaddexp.
    softplus -= m
    np.negative(softplus, out=softplus)
    dyhat = np.exp(softplus, out=softplus)
    dyhat *= y
    np.negative(dyhat, out=dyhat)  # -y sigmoid(m)
    return loss, dyhat


def logistic_loss_one(yhat: float, y: float) -> tuple[float, float]:
    """The logistic loss `log(1 + exp(-y yhat))` of ONE example and `dyhat`, in Python floats.

    The stable forms of `matgrad.logistic_loss` (`logaddexp(0, m) = max(m, 0) + log1p(exp(-|m|))`
    with `m = -y yhat`, and the sigmoid through `exp(-|m|)`), for a scalar: a few
    floating-point operations instead of NumPy calls on 0-d arrays.

    Parameters
    ----------
    yhat : float, the net's output
    y : -1.0 or +1.0

    Returns
    -------
    loss : float
    dyhat : float, `-y sigmoid(-y yhat)`
    """
    m = -y * yhat
    e = math.exp(-abs(m))  # in (0, 1]: cannot overflow
    loss = max(m, 0.0) + math.log1p(e)
    s = 1 / (1 + e) if m >= 0 else e / (1 + e)  # sigmoid(m)
    return loss, -y * s


def outer(u: FloatArray, v: FloatArray) -> FloatArray:
    """The outer product `u v^T` of u (N,) and v (H,): an ndarray of shape (N, H).

    Up to 8 MiB of result it is the matrix product `u[:, None].dot(v[None, :])` (inner dimension
    1), which NumPy 2.4 with OpenBLAS ran 1.2-2.5x faster than `einsum` from (32, 64) to
    (10000, 100); above, `einsum` (1.3-2x faster at (10000, 500) and (10000, 1000), where the
    matrix product handles the inner dimension of 1 poorly). Both beat `np.outer`, which makes a
    temporary copy.
    """
    small = u.size * v.size * u.itemsize <= _OUTER_DOT_BYTES
    uv: FloatArray = u[:, None].dot(v[None, :]) if small else np.einsum("n,j->nj", u, v)
    return uv
