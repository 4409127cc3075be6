"""The M-layer perceptron: ReLU hidden layers, softmax cross-entropy output, L2 weight penalty.

Forward, for l = 1, ..., M with `A_0 = X`:

    Z_l = A_{l-1} W_l + 1 b_l^T        A_l = relu(Z_l)  (l < M)        scores = Z_M

    loss = mean_i( -log softmax(Z_L)[i, y_i] ) + reg * sum_l ||W_l||_F^2

Backward, with `dZ_M = dL/dZ_M = (P - Y) / N` (G_M on the pages) and for l = M, ..., 1:

    dW_l = A_{l-1}^T dZ_l + 2 reg W_l        db_l = dZ_l^T 1
    dZ_{l-1} = (dZ_l W_l^T) * 1[A_{l-1} > 0]

Shapes: X (N, D); W_l (H_{l-1}, H_l) with H_0 = D and H_M = C; b_l (H_l,); every gradient has
the shape of its parameter. The two-layer net is the case M = 2.

The inputs are validated once per call; the passes then run the kernels of `matgrad.kernels`
(the same numbers as the layers of `matgrad.layers` and the losses of `matgrad.losses`,
composed, to rounding).

Types in the signatures: `ArrayLike` (anything `np.asarray` accepts) in, `FloatArray`
(`NDArray[np.floating]`: float32 or float64, the inputs' dtype) out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import kernels
from ._checks import (
    as_numeric,
    check_finite,
    check_ndim,
    class_labels,
    common_float_dtype,
    positive_int,
    scalar,
    to_float,
)
from ._typing import FloatArray

__all__ = ["init_mlp", "mlp_forward_backward", "mlp_loss_and_grads", "two_layer_forward_backward"]

Grads = dict[str, FloatArray]
"""Gradients keyed like the parameters (`dW_l` under `"W{l}"`), each of its parameter's shape."""

LossAndGrads = Callable[[Mapping[str, ArrayLike], ArrayLike, ArrayLike], tuple[float, Grads]]
"""A `(params, X, y) -> (loss, grads)` function, as `matgrad.train` takes."""


def init_mlp(sizes: Iterable[int], rng: np.random.Generator, scale: float | None = None) -> dict[str, FloatArray]:
    """Random parameters for an MLP with layer widths `sizes = (D, H_1, ..., H_{M-1}, C)`.

    Parameters
    ----------
    sizes : sequence of M + 1 >= 2 positive ints
    rng : np.random.Generator (e.g. `np.random.default_rng(0)`)
    scale : float or None
        Standard deviation of every weight entry. None (default) uses He initialisation,
        `sqrt(2 / H_{l-1})` for layer l, which keeps ReLU activations of a similar size.

    Returns
    -------
    params : dict with keys W1, b1, ..., WM, bM (in that order); `W_l` of shape
        (sizes[l-1], sizes[l]) with normal entries, `b_l` of shape (sizes[l],) zeros; float64.

    Raises
    ------
    ValueError
        If sizes has fewer than 2 entries or a non-positive one, rng is not a Generator, or scale
        is negative or not finite.
    """
    widths = list(sizes)
    if len(widths) < 2:
        raise ValueError(f"sizes must list at least the input and output widths (D, ..., C); got {widths}")
    widths = [positive_int(s, f"sizes[{i}]") for i, s in enumerate(widths)]
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
    std_fixed = None if scale is None else scalar(scale, "scale", minimum=0.0)
    params: dict[str, FloatArray] = {}
    for l in range(1, len(widths)):
        fan_in, fan_out = widths[l - 1], widths[l]
        std = np.sqrt(2.0 / fan_in) if std_fixed is None else std_fixed
        params[f"W{l}"] = std * rng.standard_normal((fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


@overload
def mlp_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: None = None, reg: float = 0.0
) -> FloatArray: ...
@overload
def mlp_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike, reg: float = 0.0
) -> tuple[float, Grads]: ...
def mlp_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike | None = None, reg: float = 0.0
) -> FloatArray | tuple[float, Grads]:
    """Scores, or loss and gradients, of the M-layer ReLU perceptron with softmax cross-entropy.

    Parameters
    ----------
    params : dict with exactly the keys W1, b1, ..., WM, bM (M >= 1):
        `W_l` (H_{l-1}, H_l), `b_l` (H_l,), with H_0 = D and H_M = C. Never modified or copied
        (float32 parameters are used as float32).
    X : array_like of shape (N, D), N >= 1; integer X is computed in float64
    y : None, or labels: integers of shape (N,) in {0, ..., C-1}, or one-hot of shape (N, C)
    reg : float >= 0, lambda in `reg * sum_l ||W_l||_F^2`

    Returns
    -------
    scores : ndarray of shape (N, C), if y is None (the logits Z_L; no softmax applied)
    (loss, grads) : otherwise; loss a float (mean cross-entropy + penalty), grads a dict with the
        keys of params (same order), each gradient of its parameter's shape and dtype.

    Raises
    ------
    ValueError
        If params has missing or extra keys or inconsistent shapes, X's columns differ from W1's
        rows, float32 and float64 are mixed, X or a parameter is not finite, y is invalid
        (see `matgrad.softmax_cross_entropy`), or reg is negative or not finite.
    """
    return _forward_backward(params, X, y, reg)


