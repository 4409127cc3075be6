"""Scaled dot-product attention and multi-head self-attention, as forward/backward pairs.

Rows are tokens. Queries Q (N, H) attend to keys K (S, H) and values V (S, H_v):

    Sigma = Q K^T / sqrt(H)      (N, S)  the scores
    Pi    = softmax(Sigma)       (N, S)  row by row: the attention weights, each row sums to 1
    O     = Pi V                 (N, H_v)

With `causal=True` (S = N) query i sees keys j <= i only: the scores with j > i are left out of
the softmax (their weights are exactly 0). Self-attention projects one input X (N, D) to
Q = X W_Q, K = X W_K, V = X W_V (each N x H, W_* of shape (D, H)), splits their columns into
n_heads blocks of H / n_heads, runs attention on each block and multiplies the concatenated
outputs by W_O (H, D). The backward passes are the formulas of docs/attention.md.

Bad shapes, mixed float32/float64 and non-finite values raise ValueError (see matgrad._checks).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import (
    as_numeric,
    check_finite,
    check_ndim,
    check_upstream,
    common_float_dtype,
    positive_int,
    to_float,
)
from ._typing import FloatArray

__all__ = [
    "AttentionCache",
    "SelfAttentionCache",
    "attention_backward",
    "attention_forward",
    "self_attention_backward",
    "self_attention_forward",
]


class AttentionCache(NamedTuple):
    """What `attention_backward` needs: the inputs and the attention weights (not copies)."""

    Q: FloatArray
    """The queries, (N, H)."""
    K: FloatArray
    """The keys, (S, H)."""
    V: FloatArray
    """The values, (S, H_v)."""
    Pi: FloatArray
    """The attention weights softmax(Q K^T / sqrt(H)), (N, S); 0 where the causal mask hides a key."""


def _causal_flag(causal: object) -> bool:
    if not isinstance(causal, bool | np.bool_):
        raise ValueError(f"causal must be True or False; got {type(causal).__name__} {causal!r}")
    return bool(causal)


def _row_softmax(Sigma: FloatArray, keep: NDArray[np.bool_] | None) -> FloatArray:
    """Softmax of each row of Sigma over the entries `keep` marks (all when keep is None).

    Stable: the largest kept score of each row is subtracted first, so no exponent is positive.
    Left-out entries get weight exactly 0; a row with nothing kept gets all zeros (never NaN).
    """
    if keep is None:
        Pi: FloatArray = Sigma - Sigma.max(axis=1, keepdims=True)
        np.exp(Pi, out=Pi)
        Pi /= Pi.sum(axis=1, keepdims=True)
        return Pi
    kept_any = keep.any(axis=1, keepdims=True)
    row_max = np.where(keep, Sigma, -np.inf).max(axis=1, keepdims=True, initial=-np.inf)
    row_max = np.where(kept_any, row_max, 0)  # a row with nothing kept: any finite shift will do
    Pi = np.exp(np.where(keep, Sigma - row_max, -np.inf))  # exp(-inf) = 0, no warning
    total = Pi.sum(axis=1, keepdims=True)
    Pi /= np.where(kept_any, total, 1)  # total > 0 on every row that keeps an entry
    return Pi


def attention_forward(
    Q: ArrayLike, K: ArrayLike, V: ArrayLike, causal: bool = False
) -> tuple[FloatArray, AttentionCache]:
    """Scaled dot-product attention `O = softmax(Q K^T / sqrt(H)) V`, the softmax over each row.

    Parameters
    ----------
    Q : array_like of shape (N, H), one query per row
    K : array_like of shape (S, H), one key per row (S >= 1)
    V : array_like of shape (S, H_v), one value per row (the row of the matching key)
    causal : bool, default False; if True (needs S == N), query i attends to keys j <= i only

    Returns
    -------
    O : ndarray of shape (N, H_v), row i the weighted mean of the values with row i of Pi
    cache : AttentionCache, the named tuple (Q, K, V, Pi), for `attention_backward`

    Raises
    ------
    ValueError
        On shape mismatch (K's columns vs Q's, V's rows vs K's), no key (S = 0) or H = 0,
        `causal=True` with S != N, a causal that is not a bool, mixed float32 and float64,
        non-finite entries, or scores that overflow.
    """
    Q, K, V = as_numeric(Q, "Q"), as_numeric(K, "K"), as_numeric(V, "V")
    check_ndim(Q, "Q", (2,), "(N, H)")
    check_ndim(K, "K", (2,), "(S, H)")
    check_ndim(V, "V", (2,), "(S, H_v)")
    if K.shape[1] != Q.shape[1]:
        raise ValueError(f"K has shape {K.shape} but Q has {Q.shape[1]} columns; expected K of shape (S, {Q.shape[1]})")
    if V.shape[0] != K.shape[0]:
        raise ValueError(f"V has shape {V.shape} but K has {K.shape[0]} rows; expected V of shape ({K.shape[0]}, H_v)")
    if K.shape[0] == 0 or Q.shape[1] == 0:
        raise ValueError(f"attention needs at least one key and H >= 1; got K of shape {K.shape}")
    if _causal_flag(causal) and K.shape[0] != Q.shape[0]:
        raise ValueError(
            f"causal=True needs as many keys as queries (S == N); got N = {Q.shape[0]} queries, S = {K.shape[0]} keys"
        )
    dtype = common_float_dtype(("Q", Q), ("K", K), ("V", V))
    Q, K, V = to_float(Q, dtype), to_float(K, dtype), to_float(V, dtype)
    check_finite(("Q", "K", "V"), (Q, K, V))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below, by name
        Sigma = Q @ K.T / math.sqrt(Q.shape[1])  # a Python float keeps float32 float32
    check_finite(("the scores Q K^T / sqrt(H)",), (Sigma,))
    keep = np.tri(Q.shape[0], K.shape[0], dtype=bool) if causal else None  # keep j <= i
    Pi = _row_softmax(Sigma, keep)
    O = Pi @ V
    return O, AttentionCache(Q, K, V, Pi)


def attention_backward(dO: ArrayLike, cache: AttentionCache) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Backward pass of `attention_forward`.

    With the upstream gradient `dO = dL/dO`: `dV = Pi^T dO`, `dPi = dO V^T`, the softmax step
    `dSigma = Pi * (dPi - rowsum(dPi * Pi))`, then `dQ = dSigma K / sqrt(H)` and
    `dK = dSigma^T Q / sqrt(H)`. Masked scores have Pi = 0, so their dSigma is 0 too.

    Parameters
    ----------
    dO : array_like of shape (N, H_v), the upstream gradient
    cache : the AttentionCache (Q, K, V, Pi) returned by `attention_forward`

    Returns
    -------
    dQ : ndarray of shape (N, H)
    dK : ndarray of shape (S, H)
    dV : ndarray of shape (S, H_v)

    Raises
    ------
    ValueError
        If dO's shape is not the shape of O, its dtype differs from the cache's, or it is not finite.
    """
    Q, K, V, Pi = cache
    dO = check_upstream(dO, (Q.shape[0], V.shape[1]), Q.dtype, "dO")
    scale = math.sqrt(Q.shape[1])
    dV = Pi.T @ dO
    dPi = dO @ V.T
    dSigma = Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True))
    dQ = dSigma @ K / scale
    dK = dSigma.T @ Q / scale
    return dQ, dK, dV


