"""matgrad timed as a user calls it: its public functions, input checks included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matgrad

from ..cases import Data


def two_layer(data: Data) -> Callable[[], Any]:
    """``two_layer_forward_backward(params, X, y)``: returns (loss, grads keyed W1, b1, W2, b2)."""
    params, X, y = data["params"], data["X"], data["y"]
    f: Callable[..., Any] = matgrad.two_layer_forward_backward

    def run() -> Any:
        return f(params, X, y)

    return run


def logistic(data: Data) -> Callable[[], Any]:
    """``logistic_net_gradient(X, y, Wi, bi, Wo, bo)``: returns (dWi, dbi, dWo, dbo)."""
    X, y, Wi, bi, Wo, bo = (data[k] for k in ("X", "y", "Wi", "bi", "Wo", "bo"))
    f: Callable[..., Any] = matgrad.logistic_net_gradient

    def run() -> Any:
        return f(X, y, Wi, bi, Wo, bo)

    return run
