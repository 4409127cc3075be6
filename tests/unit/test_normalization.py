"""Tests specific to matgrad.normalization: batch norm (columns) and layer norm (rows).

The generic layer checks (gradient shapes, central differences with a random upstream G, float32,
rejected upstream gradients, non-finite inputs by name, inputs of +-1e4) run for both registered
layers in tests/unit/test_registry.py; here are the closed forms, the long (graph) route of the
backward pass, the special cases and every ValueError.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(3, 6)


def _inputs(rng, n, d):
    return rng.standard_normal((n, d)) + 1, rng.standard_normal(d), rng.standard_normal(d)


def graph_route_batchnorm_dX(dY, X, gamma, eps):
    """dX of batch norm by the computational graph, node by node (not the compact form)."""
    N = X.shape[0]
    mu = X.sum(axis=0) / N
    C = X - mu
    var = (C**2).sum(axis=0) / N
    s = np.sqrt(var + eps)
    Xhat = C / s
    dXhat = dY * gamma
    ds = -(dXhat * C).sum(axis=0) / s**2  # Xhat = C / s
    dvar = ds / (2 * s)  # s = sqrt(var + eps)
    dC = dXhat / s + dvar * 2 * C / N  # both paths into C
    dmu = -dC.sum(axis=0)  # C = X - mu
    dX = dC + dmu / N  # both paths into X
    return dX, Xhat


# ---------------------------------------------------------------------------- batch norm


@given(n=st.integers(2, 6), d=sizes, seed=seeds)
def test_batchnorm_forward_closed_form(n, d, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, n, d)
    Y, cache = matgrad.batchnorm_forward(X, gamma, beta, eps=1e-3)
    assert Y.shape == (n, d) and cache.Xhat.shape == (n, d) and cache.mu.shape == cache.s.shape == (d,)
    var = np.var(X, axis=0)  # biased (ddof=0)
    np.testing.assert_allclose(cache.mu, np.mean(X, axis=0), rtol=1e-13)
    np.testing.assert_allclose(cache.s, np.sqrt(var + 1e-3), rtol=1e-13)
    np.testing.assert_allclose(Y, gamma * (X - X.mean(0)) / np.sqrt(var + 1e-3) + beta, rtol=1e-12, atol=1e-12)
    # the columns of Xhat have mean 0 and variance var / (var + eps)
    np.testing.assert_allclose(cache.Xhat.mean(axis=0), 0, atol=1e-13)
    np.testing.assert_allclose(cache.Xhat.var(axis=0), var / (var + 1e-3), rtol=1e-12)


@given(n=st.integers(1, 6), d=sizes, seed=seeds)
def test_batchnorm_backward_is_the_graph_route(n, d, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, n, d)
    G = rng.standard_normal((n, d))
    dX, dgamma, dbeta = matgrad.batchnorm_backward(G, matgrad.batchnorm_forward(X, gamma, beta)[1])
    dX_graph, Xhat = graph_route_batchnorm_dX(G, X, gamma, 1e-5)
    np.testing.assert_allclose(dX, dX_graph, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.einsum("nd,nd->d", G, Xhat), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dbeta, np.einsum("nd->d", G), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("eps", [1e-5, 0.5])
def test_batchnorm_backward_column_sums_and_the_floor(eps):
    """Columns of dX sum to 0 (a shift of a column changes nothing); Xhat^T dX is the floor's share.

    sum_n dX_nj Xhat_nj = gamma_j dgamma_j eps / s_j^3: zero only for eps = 0 (where a scaling
    of a column would change nothing either).
    """
    rng = np.random.default_rng(1)
    X, gamma, beta = _inputs(rng, 7, 4)
    Y, cache = matgrad.batchnorm_forward(X, gamma, beta, eps)
    dX, dgamma, _ = matgrad.batchnorm_backward(rng.standard_normal(Y.shape), cache)
    np.testing.assert_allclose(dX.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose((dX * cache.Xhat).sum(axis=0), gamma * dgamma * eps / cache.s**3, rtol=1e-8, atol=1e-14)


def test_batchnorm_all_ones_upstream_gives_zero_dx():
    """1_N 1_D^T is in the null space of the backward pass: such a check cannot see dX."""
    rng = np.random.default_rng(2)
    X, gamma, beta = _inputs(rng, 5, 3)
    _, cache = matgrad.batchnorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = matgrad.batchnorm_backward(np.ones((5, 3)), cache)
    np.testing.assert_allclose(dX, 0, atol=1e-13)
    np.testing.assert_allclose(dbeta, 5)
    np.testing.assert_allclose(dgamma, 0, atol=1e-13)  # the columns of Xhat sum to 0


def test_batchnorm_one_example_gives_beta_and_zero_dx():
    rng = np.random.default_rng(3)
    X, gamma, beta = _inputs(rng, 1, 4)
    Y, cache = matgrad.batchnorm_forward(X, gamma, beta)
    np.testing.assert_array_equal(Y, beta[None, :])
    dX, dgamma, _ = matgrad.batchnorm_backward(rng.standard_normal((1, 4)), cache)
    np.testing.assert_array_equal(dX, 0)
    np.testing.assert_array_equal(dgamma, 0)


@pytest.mark.parametrize("value", [0.0, 3.5, -1e4, 1e4])
def test_batchnorm_constant_column_stays_finite(value):
    rng = np.random.default_rng(4)
    X, gamma, beta = _inputs(rng, 6, 3)
    X[:, 1] = value
    G = rng.standard_normal(X.shape)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        Y, cache = matgrad.batchnorm_forward(X, gamma, beta)
        dX, dgamma, dbeta = matgrad.batchnorm_backward(G, cache)
    assert all(np.all(np.isfinite(a)) for a in (Y, dX, dgamma, dbeta))
    assert cache.s[1] == pytest.approx(np.sqrt(1e-5), rel=1e-6)  # the floor alone
    np.testing.assert_allclose(Y[:, 1], beta[1], atol=1e-15)  # the mean of equal entries is exact here
    np.testing.assert_allclose(dX, graph_route_batchnorm_dX(G, X, gamma, 1e-5)[0], rtol=1e-10, atol=1e-12)
    if abs(value) < 10:  # at 1e4 a step of 1e-6 is below the resolution central differences need
        matgrad.check_gradient(lambda X_: np.sum(G * matgrad.batchnorm_forward(X_, gamma, beta)[0]), X, dX)


def test_batchnorm_eps_changes_s_and_keeps_inputs():
    rng = np.random.default_rng(5)
    X, gamma, beta = _inputs(rng, 4, 3)
    before = X.copy()
    _, small = matgrad.batchnorm_forward(X, gamma, beta, eps=1e-8)
    _, large = matgrad.batchnorm_forward(X, gamma, beta, eps=1.0)
    np.testing.assert_allclose(large.s**2 - small.s**2, 1.0 - 1e-8, rtol=1e-12)
    np.testing.assert_array_equal(X, before)
    assert matgrad.batchnorm_forward(X, gamma, beta, 1)[1].s[0] == large.s[0]  # an int eps is accepted


# ---------------------------------------------------------------------------- layer norm


@given(n=st.integers(1, 6), d=sizes, seed=seeds)
def test_layernorm_is_batchnorm_of_the_transpose(n, d, seed):
    """Layer norm normalises rows: batch norm of X^T (gamma = 1, beta = 0), transposed, then scaled."""
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, n, d)
    Y, cache = matgrad.layernorm_forward(X, gamma, beta)
    Xhat_T, bn_cache = matgrad.batchnorm_forward(X.T, np.ones(n), np.zeros(n))
    assert cache.mu.shape == cache.s.shape == (n,)
    np.testing.assert_allclose(cache.Xhat, Xhat_T.T, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(Y, Xhat_T.T * gamma + beta, rtol=1e-12, atol=1e-12)
    G = rng.standard_normal((n, d))
    dX, dgamma, dbeta = matgrad.layernorm_backward(G, cache)
    dX_T, _, _ = matgrad.batchnorm_backward((G * gamma).T, bn_cache)  # dXhat = G diag(gamma)
    np.testing.assert_allclose(dX, dX_T.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.einsum("nd,nd->d", G, cache.Xhat), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dbeta, np.einsum("nd->d", G), rtol=1e-12, atol=1e-13)


def test_layernorm_closed_form_and_rows_independent():
    rng = np.random.default_rng(6)
    X, gamma, beta = _inputs(rng, 5, 4)
    Y, cache = matgrad.layernorm_forward(X, gamma, beta)
    mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    np.testing.assert_allclose(Y, (X - mu) / np.sqrt(var + 1e-5) * gamma + beta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Y[2:3], matgrad.layernorm_forward(X[2:3], gamma, beta)[0], rtol=1e-14)
    G = rng.standard_normal(Y.shape)
    dX, _, _ = matgrad.layernorm_backward(G, cache)
    np.testing.assert_allclose(dX.sum(axis=1), 0, atol=1e-12)
    # the floor's share, as for batch norm along the columns: (dXhat * Xhat) 1_D eps / s^3
    floor = (G * gamma * cache.Xhat).sum(axis=1) * 1e-5 / cache.s**3
    np.testing.assert_allclose((dX * cache.Xhat).sum(axis=1), floor, rtol=1e-7, atol=1e-14)


@pytest.mark.parametrize("value", [3.5, -1e4])
def test_layernorm_constant_row_stays_finite(value):
    rng = np.random.default_rng(7)
    X, gamma, beta = _inputs(rng, 3, 4)
    X[1] = value
    G = rng.standard_normal(X.shape)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        Y, cache = matgrad.layernorm_forward(X, gamma, beta)
        grads = matgrad.layernorm_backward(G, cache)
    assert np.all(np.isfinite(Y)) and all(np.all(np.isfinite(g)) for g in grads)
    np.testing.assert_allclose(Y[1], beta, atol=1e-15)
    dX_T = graph_route_batchnorm_dX((G * gamma).T, X.T, np.ones(3), 1e-5)[0]  # rows are columns of X^T
    np.testing.assert_allclose(grads[0], dX_T.T, rtol=1e-10, atol=1e-12)
    if abs(value) < 10:  # at 1e4 a step of 1e-6 is below the resolution central differences need
        matgrad.check_gradient(lambda X_: np.sum(G * matgrad.layernorm_forward(X_, gamma, beta)[0]), X, grads[0])


# ---------------------------------------------------------------------------- both: dtypes and errors

PAIRS = [
    (matgrad.batchnorm_forward, matgrad.batchnorm_backward),
    (matgrad.layernorm_forward, matgrad.layernorm_backward),
]


@pytest.mark.parametrize("forward, backward", PAIRS)
def test_dtypes(forward, backward):
    rng = np.random.default_rng(8)
    X, gamma, beta = (a.astype(np.float32) for a in _inputs(rng, 4, 3))
    Y, cache = forward(X, gamma, beta)
    assert Y.dtype == cache.Xhat.dtype == cache.s.dtype == np.float32
    assert all(g.dtype == np.float32 for g in backward(np.ones((4, 3), dtype=np.float32), cache))
    Y, _ = forward(np.arange(12).reshape(4, 3), np.ones(3, dtype=int), np.zeros(3, dtype=int))
    assert Y.dtype == np.float64  # integers -> float64
    Y, _ = forward(np.arange(12).reshape(4, 3), gamma, beta)
    assert Y.dtype == np.float32  # integers take the dtype of the float inputs


@pytest.mark.parametrize("forward, backward", PAIRS)
@pytest.mark.parametrize(
    "X, gamma, beta, eps, match",
    [
        (np.zeros(3), np.ones(3), np.zeros(3), 1e-5, r"X must have shape \(N, D\); got shape \(3,\)"),
        (np.zeros((2, 3, 1)), np.ones(3), np.zeros(3), 1e-5, r"X must have shape \(N, D\); got shape \(2, 3, 1\)"),
        (np.zeros((0, 3)), np.ones(3), np.zeros(3), 1e-5, r"N >= 1 and D >= 1; got \(0, 3\)"),
        (np.zeros((2, 0)), np.ones(0), np.zeros(0), 1e-5, r"N >= 1 and D >= 1; got \(2, 0\)"),
        (np.zeros((2, 3)), np.ones(4), np.zeros(3), 1e-5, r"gamma must have shape \(D,\) = \(3,\) .* got shape \(4,\)"),
        (np.zeros((2, 3)), np.ones((1, 3)), np.zeros(3), 1e-5, r"gamma must have shape .* got shape \(1, 3\)"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(1), 1e-5, r"beta must have shape \(D,\) = \(3,\) .* got shape \(1,\)"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(3), 0.0, "eps must be > 0"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(3), -1e-5, "eps must be > 0"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(3), np.nan, "eps must be finite"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(3), True, "eps must be a real number"),
        (np.zeros((2, 3)), np.ones(3), np.zeros(3), "1e-5", "eps must be a real number"),
        (np.zeros((2, 3)), np.ones(3, np.float32), np.zeros(3), 1e-5, "gamma is float32"),
        (np.zeros((2, 3), np.float32), np.ones(3), np.zeros(3), 1e-5, "X is float32, gamma is float64"),
        (np.full((2, 3), np.inf), np.ones(3), np.zeros(3), 1e-5, "^X must be finite"),
        (np.zeros((2, 3)), np.array([1.0, np.nan, 1.0]), np.zeros(3), 1e-5, "^gamma must be finite"),
        (np.zeros((2, 3)), np.ones(3), np.array([0, 0, -np.inf]), 1e-5, "^beta must be finite"),
        (np.array([["a", "b", "c"]]), np.ones(3), np.zeros(3), 1e-5, "X must be a real numeric array"),
        (np.zeros((2, 3), np.complex128), np.ones(3), np.zeros(3), 1e-5, "X must be a real numeric array"),
    ],
)
def test_forward_errors(forward, backward, X, gamma, beta, eps, match):
    with pytest.raises(ValueError, match=match):
        forward(X, gamma, beta, eps)


@pytest.mark.parametrize("forward, backward", PAIRS)
def test_backward_errors(forward, backward):
    rng = np.random.default_rng(9)
    _, cache = forward(*_inputs(rng, 4, 3))
    for dY, match in [
        (np.zeros((3, 4)), "dY must have the output's shape (4, 3); got (3, 4)"),
        (np.zeros(3), "dY must have the output's shape (4, 3); got (3,)"),
        (np.zeros((1, 3)), "dY must have the output's shape (4, 3); got (1, 3)"),  # no broadcasting
        (np.zeros((4, 3), np.float32), "dY is float32 but the forward pass ran in float64"),
        (np.full((4, 3), np.nan), "dY must be finite"),
        (np.array([["a"] * 3] * 4), "dY must be a real numeric array"),
    ]:
        with pytest.raises(ValueError, match=re.escape(match)):
            backward(dY, cache)
    assert backward(np.ones((4, 3), dtype=int), cache)[0].dtype == np.float64  # integers converted
