"""Tests of matgrad.losses: softmax cross-entropy (mean), logistic loss (sum), mean squared error (mean), L2 penalty."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)


def naive_cross_entropy(Z, y):
    """-(1/N) sum_i log(exp(z_{i,y_i}) / sum_k exp(z_{i,k})), written out for moderate logits."""
    E = np.exp(Z)
    return -np.mean(np.log(E[np.arange(len(y)), y] / E.sum(axis=1)))


# ---------------------------------------------------------------------------- softmax cross-entropy


@given(n=st.integers(1, 6), c=st.integers(2, 5), seed=seeds)
def test_softmax_cross_entropy_value_and_gradient(n, c, seed):
    rng = np.random.default_rng(seed)
    Z, y = 2 * rng.standard_normal((n, c)), rng.integers(0, c, n)
    loss, dZ = matgrad.softmax_cross_entropy(Z, y)
    assert isinstance(loss, float)
    assert dZ.shape == (n, c) and dZ.dtype == np.float64
    assert loss == pytest.approx(naive_cross_entropy(Z, y), rel=1e-12)
    matgrad.check_gradient(lambda Z: matgrad.softmax_cross_entropy(Z, y)[0], Z, dZ)
    E = np.exp(Z)
    Y = np.eye(c)[y]
    np.testing.assert_allclose(dZ, (E / E.sum(axis=1, keepdims=True) - Y) / n, rtol=1e-12, atol=1e-15)


@given(n=st.integers(1, 6), c=st.integers(2, 4), seed=seeds)
def test_softmax_cross_entropy_batch_is_mean_of_examples(n, c, seed):
    rng = np.random.default_rng(seed)
    Z, y = rng.standard_normal((n, c)), rng.integers(0, c, n)
    loss, dZ = matgrad.softmax_cross_entropy(Z, y)
    singles = [matgrad.softmax_cross_entropy(Z[i : i + 1], y[i : i + 1]) for i in range(n)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-12)
    np.testing.assert_allclose(dZ, np.vstack([s[1] for s in singles]) / n, rtol=1e-12, atol=1e-16)


def test_softmax_cross_entropy_closed_forms():
    # equal logits: P = 1/C, loss = log C, dZ = (1/C - Y) / N
    loss, dZ = matgrad.softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert loss == pytest.approx(np.log(4.0), rel=1e-15)
    np.testing.assert_allclose(dZ, (0.25 - np.eye(4)[[0, 3]]) / 2, rtol=1e-15)
    # two classes: loss = log(1 + exp(z_other - z_true))
    loss, _ = matgrad.softmax_cross_entropy(np.array([[2.0, -1.0]]), np.array([1]))
    assert loss == pytest.approx(np.log1p(np.exp(3.0)), rel=1e-14)


def test_softmax_cross_entropy_one_hot_targets():
    rng = np.random.default_rng(9)
    Z, y = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    for Y in (np.eye(3)[y], np.eye(3, dtype=int)[y], np.eye(3, dtype=bool)[y]):
        loss, dZ = matgrad.softmax_cross_entropy(Z, Y)
        assert loss == pytest.approx(naive_cross_entropy(Z, y), rel=1e-12)
        matgrad.check_gradient(lambda Z, Y=Y: matgrad.softmax_cross_entropy(Z, Y)[0], Z, dZ)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_extreme_logits(dtype):
    Z = np.array([[1e4, -1e4], [1e4, -1e4], [-1e4, -1e4]], dtype=dtype)
    y = np.array([0, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dZ = matgrad.softmax_cross_entropy(Z, y)
    assert dZ.dtype == dtype and np.isfinite(loss) and np.all(np.isfinite(dZ))
    # row 0 right with certainty (0), row 1 wrong by a margin 2e4 (2e4), row 2 a tie (log 2)
    assert loss == pytest.approx((0 + 2e4 + np.log(2.0)) / 3, rel=1e-6)
    np.testing.assert_allclose(dZ, np.array([[0, 0], [1, -1], [0.5, -0.5]]) / 3, atol=1e-7)


def test_softmax_cross_entropy_does_not_modify_z():
    Z = np.random.default_rng(10).standard_normal((3, 2))
    before = Z.copy()
    matgrad.softmax_cross_entropy(Z, np.array([0, 1, 1]))
    np.testing.assert_array_equal(Z, before)


def test_softmax_cross_entropy_dtypes():
    Z = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    assert matgrad.softmax_cross_entropy(Z, np.array([0, 1]))[1].dtype == np.float32
    assert matgrad.softmax_cross_entropy(np.array([[1, 0]]), np.array([0]))[1].dtype == np.float64


@pytest.mark.parametrize(
    "y, match",
    [
        (np.array([0, 1]), "2 labels but there are N = 3 rows"),
        (np.array([0, 1, 2, 0]), "4 labels"),
        (np.array([0, -1, 2]), "0..C-1"),
        (np.array([0, 1, 3]), "0..C-1"),
        (np.array([0.0, 1.0, 2.0]), "integer"),
        (np.array([0.0, 1.5, 2.0]), "integer"),
        (np.array([True, False, True]), "integer"),
        (np.array(["0", "1", "2"]), "integer"),
        (np.array([[0, 1, 2]]), "one-hot of shape|shape \\(N, C\\)"),
        (np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]]), "one-hot"),
        (np.array([[1, 0, 0], [0, 0, 0], [0, 0, 1]]), "one-hot"),
        (np.array([[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]]), "one-hot"),
        (np.eye(4)[:3], "one-hot"),
        (np.zeros((3, 1, 1), dtype=int), "shape"),
    ],
)
def test_softmax_cross_entropy_label_errors(y, match):
    with pytest.raises(ValueError, match=match):
        matgrad.softmax_cross_entropy(np.zeros((3, 3)), y)


def test_softmax_cross_entropy_logit_errors():
    y = np.array([0, 1])
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        matgrad.softmax_cross_entropy(np.zeros(2), y)
    with pytest.raises(ValueError, match="N >= 1"):
        matgrad.softmax_cross_entropy(np.zeros((0, 2)), np.array([], dtype=int))
    with pytest.raises(ValueError, match="finite"):
        matgrad.softmax_cross_entropy(np.array([[0.0, np.nan], [1.0, 2.0]]), y)
    with pytest.raises(ValueError, match="finite"):
        matgrad.softmax_cross_entropy(np.array([[0.0, np.inf], [1.0, 2.0]]), y)


# ---------------------------------------------------------------------------- logistic loss


@given(n=st.integers(1, 8), seed=seeds)
def test_logistic_loss_value_and_gradient(n, seed):
    rng = np.random.default_rng(seed)
    yhat, y = 3 * rng.standard_normal(n), rng.choice([-1, 1], n)
    loss, dyhat = matgrad.logistic_loss(yhat, y)
    assert isinstance(loss, float)
    assert dyhat.shape == (n,) and dyhat.dtype == np.float64
    assert loss == pytest.approx(np.sum(np.log(1 + np.exp(-y * yhat))), rel=1e-12)
    matgrad.check_gradient(lambda v: matgrad.logistic_loss(v, y)[0], yhat, dyhat)
    np.testing.assert_allclose(dyhat, -y * np.exp(-y * yhat) / (1 + np.exp(-y * yhat)), rtol=1e-12)


@given(n=st.integers(1, 8), seed=seeds)
def test_logistic_loss_batch_is_sum_of_examples(n, seed):
    rng = np.random.default_rng(seed)
    yhat, y = rng.standard_normal(n), rng.choice([-1.0, 1.0], n)
    loss, dyhat = matgrad.logistic_loss(yhat, y)
    singles = [matgrad.logistic_loss(yhat[i], y[i]) for i in range(n)]
    assert all(isinstance(s[1], float) for s in singles)  # scalar in, float out
    assert loss == pytest.approx(sum(s[0] for s in singles), rel=1e-12)
    np.testing.assert_allclose(dyhat, [s[1] for s in singles], rtol=1e-15)


def test_logistic_loss_closed_forms():
    loss, d = matgrad.logistic_loss(np.zeros(3), np.array([1, -1, 1]))
    assert loss == pytest.approx(3 * np.log(2.0), rel=1e-15)
    np.testing.assert_allclose(d, [-0.5, 0.5, -0.5], rtol=1e-15)
    loss, d = matgrad.logistic_loss(np.log(3.0), 1)  # log(1 + 1/3), -sigmoid(-log 3) = -1/4
    assert loss == pytest.approx(np.log(4 / 3), rel=1e-14)
    assert d == pytest.approx(-0.25, rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logistic_loss_extreme_margins(dtype):
    yhat = np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype)
    y = np.array([1, 1, -1, -1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, d = matgrad.logistic_loss(yhat, y)
    assert d.dtype == dtype and np.isfinite(loss) and np.all(np.isfinite(d))
    assert loss == pytest.approx(2e4, rel=1e-6)  # two margins of -1e4 cost 1e4 each, the others 0
    np.testing.assert_allclose(d, [0.0, -1.0, 1.0, 0.0], atol=1e-7)


@pytest.mark.parametrize(
    "yhat, y, match",
    [
        (np.zeros(3), np.array([1, 0, -1]), "-1 or \\+1"),
        (np.zeros(3), np.array([1, 2, -1]), "-1 or \\+1"),
        (np.zeros(3), np.array([1, 0.5, -1]), "-1 or \\+1"),
        (np.zeros(3), np.array([1, np.nan, -1]), "-1 or \\+1"),
        (np.zeros(3), np.array([True, False, True]), "dtype"),
        (np.zeros(3), np.array([1, -1]), "shape"),
        (np.zeros(3), np.array([[1, -1, 1]]), "shape"),
        (0.0, np.array([1]), "shape"),
        (np.zeros((3, 1)), np.ones((3, 1)), "yhat must have shape"),
        (np.array([0.0, np.inf]), np.array([1, 1]), "finite"),
        (np.array([0.0, np.nan]), np.array([1, 1]), "finite"),
    ],
)
def test_logistic_loss_errors(yhat, y, match):
    with pytest.raises(ValueError, match=match):
        matgrad.logistic_loss(yhat, y)


# ---------------------------------------------------------------------------- L2 penalty


def _params(rng):
    return {
        "W1": rng.standard_normal((3, 4)),
        "b1": rng.standard_normal(4),
        "W2": rng.standard_normal((4, 2)),
        "b2": rng.standard_normal(2),
    }


def test_l2_penalty_value_and_gradients():
    rng = np.random.default_rng(11)
    params, reg = _params(rng), 0.37
    penalty, grads = matgrad.l2_penalty(params, reg)
    assert sorted(grads) == ["W1", "W2"]  # biases are not penalised
    assert grads["W1"].shape == (3, 4) and grads["W2"].shape == (4, 2)
    assert penalty == pytest.approx(reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)), rel=1e-14)
    for k in ("W1", "W2"):

        def f(W, k=k):
            return matgrad.l2_penalty({**params, k: W}, reg)[0]

        matgrad.check_gradient(f, params[k], grads[k])


def test_l2_penalty_two_conventions_agree():
    # reg * ||W||^2 (gradient 2 reg W) is the (reg'/2) ||W||^2 convention (gradient reg' W) at reg' = 2 reg
    params, reg = _params(np.random.default_rng(12)), 0.05
    reg_half = 2 * reg
    penalty, grads = matgrad.l2_penalty(params, reg)
    half_convention = sum(0.5 * reg_half * np.sum(params[k] ** 2) for k in ("W1", "W2"))
    assert penalty == pytest.approx(half_convention, rel=1e-14)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(grads[k], reg_half * params[k], rtol=1e-15)


def test_l2_penalty_dtype_and_zero():
    W = np.ones((2, 2), dtype=np.float32)
    penalty, grads = matgrad.l2_penalty({"W1": W, "b1": np.zeros(2, dtype=np.float32)}, 0.5)
    assert grads["W1"].dtype == np.float32 and penalty == pytest.approx(2.0)
    assert matgrad.l2_penalty({"W1": W}, 0.0) == (0.0, {"W1": pytest.approx(np.zeros((2, 2)))})


def test_l2_penalty_errors():
    params = _params(np.random.default_rng(13))
    with pytest.raises(ValueError, match="reg must be >= 0"):
        matgrad.l2_penalty(params, -0.1)
    with pytest.raises(ValueError, match="reg must be finite"):
        matgrad.l2_penalty(params, np.nan)
    with pytest.raises(ValueError, match="reg must be a real number"):
        matgrad.l2_penalty(params, "0.1")
    with pytest.raises(ValueError, match="no weight entry"):
        matgrad.l2_penalty({"b1": np.ones(2)}, 0.1)
    with pytest.raises(ValueError, match="dict"):
        matgrad.l2_penalty([np.ones(2)], 0.1)
    with pytest.raises(ValueError, match="W2 must be finite"):
        matgrad.l2_penalty({**params, "W2": np.full((4, 2), np.inf)}, 0.1)


# ---------------------------------------------------------------------------- mean squared error


@given(n=st.integers(1, 6), c=st.integers(1, 4), seed=seeds)
def test_mse_loss_value_and_gradient(n, c, seed):
    rng = np.random.default_rng(seed)
    Yhat, Y = rng.standard_normal((n, c)), rng.standard_normal((n, c))
    loss, dYhat = matgrad.mse_loss(Yhat, Y)
    assert isinstance(loss, float) and dYhat.shape == (n, c) and dYhat.dtype == np.float64
    # (1/N) sum_n ||yhat_n - y_n||^2, one example at a time
    assert loss == pytest.approx(sum(np.dot(Yhat[i] - Y[i], Yhat[i] - Y[i]) for i in range(n)) / n, rel=1e-12)
    np.testing.assert_allclose(dYhat, 2 * (Yhat - Y) / n, rtol=1e-14)
    matgrad.check_gradient(lambda V: matgrad.mse_loss(V, Y)[0], Yhat, dYhat)


def test_mse_loss_closed_form_and_the_other_conventions():
    Yhat, Y = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]]), np.array([[0.0, 0.0], [0.0, 1.0], [3.0, 2.0]])
    loss, dYhat = matgrad.mse_loss(Yhat, Y)
    assert loss == pytest.approx((1 + 4 + 0 + 4 + 0 + 1) / 3, rel=1e-15)
    np.testing.assert_allclose(dYhat, np.array([[2.0, 4.0], [0.0, -4.0], [0.0, 2.0]]) / 3, rtol=1e-15)
    # the 1/2 convention halves the loss and the gradient; the per-entry mean divides both by C = 2
    assert matgrad.mse_loss(Yhat, Y)[0] / 2 == pytest.approx(np.sum((Yhat - Y) ** 2) / (2 * 3), rel=1e-15)
    assert matgrad.mse_loss(Yhat, Y)[0] / 2 == pytest.approx(np.mean((Yhat - Y) ** 2), rel=1e-15)
    assert matgrad.mse_loss(Yhat, Yhat.copy()) == (0.0, pytest.approx(np.zeros((3, 2))))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mse_loss_extremes_and_dtypes(dtype):
    Yhat = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        loss, dYhat = matgrad.mse_loss(Yhat, -Yhat)
    assert dYhat.dtype == dtype and np.isfinite(loss) and np.all(np.isfinite(dYhat))
    assert loss == pytest.approx(4 * 4e8 / 2, rel=1e-6)
    np.testing.assert_allclose(dYhat, 2 * (2 * Yhat) / 2, rtol=1e-6)
    assert matgrad.mse_loss(Yhat, np.zeros((2, 2), dtype=int))[1].dtype == dtype  # integer targets converted
    assert matgrad.mse_loss(np.ones((2, 1), dtype=int), np.zeros((2, 1), dtype=int))[1].dtype == np.float64


def test_mse_loss_does_not_modify_its_inputs():
    rng = np.random.default_rng(14)
    Yhat, Y = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    before = Yhat.copy(), Y.copy()
    matgrad.mse_loss(Yhat, Y)
    np.testing.assert_array_equal(Yhat, before[0])
    np.testing.assert_array_equal(Y, before[1])


@pytest.mark.parametrize(
    "Yhat, Y, match",
    [
        (
            np.zeros(3),
            np.zeros(3),
            r"Yhat must have shape \(N, C\) \(one column: Yhat.reshape\(-1, 1\)\); got ",
        ),
        (np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), r"Yhat must have shape \(N, C\).*got shape \(2, 3, 1\)"),
        (np.zeros((0, 2)), np.zeros((0, 2)), r"N >= 1 and C >= 1; got \(0, 2\)"),
        (np.zeros((2, 0)), np.zeros((2, 0)), r"N >= 1 and C >= 1; got \(2, 0\)"),
        (
            np.zeros((3, 2)),
            np.zeros((3, 1)),
            r"Y must have Yhat's shape \(3, 2\) \(no broadcasting\); got shape \(3, 1",
        ),
        (np.zeros((3, 2)), np.zeros(2), r"Y must have Yhat's shape \(3, 2\).*got shape \(2,\)"),
        (np.zeros((3, 1)), np.zeros(3), r"Y must have Yhat's shape \(3, 1\).*got shape \(3,\)"),
        (np.zeros((3, 2)), np.zeros((2, 3)), r"got shape \(2, 3\)"),
        (np.zeros((3, 2), np.float32), np.zeros((3, 2)), "Yhat is float32, Y is float64"),
        (np.array([[0.0, np.nan]]), np.zeros((1, 2)), "^Yhat must be finite"),
        (np.zeros((1, 2)), np.array([[np.inf, 0.0]]), "^Y must be finite"),
        (np.zeros((1, 2)), np.array([["a", "b"]]), "Y must be a real numeric array"),
        (np.zeros((1, 2), np.complex128), np.zeros((1, 2)), "Yhat must be a real numeric array"),
    ],
)
def test_mse_loss_errors(Yhat, Y, match):
    with pytest.raises(ValueError, match=match):
        matgrad.mse_loss(Yhat, Y)
