"""Tests specific to matgrad.dropout (inverted dropout).

The generic layer tests (tests/unit/test_registry.py) run dropout through its registry entry, whose
settings hand every forward call a Generator seeded afresh, so that finite differences see one
fixed mask; here are the closed forms, the statistics of the mask and every rejected input.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad
from matgrad import registry

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)
rates = st.sampled_from([0.0, 0.1, 0.5, 0.9])


@given(n=sizes, h=sizes, p=rates, seed=seeds)
def test_forward_and_backward_closed_forms(n, h, p, seed):
    X, G = np.random.default_rng(seed).standard_normal((2, n, h))
    Y, cache = matgrad.dropout_forward(X, p, np.random.default_rng(seed + 1))
    M = (np.random.default_rng(seed + 1).random((n, h)) >= p).astype(float)  # the documented draw
    assert Y.shape == cache.mask.shape == X.shape
    np.testing.assert_array_equal(cache.mask, M)
    assert cache.p == p
    np.testing.assert_allclose(Y, X * M / (1 - p), rtol=1e-15, atol=0)
    assert np.all(Y[M == 0] == 0)
    dX = matgrad.dropout_backward(G, cache)
    assert dX.shape == X.shape
    np.testing.assert_allclose(dX, G * M / (1 - p), rtol=1e-15, atol=0)  # the forward pass's mask


def test_p_zero_is_the_identity():
    X = np.random.default_rng(0).standard_normal((4, 3))
    Y, cache = matgrad.dropout_forward(X, 0.0, np.random.default_rng(1))
    np.testing.assert_array_equal(Y, X)
    np.testing.assert_array_equal(cache.mask, np.ones((4, 3)))
    G = np.random.default_rng(2).standard_normal((4, 3))
    np.testing.assert_array_equal(matgrad.dropout_backward(G, cache), G)


def test_mask_keeps_one_minus_p_and_preserves_the_mean():
    p, X = 0.3, np.ones((400, 250))  # 100,000 entries
    Y, cache = matgrad.dropout_forward(X, p, np.random.default_rng(3))
    kept = cache.mask.mean()
    assert abs(kept - (1 - p)) < 5 * np.sqrt(p * (1 - p) / X.size)  # binomial, 5 standard deviations
    assert abs(Y.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / X.size)  # E[Y] = X: inverted scaling
    assert set(np.unique(Y)) == {0.0, 1 / (1 - p)}


def test_same_seed_same_mask_another_seed_another_mask():
    X = np.ones((6, 5))
    mask = matgrad.dropout_forward(X, 0.5, np.random.default_rng(4))[1].mask
    np.testing.assert_array_equal(mask, matgrad.dropout_forward(X, 0.5, np.random.default_rng(4))[1].mask)
    assert not np.array_equal(mask, matgrad.dropout_forward(X, 0.5, np.random.default_rng(5))[1].mask)
    # float32 input: the same mask from the same seed, and float32 kept
    Y32, cache32 = matgrad.dropout_forward(X.astype(np.float32), 0.5, np.random.default_rng(4))
    assert Y32.dtype == cache32.mask.dtype == np.float32
    np.testing.assert_array_equal(cache32.mask, mask)


def test_one_generator_reused_draws_a_new_mask_each_call():
    # why the registry entry's settings make a fresh Generator per call: a shared one would give
    # finite differences a different mask at X + eps and at X - eps
    rng = np.random.default_rng(6)
    first = matgrad.dropout_forward(np.ones((6, 5)), 0.5, rng)[1].mask
    second = matgrad.dropout_forward(np.ones((6, 5)), 0.5, rng)[1].mask
    assert not np.array_equal(first, second)
    layer = next(entry for entry in registry.LAYERS if entry.name == "dropout")
    X = layer.example(np.random.default_rng(7), 4)[0]
    Y1, Y2 = layer.run(X)[0], layer.run(X)[0]
    np.testing.assert_array_equal(Y1, Y2)  # run: the same mask at every call
    G = np.random.default_rng(8).standard_normal(X.shape)
    dX = layer.backward(G, layer.run(X)[1])
    matgrad.check_gradient(lambda V: np.sum(G * layer.run(V)[0]), X, dX)


def test_extreme_inputs_stay_finite_without_warnings():
    X = np.array([[-1e4, 1e4, 3.0], [1e4, -1e4, -2.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        Y, cache = matgrad.dropout_forward(X, 0.9, np.random.default_rng(9))
        dX = matgrad.dropout_backward(1e4 * np.ones_like(X), cache)
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(dX))


@pytest.mark.parametrize(
    ("p", "message"),
    [
        (-0.1, "p must be a drop probability with 0 <= p < 1; got -0.1"),
        (1.0, "p must be a drop probability with 0 <= p < 1; got 1.0"),
        (1.5, "p must be a drop probability with 0 <= p < 1; got 1.5"),
        (np.nan, "p must be finite; got nan"),
        (True, "p must be a real number; got bool True"),
        ("0.5", "p must be a real number; got str '0.5'"),
        (np.array([0.1, 0.2]), "p must be a real number; got array"),
    ],
)
def test_rejects_a_bad_rate(p, message):
    with pytest.raises(ValueError) as err:
        matgrad.dropout_forward(np.ones((2, 2)), p, np.random.default_rng(0))
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(("rng", "name"), [(None, "NoneType"), (0, "int"), (np.random.RandomState(0), "RandomState")])
def test_rejects_anything_but_a_generator(rng, name):
    with pytest.raises(ValueError, match=f"rng must be a numpy.random.Generator .*; got {name}$"):
        matgrad.dropout_forward(np.ones((2, 2)), 0.5, rng)


def test_rejects_bad_input_and_bad_upstream_gradients():
    rng = np.random.default_rng(10)
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match=r"^X must be finite"):
            matgrad.dropout_forward(np.array([[1.0, bad]]), 0.5, rng)
    with pytest.raises(ValueError, match="X must be a real numeric array"):
        matgrad.dropout_forward(np.array([1j]), 0.5, rng)
    Y, cache = matgrad.dropout_forward(np.array([[1, 2], [3, 4]]), 0.5, rng)  # integer X computed in float64
    assert Y.dtype == np.float64
    with pytest.raises(ValueError, match=r"dY must have the output's shape \(2, 2\); got \(2, 1\)"):
        matgrad.dropout_backward(np.ones((2, 1)), cache)  # would broadcast silently in NumPy
    with pytest.raises(ValueError, match="dY is float32 but the forward pass ran in float64"):
        matgrad.dropout_backward(np.ones((2, 2), dtype=np.float32), cache)
    with pytest.raises(ValueError, match="dY must be finite"):
        matgrad.dropout_backward(np.array([[1.0, np.inf], [0.0, 1.0]]), cache)