class SelfAttentionCache(NamedTuple):
    """What `self_attention_backward` needs from the forward pass (arrays are not copies)."""

    X: FloatArray
    """The input, (N, D)."""
    Wq: FloatArray
    """The query projection, (D, H)."""
    Wk: FloatArray
    """The key projection, (D, H)."""
    Wv: FloatArray
    """The value projection, (D, H)."""
    Wo: FloatArray
    """The output projection, (H, D)."""
    O: FloatArray
    """The heads' outputs side by side, (N, H)."""
    heads: tuple[AttentionCache, ...]
    """One AttentionCache per head, on its block of H / n_heads columns."""


def self_attention_forward(
    X: ArrayLike,
    Wq: ArrayLike,
    Wk: ArrayLike,
    Wv: ArrayLike,
    Wo: ArrayLike,
    n_heads: int = 1,
    causal: bool = False,
) -> tuple[FloatArray, SelfAttentionCache]:
    """Multi-head self-attention `Y = [O_1 ... O_h] W_O` with `O_k = attention(Q_k, K_k, V_k)`.

    `Q = X W_Q`, `K = X W_K`, `V = X W_V` (each N x H); head k takes the columns
    `k * H/h .. (k+1) * H/h - 1` of each (h = n_heads) and scales its scores by `sqrt(H/h)`.

    Parameters
    ----------
    X : array_like of shape (N, D), one token per row
    Wq, Wk, Wv : array_like of shape (D, H), H divisible by n_heads
    Wo : array_like of shape (H, D)
    n_heads : int >= 1, default 1
    causal : bool, default False; if True, token i attends to tokens j <= i only

    Returns
    -------
    Y : ndarray of shape (N, D)
    cache : SelfAttentionCache, for `self_attention_backward`

    Raises
    ------
    ValueError
        On shape mismatch, H not divisible by n_heads, n_heads not an integer >= 1, a causal that is
        not a bool, mixed float32 and float64, or non-finite entries.
    """
    X, Wq, Wk, Wv, Wo = (as_numeric(a, n) for a, n in ((X, "X"), (Wq, "Wq"), (Wk, "Wk"), (Wv, "Wv"), (Wo, "Wo")))
    check_ndim(X, "X", (2,), "(N, D)")
    for W, name in ((Wq, "Wq"), (Wk, "Wk"), (Wv, "Wv")):
        check_ndim(W, name, (2,), "(D, H)")
    check_ndim(Wo, "Wo", (2,), "(H, D)")
    D, H = X.shape[1], Wq.shape[1]
    if Wq.shape[0] != D:
        raise ValueError(f"Wq has shape {Wq.shape} but X has {D} columns; expected Wq of shape ({D}, H)")
    for W, name in ((Wk, "Wk"), (Wv, "Wv")):
        if W.shape != Wq.shape:
            raise ValueError(f"{name} has shape {W.shape}; expected Wq's shape {Wq.shape}")
    if Wo.shape != (H, D):
        raise ValueError(f"Wo has shape {Wo.shape}; expected (H, D) = ({H}, {D})")
    n_heads = positive_int(n_heads, "n_heads")
    if H % n_heads:
        raise ValueError(f"H = {H} columns of Wq must be divisible by n_heads = {n_heads}")
    causal = _causal_flag(causal)
    named = (("X", X), ("Wq", Wq), ("Wk", Wk), ("Wv", Wv), ("Wo", Wo))
    dtype = common_float_dtype(*named)
    X, Wq, Wk, Wv, Wo = (to_float(a, dtype) for _, a in named)
    check_finite(tuple(n for n, _ in named), (X, Wq, Wk, Wv, Wo))
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    width = H // n_heads
    outputs, heads = [], []
    for k in range(n_heads):
        block = slice(k * width, (k + 1) * width)
        O_k, cache_k = attention_forward(Q[:, block], K[:, block], V[:, block], causal)
        outputs.append(O_k)
        heads.append(cache_k)
    O = np.concatenate(outputs, axis=1)
    Y = O @ Wo
    return Y, SelfAttentionCache(X, Wq, Wk, Wv, Wo, O, tuple(heads))


