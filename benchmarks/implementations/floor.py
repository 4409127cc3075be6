"""The floor: only the five matrix products that forward + backward must do, into preallocated outputs.

Two-layer net: ``X W1``, ``H W2``, ``H^T G2``, ``G2 W2^T``, ``X^T G1``; the logistic net: the same
five with C = 1, where ``g Wo^T`` is an outer product. No real implementation does less, so an
implementation's time over the floor's is the cost of everything else. The stand-ins for H, G2 and
G1 are finite arrays of the right shapes (H is ``relu(X W1)``; G2 random), so the products run on
ordinary numbers. ``torch_*`` are the same five products with ``torch.mm`` (torch's BLAS is MKL,
NumPy's OpenBLAS): torch's own floor.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np

from ..cases import Data


def two_layer(data: Data) -> Callable[[], None]:
    """The five products of the two-layer net with NumPy: X (N, D), W1 (D, H), W2 (H, C)."""
    X, p = data["X"], data["params"]
    W1, W2 = p["W1"], p["W2"]
    (N, D), (H, C) = X.shape, W2.shape
    dt = X.dtype
    rng = np.random.default_rng(1)
    Z1 = np.empty((N, H), dt)  # X W1, and it serves as H (finite, same shape)
    Z2 = np.empty((N, C), dt)  # H W2
    G2 = (rng.standard_normal((N, C)) / N).astype(dt)  # stands for (P - Y) / N
    dW2 = np.empty((H, C), dt)
    G1 = np.empty((N, H), dt)  # G2 W2^T, and it serves as G1
    dW1 = np.empty((D, H), dt)
    np.matmul(X, W1, out=Z1)
    np.maximum(Z1, 0, out=Z1)

    def run() -> None:
        np.matmul(X, W1, out=Z1)
        np.matmul(Z1, W2, out=Z2)
        np.matmul(Z1.T, G2, out=dW2)
        np.matmul(G2, W2.T, out=G1)
        np.matmul(X.T, G1, out=dW1)

    return run


def logistic(data: Data) -> Callable[[], None]:
    """The five products of the logistic net with NumPy: X (N, D), Wi (D, H), Wo (H,)."""
    X, Wi, Wo = data["X"], data["Wi"], data["Wo"]
    (N, D), H = X.shape, Wi.shape[1]
    dt = X.dtype
    rng = np.random.default_rng(1)
    Z = np.empty((N, H), dt)  # X Wi, serves as A = relu(Z)
    yhat = np.empty(N, dt)  # A Wo
    g = rng.standard_normal(N).astype(dt)  # stands for dL/dyhat
    dWo = np.empty(H, dt)  # A^T g
    G1 = np.empty((N, H), dt)  # g Wo^T (an outer product: C = 1), serves as G1
    dWi = np.empty((D, H), dt)  # X^T G1
    np.matmul(X, Wi, out=Z)
    np.maximum(Z, 0, out=Z)

    def run() -> None:
        np.matmul(X, Wi, out=Z)
        np.matmul(Z, Wo, out=yhat)
        np.matmul(Z.T, g, out=dWo)
        np.einsum("n,j->nj", g, Wo, out=G1)  # faster here than np.outer or a matmul with K = 1
        np.matmul(X.T, G1, out=dWi)

    return run


def torch_two_layer(data: Data, torch: ModuleType) -> Callable[[], None]:
    """The two-layer floor with ``torch.mm`` (MKL), into preallocated tensors."""
    X, W1, W2 = (torch.from_numpy(a) for a in (data["X"], data["params"]["W1"], data["params"]["W2"]))
    (N, D), (H, C) = X.shape, W2.shape
    gen = torch.Generator().manual_seed(1)
    Z1, G1 = torch.empty((N, H), dtype=X.dtype), torch.empty((N, H), dtype=X.dtype)
    Z2, dW2, dW1 = (
        torch.empty((N, C), dtype=X.dtype),
        torch.empty((H, C), dtype=X.dtype),
        torch.empty((D, H), dtype=X.dtype),
    )
    G2 = torch.randn((N, C), generator=gen, dtype=X.dtype) / N
    torch.mm(X, W1, out=Z1).clamp_(min=0)

    def run() -> None:
        torch.mm(X, W1, out=Z1)
        torch.mm(Z1, W2, out=Z2)
        torch.mm(Z1.t(), G2, out=dW2)
        torch.mm(G2, W2.t(), out=G1)
        torch.mm(X.t(), G1, out=dW1)

    return run


def torch_logistic(data: Data, torch: ModuleType) -> Callable[[], None]:
    """The logistic floor with torch (``mm``, ``mv``, ``outer``), into preallocated tensors."""
    X, Wi, Wo = (torch.from_numpy(a) for a in (data["X"], data["Wi"], data["Wo"]))
    (N, D), H = X.shape, Wi.shape[1]
    gen = torch.Generator().manual_seed(1)
    Z, G1 = torch.empty((N, H), dtype=X.dtype), torch.empty((N, H), dtype=X.dtype)
    yhat, dWo, dWi = torch.empty(N, dtype=X.dtype), torch.empty(H, dtype=X.dtype), torch.empty((D, H), dtype=X.dtype)
    g = torch.randn(N, generator=gen, dtype=X.dtype)
    torch.mm(X, Wi, out=Z).clamp_(min=0)

    def run() -> None:
        torch.mm(X, Wi, out=Z)
        torch.mv(Z, Wo, out=yhat)
        torch.mv(Z.t(), g, out=dWo)
        torch.outer(g, Wo, out=G1)
        torch.mm(X.t(), G1, out=dWi)

    return run
