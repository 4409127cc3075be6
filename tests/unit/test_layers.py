"""Tests specific to one forward/backward pair of matgrad.layers.

What every layer must satisfy (gradient shapes, central differences with a random upstream G,
float32, rejected upstream gradients, non-finite inputs, extreme inputs) is tested for every
registered layer in tests/unit/test_registry.py; here are the closed forms and special cases.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)


# ---------------------------------------------------------------------------- affine


@given(n=sizes, d=sizes, h=sizes, seed=seeds)
def test_affine_forward_is_xw_plus_b(n, d, h, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    Z, _cache = matgrad.affine_forward(X, W, b)
    assert Z.shape == (n, h)
    np.testing.assert_allclose(Z, X @ W + b[None, :], rtol=1e-13, atol=1e-13)


@given(n=sizes, d=sizes, h=sizes, seed=seeds)
def test_affine_batch_gradient_is_sum_of_per_example_outer_products(n, d, h, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    G = rng.standard_normal((n, h))
    _, dW, db = matgrad.affine_backward(G, matgrad.affine_forward(X, W, b)[1])
    per_example = [matgrad.affine_backward(G[i], matgrad.affine_forward(X[i], W, b)[1]) for i in range(n)]
    for i in range(n):  # one example: dW_i = outer(x_i, g_i), db_i = g_i (closed form)
        assert per_example[i][1].shape == (d, h) and per_example[i][2].shape == (h,)
        np.testing.assert_allclose(per_example[i][1], np.outer(X[i], G[i]), rtol=1e-14)
        np.testing.assert_allclose(per_example[i][2], G[i], rtol=1e-14)
    np.testing.assert_allclose(dW, sum(p[1] for p in per_example), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, sum(p[2] for p in per_example), rtol=1e-12, atol=1e-12)


def test_affine_single_example_shapes():
    rng = np.random.default_rng(6)
    x, W, b = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal(2)
    z, cache = matgrad.affine_forward(x, W, b)
    assert z.shape == (2,)
    g = rng.standard_normal(2)
    dx, dW, db = matgrad.affine_backward(g, cache)
    assert (dx.shape, dW.shape, db.shape) == ((3,), (3, 2), (2,))
    matgrad.check_gradient(lambda x: g @ matgrad.affine_forward(x, W, b)[0], x, dx)


def test_affine_dtypes_and_no_parameter_copies():
    rng = np.random.default_rng(7)
    X, W, b = (rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (3, 2), (2,)))
    Z, cache = matgrad.affine_forward(X, W, b)
    assert Z.dtype == np.float32
    assert cache[1] is W  # the parameter itself, not a copy
    Z64, _cache64 = matgrad.affine_forward(np.array([[1, 2]]), np.eye(2), np.zeros(2))  # integer X
    assert Z64.dtype == np.float64
    np.testing.assert_array_equal(Z64, [[1.0, 2.0]])


def test_affine_errors():
    X, W, b = np.ones((4, 3)), np.ones((3, 2)), np.ones(2)
    with pytest.raises(ValueError, match="W has shape \\(2, 2\\) but X has 3 columns"):
        matgrad.affine_forward(X, np.ones((2, 2)), b)
    with pytest.raises(ValueError, match="b has shape \\(3,\\)"):
        matgrad.affine_forward(X, W, np.ones(3))
    with pytest.raises(ValueError, match="b must have shape"):
        matgrad.affine_forward(X, W, np.ones((1, 2)))  # would broadcast silently in NumPy
    with pytest.raises(ValueError, match="X must have shape"):
        matgrad.affine_forward(np.ones((2, 4, 3)), W, b)
    with pytest.raises(ValueError, match="float32"):
        matgrad.affine_forward(X.astype(np.float32), W, b)
    for name, args in {"X": (X * np.nan, W, b), "W": (X, W * np.inf, b), "b": (X, W, b * np.nan)}.items():
        with pytest.raises(ValueError, match=f"{name} must be finite"):
            matgrad.affine_forward(*args)


# ---------------------------------------------------------------------------- activations as layers


def _away_from_zero(Z):
    Z[np.abs(Z) < 1e-3] = 0.7
    return Z


@given(n=sizes, h=sizes, seed=seeds)
def test_relu_forward_and_backward_closed_forms(n, h, seed):
    rng = np.random.default_rng(seed)
    Z, G = _away_from_zero(rng.standard_normal((n, h))), rng.standard_normal((n, h))
    A, cache = matgrad.relu_forward(Z)
    np.testing.assert_array_equal(A, np.where(Z > 0, Z, 0.0))
    np.testing.assert_array_equal(matgrad.relu_backward(G, cache), np.where(Z > 0, G, 0.0))


def test_relu_backward_is_zero_at_the_kink():
    _A, cache = matgrad.relu_forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(matgrad.relu_backward(np.array([[5.0, 5.0, 5.0]]), cache), [[0.0, 0.0, 5.0]])


@given(n=sizes, h=sizes, seed=seeds)
def test_sigmoid_backward_closed_form(n, h, seed):
    rng = np.random.default_rng(seed)
    Z, G = 3 * rng.standard_normal((n, h)), rng.standard_normal((n, h))
    S, cache = matgrad.sigmoid_forward(Z)
    np.testing.assert_allclose(S, 1 / (1 + np.exp(-Z)), rtol=1e-14)
    np.testing.assert_allclose(matgrad.sigmoid_backward(G, cache), G * S * (1 - S), rtol=1e-14)


@given(n=sizes, c=st.integers(2, 5), seed=seeds)
def test_softmax_backward_row_by_row(n, c, seed):
    rng = np.random.default_rng(seed)
    Z, G = 2 * rng.standard_normal((n, c)), rng.standard_normal((n, c))
    _P, cache = matgrad.softmax_forward(Z)
    dZ = matgrad.softmax_backward(G, cache)
    # row by row: dz_i = J_i^T g_i with J_i = diag(p_i) - p_i p_i^T built by hand
    for i in range(n):
        E = np.exp(Z[i])
        p = E / E.sum()
        J = np.diag(p) - np.outer(p, p)
        np.testing.assert_allclose(dZ[i], J.T @ G[i], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dZ.sum(axis=1), 0.0, atol=1e-14)


def test_softmax_backward_with_all_ones_upstream_is_zero():
    # why the checks use a random G: 1^T J = 0, so an all-ones G cannot detect a wrong Jacobian
    _, cache = matgrad.softmax_forward(np.random.default_rng(8).standard_normal((3, 4)))
    np.testing.assert_allclose(matgrad.softmax_backward(np.ones((3, 4)), cache), 0.0, atol=1e-15)
