"""Inverted dropout as a forward/backward pair: `Y = X * M / (1 - p)` with a random 0/1 mask M.

In training, each entry of X is kept with probability `1 - p` (`M = 1`) and dropped
(`M = 0`) with probability p; the kept entries are scaled by `1 / (1 - p)`, so that
`E[Y] = X` and the net needs no rescaling at test time (where dropout is simply left out).
The mask is drawn from the Generator passed in (`np.random.default_rng(seed)`), never from
global state, and kept in the cache: the backward pass multiplies by the same mask,
`dX = dY * M / (1 - p)`. For a fixed mask the layer is linear in X.

Bad input raises ValueError: a rate outside [0, 1), a `rng` that is not a Generator, a non-finite
X, or an upstream gradient of the wrong shape or dtype.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_finite, check_upstream, float_array, scalar
from ._typing import FloatArray

__all__ = ["DropoutCache", "dropout_backward", "dropout_forward"]


class DropoutCache(NamedTuple):
    """What `dropout_backward` needs from the forward pass: the mask and the rate."""

    mask: FloatArray
    """M, X's shape and dtype: 1.0 where the entry was kept, 0.0 where it was dropped."""
    p: float
    """The drop probability, in [0, 1)."""


def dropout_forward(X: ArrayLike, p: float, rng: np.random.Generator) -> tuple[FloatArray, DropoutCache]:
    """Inverted dropout `Y = X * M / (1 - p)`, the mask M drawn from `rng`.

    `M = rng.random(X.shape) >= p` (drawn in float64 whatever X's dtype, so one seed gives one mask):
    each entry is kept with probability `1 - p`. `p = 0` keeps everything (`Y` equals X) but still
    draws from rng.

    Parameters
    ----------
    X : array_like, any shape (in a layer, (N, H))
    p : float, the drop probability, 0 <= p < 1
    rng : numpy.random.Generator, the source of the mask

    Returns
    -------
    Y : ndarray of X's shape and float dtype
    cache : DropoutCache (mask, p), for `dropout_backward`

    Raises
    ------
    ValueError
        If p is not a real number in [0, 1), rng is not a numpy.random.Generator, or X is not real
        numeric or has a non-finite entry.
    """
    rate = scalar(p, "p")
    if not 0 <= rate < 1:
        raise ValueError(f"p must be a drop probability with 0 <= p < 1; got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}"
        )
    X = float_array(X, "X")
    check_finite(("X",), (X,))
    mask = (rng.random(X.shape) >= rate).astype(X.dtype)
    return X * mask / (1 - rate), DropoutCache(mask, rate)


def dropout_backward(dY: ArrayLike, cache: DropoutCache) -> FloatArray:
    """Backward pass of `dropout_forward`: `dX = dY * M / (1 - p)`, with the forward pass's mask.

    Parameters
    ----------
    dY : array_like of Y's shape (N, H), the upstream gradient dL/dY
    cache : DropoutCache (mask, p) from `dropout_forward`

    Returns
    -------
    dX : ndarray of shape (N, H)

    Raises
    ------
    ValueError
        If dY's shape or dtype differs from Y's, or dY is not finite.
    """
    mask, p = cache
    dY = check_upstream(dY, mask.shape, mask.dtype, "dY")
    return dY * mask / (1 - p)
