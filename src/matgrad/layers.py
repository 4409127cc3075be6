"""Layers as forward/backward pairs. Rows are examples: ``Z = X W + b`` with X (N, D), W (D, H).

Each ``*_forward`` returns its output and a ``cache`` (exactly what the backward pass needs);
each ``*_backward`` takes the upstream gradient ``dOut = dL/dOut`` (the output's shape) and the
cache, and returns the gradient(s) of L with respect to the input(s), each of its variable's shape.

Bad shapes, mixed float32/float64 and non-finite values raise ValueError (see matgrad._checks).
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._checks import as_numeric, check_finite, check_ndim, common_float_dtype, float_array, to_float

__all__ = [
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


def affine_forward(X, W, b):
    """Affine layer ``Z = X W + 1 b^T`` (in NumPy, ``X @ W + b``).

    Parameters
    ----------
    X : array_like of shape (N, D), one example per row (or (D,) for a single example)
    W : array_like of shape (D, H)
    b : array_like of shape (H,)

    Returns
    -------
    Z : ndarray of shape (N, H) (or (H,) for X of shape (D,))
    cache : tuple (X, W), for :func:`affine_backward`

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
    dtype = common_float_dtype(X=X, W=W, b=b)
    X, W, b = to_float(X, dtype), to_float(W, dtype), to_float(b, dtype)
    for name, arr in (("X", X), ("W", W), ("b", b)):
        check_finite(arr, name)
    return _affine_forward(X, W, b)


def _affine_forward(X, W, b):
    """:func:`affine_forward` without input checks (for callers that validated already)."""
    Z = X @ W
    Z += b
    return Z, (X, W)


def affine_backward(dZ, cache):
    """Backward pass of :func:`affine_forward`.

    With ``G = dZ = dL/dZ``: ``dX = G W^T``, ``dW = X^T G``, ``db = G^T 1`` (column sums, the bias
    is broadcast to every row). For a single example X (D,): ``dW = outer(X, G)`` and ``db = G``.

    Parameters
    ----------
    dZ : array_like of shape (N, H) (or (H,)), the upstream gradient
    cache : the tuple (X, W) returned by :func:`affine_forward`

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
    dZ = _upstream(dZ, (*X.shape[:-1], W.shape[1]), X.dtype, "dZ")
    return _affine_backward(dZ, cache)


def _affine_backward(dZ, cache):
    """:func:`affine_backward` without input checks."""
    X, W = cache
    dX = dZ @ W.T
    if X.ndim == 1:
        return dX, np.outer(X, dZ), dZ.copy()
    return dX, X.T @ dZ, dZ.sum(axis=0)


# ---------------------------------------------------------------------------- ReLU: A = max(Z, 0)


def relu_forward(Z):
    """ReLU layer ``A = max(Z, 0)``.

    Parameters
    ----------
    Z : array_like, any shape (N, H)

    Returns
    -------
    A : ndarray of Z's shape
    cache : A itself (``A > 0`` exactly where ``Z > 0``, which is all the backward pass needs)

    Raises
    ------
    ValueError
        If Z is not real numeric or not finite.
    """
    Z = float_array(Z, "Z")
    check_finite(Z, "Z")
    return _relu_forward(Z)


def _relu_forward(Z):
    """:func:`relu_forward` without input checks."""
    A = np.maximum(Z, 0)
    return A, A


def relu_backward(dA, cache):
    """Backward pass of :func:`relu_forward`: ``dZ = dA * 1[Z > 0]`` (derivative 0 at Z = 0).

    Parameters
    ----------
    dA : array_like of A's shape (N, H)
    cache : A from :func:`relu_forward`

    Returns
    -------
    dZ : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dA's shape or dtype differs from A's, or dA is not finite.
    """
    A = cache
    dA = _upstream(dA, A.shape, A.dtype, "dA")
    return _relu_backward(dA, cache)


def _relu_backward(dA, cache):
    """:func:`relu_backward` without input checks."""
    return dA * (cache > 0)


# ---------------------------------------------------------------------------- sigmoid: S = 1 / (1 + exp(-Z))


def sigmoid_forward(Z):
    """Sigmoid layer ``S = 1 / (1 + exp(-Z))`` (overflow-free, see :func:`matgrad.sigmoid`).

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


