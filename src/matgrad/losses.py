"""Losses, each returning the loss and its gradient with respect to its first argument.

- softmax cross-entropy: the MEAN over the N rows, labels in {0, ..., C-1};
- logistic loss: the SUM over examples, labels in {-1, +1} (as in the single-example net);
- mean squared error: the MEAN over the N rows of the squared row norms, `(1/N) sum_n ||yhat_n - y_n||^2`
  (no 1/2, not a mean over entries), gradient `2 (Yhat - Y) / N`;
- L2 penalty: `reg * sum ||W||_F^2` over the weights, gradient `2 reg W`. The other common
  convention `(reg'/2) ||W||^2` (gradient `reg' W`) is the same at `reg' = 2 reg`.

Types in the signatures: `ArrayLike` (anything `np.asarray` accepts) in, `FloatArray`
(`NDArray[np.floating]`: float32 or float64, the inputs' dtype) out.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_numeric,
    check_finite,
    check_ndim,
    class_labels,
    common_float_dtype,
    float_array,
    scalar,
    sign_labels,
    to_float,
)
from ._typing import FloatArray
from .activations import log_softmax, sigmoid

__all__ = ["l2_penalty", "logistic_loss", "mse_loss", "softmax_cross_entropy"]


def softmax_cross_entropy(Z: ArrayLike, y: ArrayLike) -> tuple[float, FloatArray]:
    """Mean softmax cross-entropy of the logits `Z` and its gradient.

    `L = -(1/N) sum_i log P[i, y_i]` with `P = softmax(Z)` row-wise, and
    `dZ = dL/dZ = (P - Y) / N` where Y is the one-hot matrix of y. The log-probabilities are
    `matgrad.log_softmax` of Z (`Z_i - logsumexp(Z_i)` after subtracting each row's
    maximum), so logits of +-1e4 give a finite loss and gradient without any overflow warning.

    Parameters
    ----------
    Z : array_like of shape (N, C), the logits (scores), N >= 1
    y : array_like of shape (N,) with integer labels in {0, ..., C-1},
        or one-hot of shape (N, C) (entries 0/1, exactly one 1 per row)

    Returns
    -------
    loss : float
    dZ : ndarray of shape (N, C), Z's float dtype (float32 stays float32; integer Z -> float64)

    Raises
    ------
    ValueError
        If Z is not 2-D with N >= 1 and C >= 1, or not finite; if y has the wrong length, a
        non-integer dtype (1-D form), a label < 0 or >= C, or is 2-D but not one-hot.
    """
    Z = float_array(Z, "Z")
    check_ndim(Z, "Z", (2,), "(N, C)")
    if Z.shape[0] == 0 or Z.shape[1] == 0:
        raise ValueError(f"Z must have shape (N, C) with N >= 1 and C >= 1; got {Z.shape}")
    check_finite(("Z",), (Z,))
    labels = class_labels(y, Z.shape[0], Z.shape[1])
    N = Z.shape[0]
    rows = np.arange(N)
    log_P = log_softmax(Z)  # (N, C)
    loss = -float(np.mean(log_P[rows, labels]))  # -(1/N) sum_i log P[i, y_i]
    Y = np.zeros_like(log_P)
    Y[rows, labels] = 1  # one-hot, (N, C)
    dZ = (np.exp(log_P) - Y) / N  # (P - Y) / N
    return loss, dZ


def logistic_loss(yhat: ArrayLike, y: ArrayLike) -> tuple[float, float | FloatArray]:
    """Summed logistic loss `L = sum_n log(1 + exp(-y_n yhat_n))` and its gradient.

    The loss is computed as `logaddexp(0, -y yhat)`, which never overflows (a margin of -1e4
    gives 1e4, not inf), and the gradient `dL/dyhat = -y sigmoid(-y yhat)` uses the stable
    sigmoid. It is a SUM, not a mean: the gradient of n examples is the sum of n per-example ones.

    Parameters
    ----------
    yhat : float or array_like of shape (N,), the net's real-valued outputs
    y : labels of yhat's shape, every entry -1 or +1 (integer or float dtype; booleans are rejected)

    Returns
    -------
    loss : float
    dyhat : float for scalar yhat, else ndarray of shape (N,) in yhat's float dtype

    Raises
    ------
    ValueError
        If yhat is not a scalar or 1-D, is not finite, or y has another shape or a value other
        than -1/+1.
    """
    yhat = float_array(yhat, "yhat")
    check_ndim(yhat, "yhat", (0, 1), "() or (N,)")
    check_finite(("yhat",), (yhat,))
    labels = sign_labels(y, yhat.shape, yhat.dtype)
    neg_margin = -labels * yhat  # -y_n yhat_n, (N,)
    loss = float(np.sum(np.logaddexp(0, neg_margin)))  # log(1 + exp(-y yhat)), summed
    dyhat = -labels * sigmoid(neg_margin)
    return loss, (float(dyhat) if dyhat.ndim == 0 else dyhat)


def l2_penalty(params: Mapping[str, ArrayLike], reg: float) -> tuple[float, dict[str, FloatArray]]:
    """L2 weight penalty `reg * sum_l ||W_l||_F^2` over the weight entries of `params`.

    Weight entries are those whose key starts with `"W"` (W1, W2, ..., Wi, Wo); biases are not
    penalised. Gradient: `2 reg W` for each weight. (With the `(reg'/2) ||W||^2` convention the
    same penalty is obtained at `reg' = 2 reg`.)

    Parameters
    ----------
    params : mapping of names to arrays, e.g. W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    reg : float >= 0, the coefficient lambda

    Returns
    -------
    penalty : float
    grads : dict with one entry per weight key, `2 reg W` of W's shape and dtype (bias keys absent)

    Raises
    ------
    ValueError
        If params is not a mapping or has no weight key, reg is negative or not finite, or a
        weight is non-numeric or not finite.
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    reg = scalar(reg, "reg", minimum=0.0)
    weights = {k: float_array(v, k) for k, v in params.items() if isinstance(k, str) and k.startswith("W")}
    if not weights:
        raise ValueError(f"params has no weight entry (a key starting with 'W'); got keys {list(params)}")
    check_finite(list(weights), list(weights.values()))
    penalty = reg * sum(float(np.sum(W * W)) for W in weights.values())  # reg sum_l ||W_l||_F^2
    return penalty, {k: (2 * reg) * W for k, W in weights.items()}


