"""Data for the notebooks: Fisher's iris (shipped in the package), two rings, a seeded split."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_numeric, positive_int, scalar

__all__ = ["IRIS_CLASSES", "IRIS_FEATURES", "load_iris", "make_rings", "train_test_split"]

IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
"""Names of the 4 columns of the iris X, in order."""

IRIS_CLASSES = ("setosa", "versicolor", "virginica")
"""Species of iris label 0, 1 and 2."""


def load_iris() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Fisher's iris data (1936): 150 flowers, 4 measurements in cm, 3 species of 50.

    Read from `matgrad/data/iris.csv` (provenance in `src/matgrad/data/README.md`). Rows are in
    the file's order: 50 setosa, then 50 versicolor, then 50 virginica.

    Returns
    -------
    X : ndarray of shape (150, 4), float64: sepal length, sepal width, petal length, petal width
        (see `IRIS_FEATURES`); a new array at every call
    y : ndarray of shape (150,), int64 in {0, 1, 2} (names in `IRIS_CLASSES`)
    """
    with files("matgrad").joinpath("data/iris.csv").open("r", encoding="ascii") as fh:
        table = np.loadtxt(fh, delimiter=",", skiprows=1, dtype=np.float64)
    return np.ascontiguousarray(table[:, :4]), table[:, 4].astype(np.int64)


def make_rings(n: int, rng: np.random.Generator, noise: float = 0.1) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Two concentric noisy rings in the plane, labels -1 (inner, radius 1) and +1 (outer, radius 2).

    Angles are uniform; each point's radius is its ring's radius plus `noise` times a standard
    normal draw. The classes are split as evenly as possible (the extra point of an odd n is +1)
    and the rows are shuffled. No straight line separates the rings (every line through the
    middle cuts both), while a small ReLU net separates them easily when noise is small.

    Parameters
    ----------
    n : int >= 2, number of points
    rng : np.random.Generator, the only source of randomness (`np.random.default_rng(seed)`)
    noise : float >= 0, standard deviation of the radial noise (the rings are 1 apart)

    Returns
    -------
    X : ndarray of shape (n, 2), float64
    y : ndarray of shape (n,), int64 with entries -1 and +1

    Raises
    ------
    ValueError
        If n < 2, rng is not a np.random.Generator, or noise is negative or not finite.
    """
    n = positive_int(n, "n", minimum=2)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
    noise = scalar(noise, "noise", minimum=0.0)
    y = np.where(np.arange(n) < n // 2, -1, 1)
    rng.shuffle(y)
    radius = np.where(y < 0, 1.0, 2.0) + noise * rng.standard_normal(n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))
    return X, y.astype(np.int64)


def train_test_split(
    X: ArrayLike, y: ArrayLike, test_fraction: float, rng: np.random.Generator
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Shuffle the rows with `rng` and split them into a training and a test set.

    Parameters
    ----------
    X : array_like of shape (N, D) (any number of dimensions, rows first)
    y : array_like of shape (N,) (or (N, C))
    test_fraction : float in (0, 1); the test set has `round(test_fraction * N)` rows, at least
        one and at most N - 1
    rng : np.random.Generator

    Returns
    -------
    X_train : (N - n_test, D); X_test : (n_test, D); y_train : (N - n_test,); y_test : (n_test,)
    (new arrays; X and y are not modified)

    Raises
    ------
    ValueError
        If X and y have different numbers of rows, test_fraction is not in (0, 1) or leaves an
        empty side, or rng is not a np.random.Generator.
    """
    X, y = as_numeric(X, "X"), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have one row per example; got shapes {X.shape} and {y.shape}")
    test_fraction = scalar(test_fraction, "test_fraction")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
    N = X.shape[0]
    n_test = round(test_fraction * N)
    if not 1 <= n_test <= N - 1:
        raise ValueError(f"test_fraction {test_fraction} of N = {N} rows gives {n_test} test rows; need 1..{N - 1}")
    order = rng.permutation(N)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