def sigmoid_backward(dS, cache):
    """Backward pass of :func:`sigmoid_forward`: ``dZ = dS * S * (1 - S)``.

    Parameters
    ----------
    dS : array_like of S's shape (N, H)
    cache : S from :func:`sigmoid_forward`

    Returns
    -------
    dZ : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dS's shape or dtype differs from S's, or dS is not finite.
    """
    S = cache
    dS = _upstream(dS, S.shape, S.dtype, "dS")
    return dS * S * (1 - S)


# ---------------------------------------------------------------------------- softmax: P = softmax(Z) row-wise


def softmax_forward(Z):
    """Row-wise softmax layer (stable, see :func:`matgrad.softmax`).

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
        As :func:`matgrad.softmax`.
    """
    P = activations.softmax(Z)
    return P, P


def softmax_backward(dP, cache):
    """Backward pass of :func:`softmax_forward`, row by row without forming any C x C Jacobian.

    For one row, ``dz = J^T dp`` with ``J = diag(p) - p p^T``, which is ``p * (dp - (dp . p))``;
    for all rows at once ``dZ = P * (dP - rowsum(dP * P))``.

    Parameters
    ----------
    dP : array_like of shape (N, C), the upstream gradient dL/dP
    cache : P from :func:`softmax_forward`

    Returns
    -------
    dZ : ndarray of shape (N, C); each row sums to 0.

    Raises
    ------
    ValueError
        If dP's shape or dtype differs from P's, or dP is not finite.
    """
    P = cache
    dP = _upstream(dP, P.shape, P.dtype, "dP")
    dZ = dP - (dP * P).sum(axis=-1, keepdims=True)
    dZ *= P
    return dZ


# ---------------------------------------------------------------------------- in place, for the nets
# The nets (matgrad.mlp, matgrad.logistic_net) own their N x H arrays, so they can run affine + ReLU
# and its backward pass in place; these two helpers are the formulas above without the copies.
def _add_bias_relu(Z, b):
    """``Z <- relu(Z + 1 b^T)`` in place: Z (N, H) becomes the layer's activation A, b (H,).

    The ReLU takes the maximum with a row of zeros broadcast down Z rather than with the scalar 0:
    the result is the same, and with NumPy 2.4 the scalar form was measured 1.5-2.5x slower on the
    benchmark's N x H arrays (see docs/benchmark.md).
    """
    Z += b
    np.maximum(Z, np.zeros(b.shape, b.dtype), out=Z)


def _column_sums(G):
    """``G^T 1``, the column sums of G (N, H), e.g. a bias gradient: computed as the product ``1^T G``.

    The same numbers as ``G.sum(axis=0)`` up to rounding, but a BLAS matrix-vector product, which
    was measured 1.3-3x faster here on the benchmark's N x H arrays.
    """
    return np.ones(G.shape[0], G.dtype) @ G


def _relu_backward_into(G, W, A):
    """``G W^T * 1[A > 0]``, the gradient with respect to the pre-activation below, written over ``A``.

    G (N, H_l) is dL/dZ_l, W (H_{l-1}, H_l) the weight between, A (N, H_{l-1}) = relu(Z_{l-1})
    (so ``A > 0`` exactly where ``Z_{l-1} > 0``). After its mask is taken, A is needed neither by
    the forward pass nor by the rest of the backward pass (dW_l = A^T G_l is already computed),
    so the product goes into A's memory: no second N x H_{l-1} array is allocated, and no page of
    a fresh array has to be faulted in. The mask is a boolean array (1 byte an entry).
    """
    mask = A > 0
    G = np.matmul(G, W.T, out=A)  # dL/dA_{l-1}
    G *= mask  # dL/dZ_{l-1}
    return G


def _upstream(G, shape, dtype, name):
    """Validate an upstream gradient: the output's shape, the cache's float dtype (ints converted), finite."""
    G = as_numeric(G, name)
    if G.shape != shape:
        raise ValueError(f"{name} must have the output's shape {shape}; got {G.shape}")
    if G.dtype.kind == "f" and G.dtype != dtype:
        raise ValueError(f"{name} is {G.dtype} but the forward pass ran in {dtype}; cast it explicitly")
    G = to_float(G, dtype)
    check_finite(G, name)
    return G
