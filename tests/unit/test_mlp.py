"""Tests of matgrad.mlp: init_mlp, mlp_forward_backward, two_layer_forward_backward.

Gradients are checked entry by entry against central differences of the loss, and the two-layer
case against the backpropagation formulas written out by hand in this file.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)


def random_net(rng, sizes, bias_scale=0.5):
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
        params[f"b{l}"] = bias_scale * rng.standard_normal(sizes[l])
    return params


def hand_forward(params, X):
    """Pre-activations Z_1..Z_L of the ReLU net, written out independently of matgrad."""
    L = len(params) // 2
    A, Zs = X, []
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        Zs.append(Z)
        A = np.maximum(Z, 0)
    return Zs


def hand_loss(params, X, y, reg):
    Z = hand_forward(params, X)[-1]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    data = -np.mean(np.log(P[np.arange(len(y)), y]))
    return data + reg * sum(np.sum(params[k] ** 2) for k in params if k.startswith("W"))


def kink_distance(params, X):
    """Smallest |Z_l| over hidden pre-activations: finite differences need it well above eps."""
    Zs = hand_forward(params, X)[:-1]
    return min((np.abs(Z).min() for Z in Zs), default=np.inf)


# ---------------------------------------------------------------------------- init_mlp


def test_init_mlp_keys_shapes_and_scale():
    params = matgrad.init_mlp([400, 300, 3], np.random.default_rng(0))
    assert list(params) == ["W1", "b1", "W2", "b2"]
    assert params["W1"].shape == (400, 300) and params["b1"].shape == (300,)
    assert params["W2"].shape == (300, 3) and params["b2"].shape == (3,)
    assert all(v.dtype == np.float64 for v in params.values())
    np.testing.assert_array_equal(params["b1"], 0.0)
    assert params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He: sqrt(2 / fan_in)
    assert params["W2"].std() == pytest.approx(np.sqrt(2 / 300), rel=0.1)
    fixed = matgrad.init_mlp([200, 100], np.random.default_rng(0), scale=0.01)
    assert fixed["W1"].std() == pytest.approx(0.01, rel=0.02)


def test_init_mlp_is_reproducible_per_seed():
    a = matgrad.init_mlp([3, 4, 2], np.random.default_rng(5))
    b = matgrad.init_mlp([3, 4, 2], np.random.default_rng(5))
    c = matgrad.init_mlp([3, 4, 2], np.random.default_rng(6))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


@pytest.mark.parametrize(
    "sizes, rng, scale, match",
    [
        ([3], np.random.default_rng(0), None, "at least"),
        ([3, 0, 2], np.random.default_rng(0), None, "sizes\\[1\\]"),
        ([3, 2.5], np.random.default_rng(0), None, "sizes\\[1\\]"),
        ([3, 2], 0, None, "Generator"),
        ([3, 2], np.random.RandomState(0), None, "Generator"),
        ([3, 2], np.random.default_rng(0), -1.0, "scale"),
    ],
)
def test_init_mlp_errors(sizes, rng, scale, match):
    with pytest.raises(ValueError, match=match):
        matgrad.init_mlp(sizes, rng, scale)


# ---------------------------------------------------------------------------- gradients


@given(
    widths=st.lists(st.integers(1, 4), min_size=0, max_size=2),
    n=st.integers(1, 5),
    d=st.integers(1, 4),
    c=st.integers(2, 4),
    reg=st.sampled_from([0.0, 0.1]),
    seed=seeds,
)
def test_mlp_gradients_match_finite_differences(widths, n, d, c, reg, seed):
    rng = np.random.default_rng(seed)
    sizes = [d, *widths, c]
    params = random_net(rng, sizes)
    X, y = rng.standard_normal((n, d)), rng.integers(0, c, n)
    assume(kink_distance(params, X) > 1e-4)
    loss, grads = matgrad.mlp_forward_backward(params, X, y, reg=reg)
    assert list(grads) == list(params)
    for k in params:
        assert grads[k].shape == params[k].shape and grads[k].dtype == np.float64
    assert loss == pytest.approx(hand_loss(params, X, y, reg), rel=1e-12)
    for k in params:

        def f(P, k=k):
            return matgrad.mlp_forward_backward({**params, k: P}, X, y, reg=reg)[0]

        matgrad.check_gradient(f, params[k], grads[k])


@given(n=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 4), c=st.integers(2, 4), seed=seeds)
def test_two_layer_net_against_hand_written_backprop(n, d, h, c, seed):
    rng = np.random.default_rng(seed)
    params, reg = random_net(rng, [d, h, c]), 0.03
    X, y = rng.standard_normal((n, d)), rng.integers(0, c, n)
    loss, grads = matgrad.two_layer_forward_backward(params, X, y, reg=reg)
    # the summary formulas, in this file's own code
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H1 = np.maximum(X @ W1 + b1, 0)
    Z2 = H1 @ W2 + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    dZ2 = (P - np.eye(c)[y]) / n
    dH1 = dZ2 @ W2.T
    dZ1 = dH1 * (H1 > 0)
    expected = {
        "W1": X.T @ dZ1 + 2 * reg * W1,
        "b1": dZ1.sum(axis=0),
        "W2": H1.T @ dZ2 + 2 * reg * W2,
        "b2": dZ2.sum(axis=0),
    }
    assert loss == pytest.approx(
        -np.mean(np.log(P[np.arange(n), y])) + reg * (np.sum(W1**2) + np.sum(W2**2)), rel=1e-12
    )
    for k in expected:
        assert grads[k].shape == expected[k].shape
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-10, atol=1e-13)


@given(n=st.integers(1, 6), seed=seeds)
def test_batch_gradient_is_mean_of_per_example_gradients(n, seed):
    rng = np.random.default_rng(seed)
    params = random_net(rng, [3, 4, 3, 2])
    X, y = rng.standard_normal((n, 3)), rng.integers(0, 2, n)
    loss, grads = matgrad.mlp_forward_backward(params, X, y)
    singles = [matgrad.mlp_forward_backward(params, X[i : i + 1], y[i : i + 1]) for i in range(n)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(grads[k], np.mean([s[1][k] for s in singles], axis=0), rtol=1e-10, atol=1e-14)


def test_scores_when_y_is_none():
    rng = np.random.default_rng(14)
    params = random_net(rng, [3, 5, 4, 2])
    X = rng.standard_normal((6, 3))
    scores = matgrad.mlp_forward_backward(params, X)
    assert scores.shape == (6, 2)
    np.testing.assert_allclose(scores, hand_forward(params, X)[-1], rtol=1e-12, atol=1e-14)
    two = {k: params[k] for k in ("W1", "b1", "W2", "b2")}
    two["W2"] = rng.standard_normal((5, 2))
    two["b2"] = rng.standard_normal(2)
    np.testing.assert_allclose(matgrad.two_layer_forward_backward(two, X), hand_forward(two, X)[-1], rtol=1e-12)


def test_one_layer_is_softmax_regression():
    rng = np.random.default_rng(15)
    params = random_net(rng, [3, 4])
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 4, 5)
    _loss, grads = matgrad.mlp_forward_backward(params, X, y)
    Z = X @ params["W1"] + params["b1"]
    E = np.exp(Z)
    G = (E / E.sum(axis=1, keepdims=True) - np.eye(4)[y]) / 5
    np.testing.assert_allclose(grads["W1"], X.T @ G, rtol=1e-10)
    np.testing.assert_allclose(grads["b1"], G.sum(axis=0), rtol=1e-10, atol=1e-15)


def test_one_hot_labels_give_the_same_result():
    rng = np.random.default_rng(16)
    params = random_net(rng, [2, 3, 3])
    X, y = rng.standard_normal((4, 2)), np.array([2, 0, 1, 2])
    loss, _grads = matgrad.mlp_forward_backward(params, X, np.eye(3)[y], reg=0.01)
    assert loss == pytest.approx(hand_loss(params, X, y, 0.01), rel=1e-12)


# ---------------------------------------------------------------------------- regularisation


def test_regularisation_conventions():
    # reg * sum ||W||^2 (gradient 2 reg W) equals the (reg'/2) sum ||W||^2 convention at reg' = 2 reg
    rng = np.random.default_rng(17)
    params = random_net(rng, [4, 6, 3])
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    reg = 1e-3
    reg_half = 2 * reg  # the coefficient of the (lambda/2) ||W||^2 convention (gradient lambda W)
    loss0, grads0 = matgrad.mlp_forward_backward(params, X, y, reg=0.0)
    loss, grads = matgrad.mlp_forward_backward(params, X, y, reg=reg)
    sq = np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)
    assert loss - loss0 == pytest.approx(0.5 * reg_half * sq, rel=1e-9)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(grads[k] - grads0[k], reg_half * params[k], rtol=1e-9, atol=1e-15)
    for k in ("b1", "b2"):  # biases are not penalised
        np.testing.assert_array_equal(grads[k], grads0[k])


# ---------------------------------------------------------------------------- stability, dtypes, no copies


def test_extreme_logits_are_finite_without_warnings():
    params = {
        "W1": np.array([[1.0, 0.0], [0.0, 1.0]]),
        "b1": np.zeros(2),
        "W2": np.array([[1.0, -1.0], [-1.0, 1.0]]),
        "b2": np.zeros(2),
    }
    X = np.array([[1e4, 0.0], [0.0, 1e4], [5e3, 5e3]])  # logits +-1e4 and a tie
    y = np.array([1, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = matgrad.mlp_forward_backward(params, X, y, reg=0.1)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert loss == pytest.approx((2e4 + 0.0 + np.log(2.0)) / 3 + 0.1 * 6, rel=1e-9)


def test_parameters_are_neither_modified_nor_copied_and_dtypes_kept():
    rng = np.random.default_rng(18)
    params = {k: v.astype(np.float32) for k, v in random_net(rng, [3, 4, 2]).items()}
    before = {k: v.copy() for k, v in params.items()}
    X = rng.standard_normal((5, 3)).astype(np.float32)
    X_before = X.copy()
    _loss, grads = matgrad.mlp_forward_backward(params, X, np.array([0, 1, 1, 0, 1]), reg=0.1)
    assert all(g.dtype == np.float32 for g in grads.values())
    assert matgrad.mlp_forward_backward(params, X).dtype == np.float32
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        assert not np.shares_memory(grads[k], params[k])
    np.testing.assert_array_equal(X, X_before)
    # no upcast through a NumPy float64 reg either
    _, grads = matgrad.mlp_forward_backward(params, X, np.array([0, 1, 1, 0, 1]), reg=np.float64(0.1))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_integer_x_is_computed_in_float64():
    params = random_net(np.random.default_rng(19), [2, 3, 2])
    loss, grads = matgrad.mlp_forward_backward(params, np.array([[1, 2], [3, -4]]), np.array([0, 1]))
    assert all(g.dtype == np.float64 for g in grads.values())
    assert loss == pytest.approx(hand_loss(params, np.array([[1.0, 2.0], [3.0, -4.0]]), np.array([0, 1]), 0.0))


# ---------------------------------------------------------------------------- bad input


def _good():
    rng = np.random.default_rng(20)
    return random_net(rng, [3, 4, 2]), rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda p: p.pop("b2"), "missing \\['b2'\\]"),
        (lambda p: p.pop("W1"), "missing \\['W1'\\]"),
        (lambda p: p.update(W3=np.ones((2, 2))), "missing \\['b3'\\]"),
        (lambda p: p.update(extra=np.ones(2)), "unexpected \\['extra'\\]"),
        (lambda p: p.update(w1=np.ones(2)), "unexpected \\['w1'\\]"),
        (lambda p: p.update(W1=np.ones((2, 4))), "W1 has shape \\(2, 4\\) but X has 3 columns"),
        (lambda p: p.update(W2=np.ones((3, 2))), "W2 has shape \\(3, 2\\) but W1 has 4 columns"),
        (lambda p: p.update(b1=np.ones(3)), "b1 has shape \\(3,\\)"),
        (lambda p: p.update(b2=np.ones((1, 2))), "b2 must have shape"),
        (lambda p: p.update(W1=np.ones(12)), "W1 must have shape"),
        (lambda p: p.update(W1=np.full((3, 4), np.nan)), "W1 must be finite"),
        (lambda p: p.update(b2=np.array([0.0, np.inf])), "b2 must be finite"),
        (lambda p: p.update(W2=np.ones((4, 2), dtype=np.float32)), "float32"),
    ],
)
def test_params_errors(change, match):
    params, X, y = _good()
    change(params)
    with pytest.raises(ValueError, match=match):
        matgrad.mlp_forward_backward(params, X, y)


@pytest.mark.parametrize(
    "X, y, reg, match",
    [
        (np.ones((5, 2)), None, 0.0, "W1 has shape \\(3, 4\\) but X has 2 columns"),
        (np.ones(3), None, 0.0, "X must have shape"),
        (np.ones((0, 3)), None, 0.0, "at least one row"),
        (np.array([[1.0, np.nan, 0.0]] * 5), None, 0.0, "X must be finite"),
        (None, np.array([0, 1, 1]), 0.0, "3 labels"),
        (None, np.array([0, 1, 2, 0, 1]), 0.0, "0..C-1"),
        (None, np.array([0, 1, -1, 0, 1]), 0.0, "0..C-1"),
        (None, np.array([0.0, 1.0, 1.0, 0.0, 1.0]), 0.0, "integer"),
        (None, np.array([0, 1, 1, 0, 1]), -0.1, "reg must be >= 0"),
        (None, np.array([0, 1, 1, 0, 1]), np.inf, "reg must be finite"),
    ],
)
def test_input_errors(X, y, reg, match):
    params, X_good, _y_good = _good()
    with pytest.raises(ValueError, match=match):
        matgrad.mlp_forward_backward(params, X_good if X is None else X, y, reg=reg)


def test_two_layer_requires_exactly_two_layers():
    params = random_net(np.random.default_rng(21), [3, 4, 4, 2])
    with pytest.raises(ValueError, match="exactly the keys W1, b1, W2, b2"):
        matgrad.two_layer_forward_backward(params, np.ones((2, 3)))
    with pytest.raises(ValueError, match="exactly the keys W1, b1, W2, b2"):
        matgrad.two_layer_forward_backward(random_net(np.random.default_rng(0), [3, 2]), np.ones((2, 3)))
    with pytest.raises(ValueError, match="dict"):
        matgrad.two_layer_forward_backward([np.ones((3, 2))], np.ones((2, 3)))
