"""Tests specific to matgrad.attention: closed forms, the causal mask, heads, options and errors.

What every registered layer must satisfy (with the default options: causal=False, n_heads=1) is
tested in tests/unit/test_registry.py; here the causal mask and several heads get their own central
differences, and every ValueError case is exercised.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad
from matgrad.attention import _row_softmax

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 4)


def naive_attention(Q, K, V, causal=False):
    """Row by row, with Python loops: o_i = sum_j w_ij v_j, w_i the softmax of the visible scores."""
    N, S = Q.shape[0], K.shape[0]
    O = np.zeros((N, V.shape[1]))
    for i in range(N):
        visible = range(i + 1) if causal else range(S)
        scores = np.array([Q[i] @ K[j] / math.sqrt(Q.shape[1]) for j in visible])
        w = np.exp(scores - scores.max())
        w /= w.sum()
        O[i] = sum(w_j * V[j] for w_j, j in zip(w, visible, strict=True))
    return O


def _qkv(rng, N, S, H, H_v):
    return rng.standard_normal((N, H)), rng.standard_normal((S, H)), rng.standard_normal((S, H_v))


def _projections(rng, D, H):
    Wq, Wk, Wv = (rng.standard_normal((D, H)) / np.sqrt(D) for _ in range(3))
    return Wq, Wk, Wv, rng.standard_normal((H, D)) / np.sqrt(H)


# ---------------------------------------------------------------------------- attention


@given(N=sizes, S=sizes, H=sizes, H_v=sizes, seed=seeds)
def test_attention_forward_is_the_row_by_row_weighted_mean(N, S, H, H_v, seed):
    Q, K, V = _qkv(np.random.default_rng(seed), N, S, H, H_v)
    O, cache = matgrad.attention_forward(Q, K, V)
    assert O.shape == (N, H_v) and cache.Pi.shape == (N, S)
    np.testing.assert_allclose(cache.Pi.sum(axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(O, naive_attention(Q, K, V), rtol=1e-11, atol=1e-13)


@given(N=sizes, H=sizes, H_v=sizes, seed=seeds)
def test_causal_attention_matches_the_loop_and_finite_differences(N, H, H_v, seed):
    rng = np.random.default_rng(seed)
    Q, K, V = _qkv(rng, N, N, H, H_v)
    O, cache = matgrad.attention_forward(Q, K, V, causal=True)
    np.testing.assert_allclose(O, naive_attention(Q, K, V, causal=True), rtol=1e-11, atol=1e-13)
    np.testing.assert_array_equal(cache.Pi[np.triu_indices(N, 1)], 0.0)  # j > i: weight exactly 0
    G = rng.standard_normal(O.shape)
    grads = matgrad.attention_backward(G, cache)
    args = (Q, K, V)
    for i, g in enumerate(grads):
        assert g.shape == args[i].shape

        def L(U, i=i):
            return np.sum(G * matgrad.attention_forward(*args[:i], U, *args[i + 1 :], causal=True)[0])

        matgrad.check_gradient(L, args[i], g)


def test_causal_output_row_ignores_later_tokens():
    rng = np.random.default_rng(0)
    Q, K, V = _qkv(rng, 5, 5, 3, 2)
    O, _ = matgrad.attention_forward(Q, K, V, causal=True)
    K2, V2 = K.copy(), V.copy()
    K2[3:] += 10 * rng.standard_normal((2, 3))
    V2[3:] += 10 * rng.standard_normal((2, 2))
    O2, _ = matgrad.attention_forward(Q, K2, V2, causal=True)
    np.testing.assert_array_equal(O2[:3], O[:3])  # rows 0..2 never see keys 3, 4
    assert not np.allclose(O2[3:], O[3:])
    np.testing.assert_allclose(O[0], V[0], rtol=1e-14)  # the first token sees only itself
    O_full, _ = matgrad.attention_forward(Q, K, V)
    assert not np.allclose(O_full[:4], O[:4])  # the mask changes the result
    np.testing.assert_allclose(O_full[4], O[4], rtol=1e-13)  # the last row sees everything either way


def test_attention_large_scores_stay_finite_and_one_hot():
    rng = np.random.default_rng(1)
    Q, K, V = _qkv(rng, 4, 4, 3, 2)
    for causal in (False, True):
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            warnings.simplefilter("error")
            O, cache = matgrad.attention_forward(1e4 * Q, 1e4 * K, V, causal=causal)
            dQ, dK, dV = matgrad.attention_backward(rng.standard_normal(O.shape), cache)
        assert all(np.all(np.isfinite(a)) for a in (O, cache.Pi, dQ, dK, dV))
        # scores of order 1e8: each row's weight sits on its largest visible score
        Sigma = (1e4 * Q) @ (1e4 * K).T / math.sqrt(3)
        if causal:
            Sigma = np.where(np.tri(4, dtype=bool), Sigma, -np.inf)
        np.testing.assert_array_equal(cache.Pi.argmax(axis=1), Sigma.argmax(axis=1))
        np.testing.assert_allclose(cache.Pi.max(axis=1), 1.0, rtol=1e-12)


def test_row_softmax_gives_zero_weights_to_a_fully_masked_row():
    Sigma = np.array([[1e4, -1e4, 3.0], [2.0, 5.0, -1.0], [0.0, 1.0, 2.0]])
    keep = np.array([[True, True, False], [False, False, False], [False, True, True]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        warnings.simplefilter("error")
        Pi = _row_softmax(Sigma, keep)
    np.testing.assert_array_equal(Pi[1], 0.0)  # nothing to attend to: zeros, not NaN
    np.testing.assert_array_equal(Pi[0], [1.0, 0.0, 0.0])
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(Pi[2], [0.0, *(e / e.sum())], rtol=1e-15)
    np.testing.assert_allclose(_row_softmax(Sigma, np.ones((3, 3), bool)), _row_softmax(Sigma, None), rtol=1e-15)


def test_attention_keeps_float32_and_accepts_integers():
    rng = np.random.default_rng(2)
    Q, K, V = (a.astype(np.float32) for a in _qkv(rng, 3, 3, 2, 2))
    O, cache = matgrad.attention_forward(Q, K, V, causal=True)
    assert O.dtype == cache.Pi.dtype == np.float32
    assert all(g.dtype == np.float32 for g in matgrad.attention_backward(np.ones((3, 2), np.float32), cache))
    O_int, _ = matgrad.attention_forward(np.eye(2, dtype=int), np.eye(2, dtype=int), np.eye(2, dtype=int))
    assert O_int.dtype == np.float64


def test_attention_errors():
    Q, K, V = np.ones((3, 2)), np.ones((4, 2)), np.ones((4, 5))
    with pytest.raises(ValueError, match=r"K has shape \(4, 3\) but Q has 2 columns; expected K of shape \(S, 2\)"):
        matgrad.attention_forward(Q, np.ones((4, 3)), V)
    with pytest.raises(ValueError, match=r"V has shape \(3, 5\) but K has 4 rows; expected V of shape \(4, H_v\)"):
        matgrad.attention_forward(Q, K, np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"Q must have shape \(N, H\); got shape \(2,\)"):
        matgrad.attention_forward(np.ones(2), K, V)
    with pytest.raises(ValueError, match=r"K must have shape \(S, H\)"):
        matgrad.attention_forward(Q, np.ones((1, 4, 2)), V)
    with pytest.raises(ValueError, match=r"V must have shape \(S, H_v\)"):
        matgrad.attention_forward(Q, K, np.ones(4))
    with pytest.raises(ValueError, match="at least one key"):
        matgrad.attention_forward(Q, np.ones((0, 2)), np.ones((0, 5)))
    with pytest.raises(ValueError, match="H >= 1"):
        matgrad.attention_forward(np.ones((3, 0)), np.ones((4, 0)), V)
    with pytest.raises(ValueError, match=r"causal=True needs as many keys as queries.*N = 3 queries, S = 4 keys"):
        matgrad.attention_forward(Q, K, V, causal=True)
    with pytest.raises(ValueError, match="causal must be True or False; got int 1"):
        matgrad.attention_forward(Q, K, V, causal=1)
    with pytest.raises(ValueError, match="float32"):
        matgrad.attention_forward(Q.astype(np.float32), K, V)
    with pytest.raises(ValueError, match="real numeric"):
        matgrad.attention_forward(Q.astype(complex), K, V)
    for i, name in enumerate("QKV"):
        args = [Q, K, V]
        args[i] = args[i].copy()
        args[i][0, 0] = np.inf
        with pytest.raises(ValueError, match=f"^{name} must be finite"):
            matgrad.attention_forward(*args)
    with pytest.raises(ValueError, match="scores"):
        matgrad.attention_forward(np.full((1, 1), 1e200), np.full((1, 1), 1e200), np.ones((1, 1)))
    _, cache = matgrad.attention_forward(Q, K, V)
    with pytest.raises(ValueError, match=r"dO must have the output's shape \(3, 5\); got \(3, 4\)"):
        matgrad.attention_backward(np.ones((3, 4)), cache)
    with pytest.raises(ValueError, match="dO is float32 but the forward pass ran in float64"):
        matgrad.attention_backward(np.ones((3, 5), np.float32), cache)
    with pytest.raises(ValueError, match="dO must be finite"):
        matgrad.attention_backward(np.full((3, 5), np.nan), cache)


# ---------------------------------------------------------------------------- self-attention


@given(N=sizes, D=sizes, per_head=sizes, n_heads=st.integers(1, 3), causal=st.booleans(), seed=seeds)
def test_self_attention_heads_are_blocks_of_the_projections(N, D, per_head, n_heads, causal, seed):
    rng = np.random.default_rng(seed)
    H = per_head * n_heads
    X, (Wq, Wk, Wv, Wo) = rng.standard_normal((N, D)), _projections(rng, D, H)
    Y, cache = matgrad.self_attention_forward(X, Wq, Wk, Wv, Wo, n_heads=n_heads, causal=causal)
    assert Y.shape == (N, D) and cache.O.shape == (N, H) and len(cache.heads) == n_heads
    blocks = [slice(k * per_head, (k + 1) * per_head) for k in range(n_heads)]
    O = np.hstack([naive_attention(X @ Wq[:, c], X @ Wk[:, c], X @ Wv[:, c], causal) for c in blocks])
    np.testing.assert_allclose(Y, O @ Wo, rtol=1e-10, atol=1e-12)
    # and the output is the sum over heads of O_k times the matching rows of Wo
    np.testing.assert_allclose(Y, sum(O[:, c] @ Wo[c] for c in blocks), rtol=1e-10, atol=1e-12)


@given(N=sizes, D=sizes, n_heads=st.integers(1, 3), causal=st.booleans(), seed=seeds)
def test_self_attention_gradients_with_heads_and_mask(N, D, n_heads, causal, seed):
    rng = np.random.default_rng(seed)
    args = (rng.standard_normal((N, D)), *_projections(rng, D, 2 * n_heads))
    Y, cache = matgrad.self_attention_forward(*args, n_heads=n_heads, causal=causal)
    G = rng.standard_normal(Y.shape)
    grads = matgrad.self_attention_backward(G, cache)
    for i, g in enumerate(grads):
        assert g.shape == args[i].shape

        def L(U, i=i):
            new = (*args[:i], U, *args[i + 1 :])
            return np.sum(G * matgrad.self_attention_forward(*new, n_heads=n_heads, causal=causal)[0])

        matgrad.check_gradient(L, args[i], g)


def test_more_heads_is_another_function():
    rng = np.random.default_rng(3)
    args = (rng.standard_normal((4, 3)), *_projections(rng, 3, 4))
    Y1, _ = matgrad.self_attention_forward(*args)
    Y2, _ = matgrad.self_attention_forward(*args, n_heads=2)
    assert not np.allclose(Y1, Y2)


def test_self_attention_extremes_stay_finite():
    rng = np.random.default_rng(4)
    args = (1e4 * rng.standard_normal((4, 3)), *_projections(rng, 3, 4))
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        warnings.simplefilter("error")
        Y, cache = matgrad.self_attention_forward(*args, n_heads=2, causal=True)
        grads = matgrad.self_attention_backward(rng.standard_normal(Y.shape), cache)
    assert np.all(np.isfinite(Y)) and all(np.all(np.isfinite(g)) for g in grads)


def test_self_attention_errors():
    rng = np.random.default_rng(5)
    X, (Wq, Wk, Wv, Wo) = rng.standard_normal((3, 4)), _projections(rng, 4, 6)
    f = matgrad.self_attention_forward
    with pytest.raises(ValueError, match=r"H = 6 columns of Wq must be divisible by n_heads = 4"):
        f(X, Wq, Wk, Wv, Wo, n_heads=4)
    for bad in (0, -1, 1.0, True):
        with pytest.raises(ValueError, match="n_heads must be an integer >= 1"):
            f(X, Wq, Wk, Wv, Wo, n_heads=bad)
    with pytest.raises(ValueError, match="causal must be True or False"):
        f(X, Wq, Wk, Wv, Wo, causal="yes")
    with pytest.raises(ValueError, match=r"Wq has shape \(3, 6\) but X has 4 columns; expected Wq of shape \(4, H\)"):
        f(X, Wq[:3], Wk, Wv, Wo)
    with pytest.raises(ValueError, match=r"Wk has shape \(4, 5\); expected Wq's shape \(4, 6\)"):
        f(X, Wq, Wk[:, :5], Wv, Wo)
    with pytest.raises(ValueError, match=r"Wv has shape \(4, 5\); expected Wq's shape \(4, 6\)"):
        f(X, Wq, Wk, Wv[:, :5], Wo)
    with pytest.raises(ValueError, match=r"Wo has shape \(4, 6\); expected \(H, D\) = \(6, 4\)"):
        f(X, Wq, Wk, Wv, Wo.T)
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\)"):
        f(X[0], Wq, Wk, Wv, Wo)
    with pytest.raises(ValueError, match=r"Wq must have shape \(D, H\)"):
        f(X, Wq[0], Wk, Wv, Wo)
    with pytest.raises(ValueError, match=r"Wo must have shape \(H, D\)"):
        f(X, Wq, Wk, Wv, Wo[0])
    with pytest.raises(ValueError, match="Wo is float32"):
        f(X, Wq, Wk, Wv, Wo.astype(np.float32))
    with pytest.raises(ValueError, match=r"^Wv must be finite"):
        f(X, Wq, Wk, Wv * np.nan, Wo)
    _, cache = f(X, Wq, Wk, Wv, Wo, n_heads=3)
    with pytest.raises(ValueError, match=r"dY must have the output's shape \(3, 4\); got \(3, 6\)"):
        matgrad.self_attention_backward(np.ones((3, 6)), cache)
    with pytest.raises(ValueError, match="dY is float32"):
        matgrad.self_attention_backward(np.ones((3, 4), np.float32), cache)
    with pytest.raises(ValueError, match="dY must be finite"):
        matgrad.self_attention_backward(np.full((3, 4), np.inf), cache)
