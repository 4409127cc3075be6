"""PyTorch autograd on the CPU: the same nets built from ``addmm``, ``relu`` and the same loss."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from ..cases import Data


@functools.cache
def import_torch() -> ModuleType | None:
    """The torch module, or None when it is not installed."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def two_layer(data: Data, torch: ModuleType) -> Callable[[], tuple[Any, Any]]:
    """Mean softmax cross-entropy of ``relu(X W1 + b1) W2 + b2``; returns (loss, [dW1, db1, dW2, db2])."""
    F = torch.nn.functional
    X = torch.from_numpy(data["X"])
    y = torch.from_numpy(data["y"].astype(np.int64))
    params = [torch.from_numpy(data["params"][k].copy()).requires_grad_(True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def run() -> tuple[Any, Any]:
        H = torch.relu(torch.addmm(b1, X, W1))  # addmm, as nn.Linear does
        loss = F.cross_entropy(torch.addmm(b2, H, W2), y)
        return loss, torch.autograd.grad(loss, params)

    return run


def logistic(data: Data, torch: ModuleType) -> Callable[[], tuple[None, Any]]:
    """Summed logistic loss ``sum_n log(1 + exp(-y_n yhat_n))``; returns (None, [dWi, dbi, dWo, dbo])."""
    F = torch.nn.functional
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    dt = X.dtype
    params = [torch.from_numpy(data[k].copy()).requires_grad_(True) for k in ("Wi", "bi", "Wo")]
    params.append(torch.tensor(data["bo"], dtype=dt, requires_grad=True))
    Wi, bi, Wo, bo = params

    def run() -> tuple[None, Any]:
        A = torch.relu(torch.addmm(bi, X, Wi))
        yhat = torch.mv(A, Wo) + bo
        loss = F.softplus(-y * yhat).sum()
        return None, torch.autograd.grad(loss, params)

    return run