@overload
def two_layer_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: None = None, reg: float = 0.0
) -> FloatArray: ...
@overload
def two_layer_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike, reg: float = 0.0
) -> tuple[float, Grads]: ...
def two_layer_forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike | None = None, reg: float = 0.0
) -> FloatArray | tuple[float, Grads]:
    """The two-layer net `softmax(relu(X W1 + b1) W2 + b2)`: `mlp_forward_backward` with M = 2.

    Parameters
    ----------
    params : dict with exactly the keys W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    X : array_like of shape (N, D)
    y : None, or labels of shape (N,) in {0, ..., C-1} (or one-hot (N, C))
    reg : float >= 0, lambda in `reg * (||W1||_F^2 + ||W2||_F^2)` (gradient 2 reg W)

    Returns
    -------
    scores of shape (N, C) if y is None, else (loss, grads) with grads keyed W1, b1, W2, b2.

    Raises
    ------
    ValueError
        If the keys are not exactly W1, b1, W2, b2, or as `mlp_forward_backward`.
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    if params.keys() != _layer_keys(2)[1]:
        _check_keys(params, 2)
    return _forward_backward(params, X, y, reg, n_layers=2)


def mlp_loss_and_grads(reg: float = 0.0) -> LossAndGrads:
    """A `matgrad.train`-ready `loss_and_grads` for `mlp_forward_backward` at penalty `reg`.

    Parameters
    ----------
    reg : float >= 0, lambda in `reg * sum_l ||W_l||_F^2`

    Returns
    -------
    callable `(params, X, y) -> (loss, grads)`, params with keys W1, b1, ..., WM, bM,
    X (N, D), y (N,) integer labels.

    Raises
    ------
    ValueError
        If reg is negative or not finite.
    """
    reg = scalar(reg, "reg", minimum=0.0)

    def loss_and_grads(params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike) -> tuple[float, Grads]:
        return mlp_forward_backward(params, X, y, reg)

    return loss_and_grads


def _forward_backward(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike | None, reg: float, n_layers: int | None = None
) -> FloatArray | tuple[float, Grads]:
    """`mlp_forward_backward`, for `n_layers` layers when the caller has checked the keys.

    The work is the derivation's and nothing more: one N x H_l array per hidden layer, which holds
    Z_l, then A_l (ReLU in place), and on the way back dZ_l (see `matgrad.kernels.relu_backward_into`).
    """
    keys, Ws, bs, X = _validated(params, X, n_layers)
    reg = scalar(reg, "reg", minimum=0.0)
    labels = None if y is None else class_labels(y, X.shape[0], Ws[-1].shape[1])
    M = len(Ws)

    # Forward. A[l] holds A_l (A_0 = X); Z_l is computed in place and becomes A_l.
    A = [X]
    for W, b in zip(Ws[:-1], bs[:-1], strict=True):
        A.append(kernels.add_bias_relu(A[-1].dot(W), b))
    scores: FloatArray = A[-1].dot(Ws[-1])
    scores += bs[-1]
    if labels is None:
        return scores

    loss, dZ = kernels.softmax_cross_entropy_into(scores, labels)  # dZ_M = (P - Y) / N, over scores
    if reg:
        loss += reg * sum(kernels.squared_norm(W) for W in Ws)

    # Backward: dZ holds dL/dZ_l on entering step l.
    grads: dict[str, Any] = dict.fromkeys(params)  # filled below, in params' order
    ones_N = kernels.ones(X.shape[0], X.dtype)
    for l in range(M, 0, -1):
        W, A_prev = Ws[l - 1], A[l - 1]
        dW = A_prev.T.dot(dZ)
        if reg:
            dW += (2 * reg) * W
        grads[keys[2 * l - 2]] = dW
        grads[keys[2 * l - 1]] = kernels.column_sums(dZ, ones_N)  # db_l = dZ_l^T 1
        if l > 1:
            dZ = kernels.relu_backward_into(dZ, W, A_prev)  # dZ_{l-1} = (dZ_l W_l^T) * 1[A_{l-1} > 0]
    return loss, grads


_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")


@functools.cache
def _layer_keys(M: int) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """The parameter names W1, b1, ..., WM, bM of an M-layer net: in order, as a set, and after "X"."""
    names = tuple(f"{p}{l}" for l in range(1, M + 1) for p in "Wb")
    return names, frozenset(names), ("X", *names)


def _check_keys(params: Mapping[str, Any], M: int) -> None:
    expected = _layer_keys(M)[0]
    missing = [k for k in expected if k not in params]
    extra = [k for k in params if k not in expected]
    if missing or extra:
        raise ValueError(
            f"params must have exactly the keys {', '.join(expected)}; "
            f"missing {missing or 'none'}, unexpected {extra or 'none'}"
        )


def _n_layers(params: Mapping[str, Any]) -> int:
    """M for params with exactly the keys W1, b1, ..., WM, bM; ValueError naming what is missing or extra."""
    M = len(params) // 2
    if M and params.keys() == _layer_keys(M)[1]:
        return M  # the common case: one set comparison
    layers = [int(m.group(2)) for k in params if isinstance(k, str) and (m := _KEY.match(k))]
    if not layers:
        raise ValueError(f"params must have keys W1, b1, ..., WM, bM; got {list(params)}")
    M = max(layers)
    _check_keys(params, M)
    return M


def _validated(
    params: Mapping[str, ArrayLike], X_in: ArrayLike, n_layers: int | None = None
) -> tuple[tuple[str, ...], list[FloatArray], list[FloatArray], FloatArray]:
    """Check params and X; return the key names, the lists [W1..WL], [b1..bL] and X, in one float dtype.

    `n_layers` is M when the caller has already checked that the keys are W1, b1, ..., WM, bM.
    Each array is looked at once: its dtype and shape (O(1)), then one finiteness pass for all.
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    M = _n_layers(params) if n_layers is None else n_layers
    keys, _, names = _layer_keys(M)
    arrays: list[NDArray[Any]] = [as_numeric(params[k], k) for k in keys]
    X = as_numeric(X_in, "X")
    check_ndim(X, "X", (2,), "(N, D)")
    if X.shape[0] == 0:
        raise ValueError(f"X must have at least one row; got shape {X.shape}")
    width = X.shape[1]
    for l in range(1, M + 1):
        W, b = arrays[2 * l - 2], arrays[2 * l - 1]
        if W.ndim != 2:
            check_ndim(W, f"W{l}", (2,), f"({width}, H{l})")
        if b.ndim != 1:
            check_ndim(b, f"b{l}", (1,), f"(H{l},) = ({W.shape[1]},)")
        if W.shape[0] != width:
            below = "X" if l == 1 else f"W{l - 1}"
            raise ValueError(
                f"W{l} has shape {W.shape} but {below} has {width} columns; expected W{l} of shape ({width}, H{l})"
            )
        if b.shape[0] != W.shape[1]:
            raise ValueError(f"b{l} has shape {b.shape} but W{l} has shape {W.shape}; expected ({W.shape[1]},)")
        width = W.shape[1]
    dtype = X.dtype
    if dtype.kind != "f" or not all(a.dtype is dtype for a in arrays):  # else: nothing to convert
        dtype = common_float_dtype(("X", X), *zip(keys, arrays, strict=True))
        X = to_float(X, dtype)
        arrays = [to_float(a, dtype) for a in arrays]
    check_finite(names, [X, *arrays])
    return keys, arrays[0::2], arrays[1::2], X