def mse_loss(Yhat: ArrayLike, Y: ArrayLike) -> tuple[float, FloatArray]:
    """Mean squared error over the examples, `L = (1/N) sum_n ||yhat_n - y_n||^2`, and its gradient.

    With the residual `R = Yhat - Y` (N, C): `L = ||R||_F^2 / N` and `dYhat = 2 R / N`. A mean
    over the N rows (like softmax cross-entropy), a sum over the C outputs of each row, and no 1/2:
    the `(1/2N) ||R||_F^2` convention has gradient `R / N`, the per-entry mean
    `||R||_F^2 / (N C)` has `2 R / (N C)`.

    Parameters
    ----------
    Yhat : array_like of shape (N, C), the predictions, N >= 1 and C >= 1
    Y : array_like of shape (N, C), the real-valued targets (exactly Yhat's shape: no broadcasting)

    Returns
    -------
    loss : float
    dYhat : ndarray of shape (N, C), Yhat's float dtype (float32 stays float32; integers -> float64)

    Raises
    ------
    ValueError
        If Yhat is not 2-D with N, C >= 1, Y has another shape, float32 and float64 are mixed, or an
        entry is not finite.
    """
    Yhat, Y = as_numeric(Yhat, "Yhat"), as_numeric(Y, "Y")
    check_ndim(Yhat, "Yhat", (2,), "(N, C) (one column: Yhat.reshape(-1, 1))")
    if Yhat.shape[0] == 0 or Yhat.shape[1] == 0:
        raise ValueError(f"Yhat must have shape (N, C) with N >= 1 and C >= 1; got {Yhat.shape}")
    if Y.shape != Yhat.shape:
        raise ValueError(f"Y must have Yhat's shape {Yhat.shape} (no broadcasting); got shape {Y.shape}")
    dtype = common_float_dtype(("Yhat", Yhat), ("Y", Y))
    Yhat, Y = to_float(Yhat, dtype), to_float(Y, dtype)
    check_finite(("Yhat", "Y"), (Yhat, Y))
    N = Yhat.shape[0]
    R = Yhat - Y  # residuals, (N, C)
    loss = float(np.sum(R * R)) / N  # (1/N) ||R||_F^2
    dYhat: FloatArray = (2 / N) * R
    return loss, dYhat
