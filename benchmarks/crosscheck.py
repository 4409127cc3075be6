"""Before timing: do jax and torch compute matgrad's loss and gradients on the benchmark's data?"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .cases import Case

# Implementations that compute no gradients (only the products), so there is nothing to compare.
NOT_COMPARED = ("floor", "matgrad", "torch_floor")


def as_numpy(case: Case, result: Any) -> tuple[float | None, list[np.ndarray]]:
    """(loss or None, list of float64 gradient arrays) from any implementation's return value.

    matgrad returns (loss, grads dict) for the two-layer net and (dWi, dbi, dWo, dbo) for the
    logistic net; jax and torch return (loss or None, [gradients]) in the same order.
    """
    if case.net == "two_layer" and isinstance(result[1], Mapping):
        loss, grads = result[0], [result[1][k] for k in ("W1", "b1", "W2", "b2")]
    elif case.net == "logistic" and len(result) == 4:
        loss, grads = None, list(result)
    else:
        loss, grads = result

    def arr(a: Any) -> np.ndarray:
        a = a.detach().numpy() if hasattr(a, "detach") else a
        return np.asarray(a, dtype=np.float64)

    return (None if loss is None else float(arr(loss))), [arr(g) for g in grads]


def cross_check(case: Case, implementations: Mapping[str, Callable[[], Any]]) -> dict[str, float]:
    """Largest relative difference of each autograd implementation's loss and gradients from matgrad's.

    Returns a dict name -> float, each difference relative to the largest entry of matgrad's value,
    the worst over all gradients (and the loss); empty when matgrad is not among ``implementations``.
    Raises AssertionError if a gradient's shape differs from matgrad's.
    """
    if "matgrad" not in implementations:
        return {}
    ref_loss, ref_grads = as_numpy(case, implementations["matgrad"]())
    diffs = {}
    for name, fn in implementations.items():
        if name in NOT_COMPARED:
            continue
        loss, grads = as_numpy(case, fn())
        worst = 0.0
        for g, r in zip(grads, ref_grads, strict=True):
            if g.shape != r.shape:
                raise AssertionError(f"{name} gradient shape {g.shape} differs from matgrad's {r.shape}")
            worst = max(worst, float(np.max(np.abs(g - r))) / max(float(np.max(np.abs(r))), 1e-300))
        if loss is not None and ref_loss is not None:
            worst = max(worst, abs(loss - ref_loss) / max(abs(ref_loss), 1e-300))
        diffs[name] = worst
    return diffs