def self_attention_backward(
    dY: ArrayLike, cache: SelfAttentionCache
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Backward pass of `self_attention_forward`.

    `dWo = O^T dY` and `dO = dY Wo^T`; each head's block of dO goes through
    `attention_backward`, giving the blocks of dQ, dK, dV (N x H); then `dWq = X^T dQ`,
    `dWk = X^T dK`, `dWv = X^T dV`, and X, used three times, gets the sum
    `dX = dQ Wq^T + dK Wk^T + dV Wv^T`.

    Parameters
    ----------
    dY : array_like of shape (N, D), the upstream gradient
    cache : the SelfAttentionCache returned by `self_attention_forward`

    Returns
    -------
    dX : ndarray of shape (N, D)
    dWq : ndarray of shape (D, H)
    dWk : ndarray of shape (D, H)
    dWv : ndarray of shape (D, H)
    dWo : ndarray of shape (H, D)

    Raises
    ------
    ValueError
        If dY's shape is not the shape of Y, its dtype differs from the cache's, or it is not finite.
    """
    X, Wq, Wk, Wv, Wo, O, heads = cache
    dY = check_upstream(dY, X.shape, X.dtype, "dY")
    dWo = O.T @ dY
    dO = dY @ Wo.T
    width = Wq.shape[1] // len(heads)
    dQ, dK, dV = np.empty_like(O), np.empty_like(O), np.empty_like(O)
    for k, cache_k in enumerate(heads):
        block = slice(k * width, (k + 1) * width)
        dQ[:, block], dK[:, block], dV[:, block] = attention_backward(dO[:, block], cache_k)
    dX = dQ @ Wq.T + dK @ Wk.T + dV @ Wv.T
    return dX, X.T @ dQ, X.T @ dK, X.T @ dV, dWo
