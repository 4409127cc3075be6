"""Gradient descent: full batch, minibatch SGD and per-example SGD.

The loss functions it descends are `(params, X, y) -> (loss, grads)` callables; the two nets
provide theirs beside them: `matgrad.mlp_loss_and_grads` (in `matgrad.mlp`) and
`matgrad.logistic_net_loss_and_grads` (in `matgrad.logistic_net`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import positive_int, scalar

__all__ = ["train"]


def train(
    loss_and_grads: Callable[
        [dict[str, NDArray[Any]], NDArray[Any], NDArray[Any]], tuple[float, Mapping[str, ArrayLike]]
    ],
    params: Mapping[str, ArrayLike],
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    callback: Callable[[int, dict[str, NDArray[Any]]], object] | None = None,
) -> tuple[dict[str, NDArray[Any]], NDArray[np.float64]]:
    """Minimise `loss_and_grads` by gradient descent; return the trained parameters and loss history.

    Each step is `P <- P - lr * dL/dP` for every parameter P. With `batch_size=None` an epoch
    is one full-batch step; with an int B the rows are shuffled with `rng` at the start of every
    epoch and each consecutive block of B rows (the last one may be smaller) gives one step;
    `batch_size=1` is per-example SGD.

    Parameters
    ----------
    loss_and_grads : callable `(params, X, y) -> (loss, grads)`, grads a dict with params' keys
        and shapes (e.g. `mlp_loss_and_grads` or `logistic_net_loss_and_grads`)
    params : dict of arrays (or numbers), the starting point; NOT modified (copies are trained)
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,) (or (N, C) one-hot), whatever loss_and_grads accepts
    lr : float > 0, learning rate
    epochs : int >= 0
    batch_size : None (full batch) or int in 1..N
    rng : np.random.Generator, required when batch_size is an int (shuffling); unused otherwise
    callback : None or callable `(epoch, params)`, called after every epoch (epoch from 0); it may
        read params but must not modify them

    Returns
    -------
    params : dict with the same keys, the trained values (new arrays)
    history : ndarray of shape (epochs,), the loss on the full training set after each epoch

    Raises
    ------
    ValueError
        For a non-positive lr, a negative epochs, a batch_size outside 1..N, a missing rng with a
        batch_size, X and y of different lengths, or grads whose keys or shapes differ from params.
        Errors of loss_and_grads propagate (the nets raise ValueError once a parameter is no longer
        finite, i.e. when training diverges).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    lr = scalar(lr, "lr")
    if lr <= 0:
        raise ValueError(f"lr must be positive; got {lr!r}")
    epochs = positive_int(epochs, "epochs", minimum=0)
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have one row per example; got shapes {X.shape} and {y.shape}")
    N = X.shape[0]
    if batch_size is not None:
        batch_size = positive_int(batch_size, "batch_size")
        if batch_size > N:
            raise ValueError(f"batch_size must be at most N = {N}; got {batch_size}")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                f"minibatch SGD shuffles the rows: pass rng=np.random.default_rng(seed); got {type(rng).__name__}"
            )

    trained: dict[str, NDArray[Any]] = {k: np.array(v, copy=True) for k, v in params.items()}  # the caller's dict stays
    history = np.empty(epochs)

    def descend(grads: Mapping[str, Any]) -> None:
        _check_grads(grads, trained)
        for k, P in trained.items():
            P -= lr * grads[k]

    if batch_size is None and epochs > 0:
        # Full batch: the evaluation that records the loss after epoch e also gives epoch e+1's step.
        _, grads = loss_and_grads(trained, X, y)
    for epoch in range(epochs):
        if batch_size is None:
            descend(grads)
            history[epoch], grads = loss_and_grads(trained, X, y)
        else:
            order = cast(np.random.Generator, rng).permutation(N)
            for start in range(0, N, batch_size):
                rows = order[start : start + batch_size]
                descend(loss_and_grads(trained, X[rows], y[rows])[1])
            history[epoch] = loss_and_grads(trained, X, y)[0]
        if callback is not None:
            callback(epoch, trained)
    return trained, history


def _check_grads(grads: object, trained: Mapping[str, NDArray[Any]]) -> None:
    if not isinstance(grads, Mapping) or set(grads) != set(trained):
        got = list(grads) if isinstance(grads, Mapping) else type(grads).__name__
        raise ValueError(f"loss_and_grads must return grads with the keys {list(trained)}; got {got}")
    for k, P in trained.items():
        if np.shape(grads[k]) != P.shape:
            raise ValueError(f"grads[{k!r}] has shape {np.shape(grads[k])} but {k} has shape {P.shape}")
