"""Type aliases used in the signatures of matgrad (private module; the aliases are public names).

Inputs are annotated `numpy.typing.ArrayLike` (anything `np.asarray` accepts); every array
matgrad returns is a `FloatArray`, float32 or float64 (the dtype of the inputs, see
`matgrad._checks`).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

FloatArray: TypeAlias = NDArray[np.floating[Any]]
"""A float32 or float64 ndarray (the shape is given in each docstring)."""

IntArray: TypeAlias = NDArray[np.integer[Any]]
"""An integer ndarray, e.g. class labels of shape (N,)."""
