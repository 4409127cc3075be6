"""The benchmark cases (a net, its sizes, a dtype) and the arrays every implementation receives."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DTYPES = ("float64", "float32")
NETS = {"two_layer": ("N", "D", "H", "C"), "logistic": ("N", "D", "H")}
TWO_LAYER_SHAPES = ((90, 4, 6, 3), (64, 784, 256, 10), (1024, 784, 256, 10), (8192, 784, 512, 10))
LOGISTIC_SHAPES = ((100, 2, 100), (10000, 2, 100), (100, 2, 1000), (10000, 2, 1000))

# The arrays of one case, keyed by their names in the maths (see make_data).
Data = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One benchmark case: a net, its sizes and a dtype.

    ``net`` is ``"two_layer"`` with ``shape = (N, D, H, C)`` or ``"logistic"`` with
    ``shape = (N, D, H)``; ``dtype`` is ``"float64"`` or ``"float32"``.

    Raises ValueError for another net or dtype, or sizes that are not that net's positive sizes.
    """

    net: str
    shape: tuple[int, ...]
    dtype: str

    def __post_init__(self) -> None:
        if self.net not in NETS:
            raise ValueError(f"net must be 'two_layer' or 'logistic'; got {self.net!r}")
        n = len(NETS[self.net])
        if len(self.shape) != n or any(int(s) < 1 for s in self.shape):
            raise ValueError(f"a {self.net} case needs {n} positive sizes; got {self.shape}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be float64 or float32; got {self.dtype!r}")

    @property
    def symbols(self) -> tuple[str, ...]:
        """The names of the sizes: ``("N", "D", "H", "C")`` or ``("N", "D", "H")``."""
        return NETS[self.net]

    @property
    def name(self) -> str:
        """E.g. ``two_layer N=1024 D=784 H=256 C=10`` (the record's ``case``)."""
        return f"{self.net} " + " ".join(f"{s}={n}" for s, n in zip(self.symbols, self.shape, strict=True))


DEFAULT_CASES = tuple(
    [Case("two_layer", s, dt) for s in TWO_LAYER_SHAPES for dt in DTYPES]
    + [Case("logistic", s, dt) for s in LOGISTIC_SHAPES for dt in DTYPES]
)


def make_data(case: Case, seed: int = 0) -> Data:
    """The arrays every implementation of ``case`` receives (NumPy, in the case's dtype).

    Two-layer: X (N, D) standard normal, integer labels y (N,), and ``params`` with W1 (D, H) and
    W2 (H, C) with He scaling and small random biases b1 (H,), b2 (C,). Logistic: X (N, D), labels
    y (N,) in {-1, +1} in the dtype, Wi (D, H), bi (H,), Wo (H,) and a float bo.
    """
    rng = np.random.default_rng(seed)
    dt = np.dtype(case.dtype)

    def normal(shape: int | tuple[int, ...], std: float = 1.0) -> np.ndarray:
        return (std * rng.standard_normal(shape)).astype(dt)

    if case.net == "two_layer":
        N, D, H, C = case.shape
        return {
            "X": normal((N, D)),
            "y": rng.integers(0, C, size=N),
            "params": {
                "W1": normal((D, H), math.sqrt(2 / D)),
                "b1": normal(H, 0.1),
                "W2": normal((H, C), math.sqrt(2 / H)),
                "b2": normal(C, 0.1),
            },
        }
    N, D, H = case.shape
    return {
        "X": normal((N, D)),
        "y": rng.choice(np.array([-1.0, 1.0], dtype=dt), size=N),
        "Wi": normal((D, H)),
        "bi": normal(H, 0.5),
        "Wo": normal(H, math.sqrt(2 / H)),
        "bo": float(rng.standard_normal() * 0.1),
    }
