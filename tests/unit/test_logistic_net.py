"""Tests of matgrad.logistic_net: the single-output ReLU net with logistic loss of a common course exercise.

Wi (d, h), bi (h,), Wo (h,), bo scalar; X (d,) with Y in {-1, +1}, or X (N, d) with Y (N,)
and the SUMMED loss.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)
small = st.integers(1, 4)

NAMES = ("Wi", "bi", "Wo", "bo")


def random_net(rng, d, h):
    return [
        rng.standard_normal((d, h)),
        rng.standard_normal(h),
        rng.standard_normal(h),
        np.array(rng.standard_normal()),
    ]


def hand_loss(X, Y, Wi, bi, Wo, bo):
    """sum_n log(1 + exp(-Y_n yhat_n)), written out for moderate margins."""
    yhat = np.maximum(np.atleast_2d(X) @ Wi + bi, 0) @ Wo + bo
    return np.sum(np.log(1 + np.exp(-np.atleast_1d(Y) * yhat)))


def kink_distance(X, Wi, bi):
    return np.abs(np.atleast_2d(X) @ Wi + bi).min()


def fd_check_all(X, Y, args, grads):
    """Central differences of the summed loss on every entry of every parameter."""
    for i, _name in enumerate(NAMES):

        def f(P, i=i):
            changed = list(args)
            changed[i] = P
            return matgrad.logistic_net_loss(X, Y, *changed)

        matgrad.check_gradient(f, args[i], np.asarray(grads[i]))


def assert_shapes(grads, d, h):
    assert grads[0].shape == (d, h)
    assert grads[1].shape == (h,)
    assert grads[2].shape == (h,)
    assert isinstance(grads[3], float)


# ---------------------------------------------------------------------------- fast route


@given(d=small, h=st.integers(1, 5), seed=seeds)
def test_single_example_gradient_matches_finite_differences(d, h, seed):
    rng = np.random.default_rng(seed)
    args = random_net(rng, d, h)
    x, Y = rng.standard_normal(d), int(rng.choice([-1, 1]))
    assume(kink_distance(x, args[0], args[1]) > 1e-4)
    grads = matgrad.logistic_net_gradient(x, Y, *args)
    assert_shapes(grads, d, h)
    assert matgrad.logistic_net_loss(x, Y, *args) == pytest.approx(hand_loss(x, Y, *args), rel=1e-12)
    fd_check_all(x, Y, args, grads)


@given(n=st.integers(1, 6), d=small, h=small, seed=seeds)
def test_batch_gradient_matches_finite_differences_and_sum_of_examples(n, d, h, seed):
    rng = np.random.default_rng(seed)
    args = random_net(rng, d, h)
    X, Y = rng.standard_normal((n, d)), rng.choice([-1, 1], n)
    assume(kink_distance(X, args[0], args[1]) > 1e-4)
    grads = matgrad.logistic_net_gradient(X, Y, *args)
    assert_shapes(grads, d, h)
    fd_check_all(X, Y, args, grads)
    singles = [matgrad.logistic_net_gradient(X[i], Y[i], *args) for i in range(n)]
    for j in range(4):  # the loss is a sum, so its gradient is the sum of per-example gradients
        np.testing.assert_allclose(grads[j], sum(np.asarray(s[j]) for s in singles), rtol=1e-10, atol=1e-13)


def test_gradient_against_hand_written_formulas():
    rng = np.random.default_rng(22)
    Wi, bi, Wo, bo = random_net(rng, 2, 5)
    x, Y = rng.standard_normal(2), -1
    z = x @ Wi + bi
    H = np.maximum(z, 0)
    yhat = Wo @ H + bo
    g = -Y * np.exp(-Y * yhat) / (1 + np.exp(-Y * yhat))  # ds/dyhat
    gWi, gbi, gWo, gbo = matgrad.logistic_net_gradient(x, Y, Wi, bi, Wo, bo)
    assert gbo == pytest.approx(g, rel=1e-12)
    np.testing.assert_allclose(gWo, g * H, rtol=1e-12)
    np.testing.assert_allclose(gbi, g * Wo * (z > 0), rtol=1e-12)
    np.testing.assert_allclose(gWi, np.outer(x, g * Wo * (z > 0)), rtol=1e-12)


def test_forward_and_loss():
    rng = np.random.default_rng(23)
    Wi, bi, Wo, bo = random_net(rng, 3, 4)
    X = rng.standard_normal((5, 3))
    yhat = matgrad.logistic_net_forward(X, Wi, bi, Wo, bo)
    assert yhat.shape == (5,)
    np.testing.assert_allclose(yhat, np.maximum(X @ Wi + bi, 0) @ Wo + bo, rtol=1e-12)
    one = matgrad.logistic_net_forward(X[0], Wi, bi, Wo, bo)
    assert isinstance(one, float)
    assert one == pytest.approx(yhat[0], rel=1e-14)
    Y = np.array([1, -1, -1, 1, 1])
    loss = matgrad.logistic_net_loss(X, Y, Wi, bi, Wo, bo)
    assert isinstance(loss, float)
    assert loss == pytest.approx(hand_loss(X, Y, Wi, bi, Wo, bo), rel=1e-12)
    # bo as a plain Python float works the same
    assert matgrad.logistic_net_loss(X, Y, Wi, bi, Wo, float(bo)) == pytest.approx(loss, rel=1e-15)


# ---------------------------------------------------------------------------- Kronecker route


@given(d=small, h=st.integers(1, 5), seed=seeds)
def test_kronecker_route_equals_fast_route_and_fd(d, h, seed):
    rng = np.random.default_rng(seed)
    args = random_net(rng, d, h)
    x, Y = rng.standard_normal(d), float(rng.choice([-1.0, 1.0]))
    assume(kink_distance(x, args[0], args[1]) > 1e-4)
    kron = matgrad.logistic_net_gradient_kronecker(x, Y, *args)
    fast = matgrad.logistic_net_gradient(x, Y, *args)
    assert_shapes(kron, d, h)
    for a, b in zip(kron, fast, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    fd_check_all(x, Y, args, kron)


def test_kronecker_factor_is_the_jacobian_of_z_wrt_vec_wi():
    # the route's dz/dvec(Wi) = I_h kron x^T, checked against finite differences (column-major vec)
    rng = np.random.default_rng(24)
    d, h = 3, 2
    x, Wi, bi = rng.standard_normal(d), rng.standard_normal((d, h)), rng.standard_normal(h)
    J_fd = matgrad.numerical_jacobian(lambda W: x @ W + bi, Wi)
    assert J_fd.shape == (h, h * d)
    assert matgrad.relative_error(np.kron(np.eye(h), x.reshape(1, d)), J_fd) < 1e-8


def test_kronecker_route_is_per_example_only():
    rng = np.random.default_rng(25)
    args = random_net(rng, 2, 3)
    with pytest.raises(ValueError, match="per example"):
        matgrad.logistic_net_gradient_kronecker(np.ones((4, 2)), np.ones(4), *args)
    with pytest.raises(ValueError, match="shape"):
        matgrad.logistic_net_gradient_kronecker(np.ones(2), np.ones(1), *args)


# ---------------------------------------------------------------------------- stability and dtypes


def test_extreme_margins():
    Wi, bi = np.eye(2), np.zeros(2)
    Wo, bo = np.array([1.0, -1.0]), 0.0
    X = np.array([[1e4, 0.0], [0.0, 1e4], [1e4, 0.0]])  # yhat = 1e4, -1e4, 1e4
    Y = np.array([1, 1, -1])  # margins +1e4, -1e4, -1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = matgrad.logistic_net_loss(X, Y, Wi, bi, Wo, bo)
        grads = matgrad.logistic_net_gradient(X, Y, Wi, bi, Wo, bo)
        kron = matgrad.logistic_net_gradient_kronecker(X[1], Y[1], Wi, bi, Wo, bo)
    assert loss == pytest.approx(2e4, rel=1e-12)
    assert all(np.all(np.isfinite(g)) for g in grads) and all(np.all(np.isfinite(g)) for g in kron)
    assert grads[3] == pytest.approx(0.0 + -1.0 + 1.0, abs=1e-12)  # sum of -Y sigmoid(-Y yhat)


def test_dtypes_and_no_copies():
    rng = np.random.default_rng(26)
    Wi, bi, Wo, bo = (a.astype(np.float32) for a in random_net(rng, 2, 3))
    X = rng.standard_normal((4, 2)).astype(np.float32)
    grads = matgrad.logistic_net_gradient(X, np.array([1, -1, 1, 1]), Wi, bi, Wo, bo)
    assert all(g.dtype == np.float32 for g in grads[:3])
    assert matgrad.logistic_net_forward(X, Wi, bi, Wo, 0.5).dtype == np.float32  # a Python bo takes the dtype
    Wi64, bi64, Wo64, bo64 = random_net(rng, 2, 3)
    grads = matgrad.logistic_net_gradient(np.array([[1, 2]]), np.array([1]), Wi64, bi64, Wo64, bo64)
    assert all(g.dtype == np.float64 for g in grads[:3])


# ---------------------------------------------------------------------------- bad input


def _good():
    rng = np.random.default_rng(27)
    return rng.standard_normal((4, 2)), np.array([1, -1, 1, -1]), random_net(rng, 2, 3)


@pytest.mark.parametrize(
    "i, value, match",
    [
        (0, np.ones((3, 3)), "Wi has shape \\(3, 3\\) but X has 2 columns"),
        (0, np.ones(6), "Wi must have shape"),
        (1, np.ones(2), "bi must have shape"),
        (1, np.ones((1, 3)), "bi must have shape"),
        (2, np.ones(2), "Wo must have shape"),
        (2, np.ones((3, 1)), "Wo must have shape"),
        (3, np.ones(1), "bo must have shape"),
        (0, np.full((2, 3), np.nan), "Wi must be finite"),
        (3, np.inf, "bo must be finite"),
        (2, np.ones(3, dtype=np.float32), "float32"),
    ],
)
def test_parameter_errors(i, value, match):
    X, Y, args = _good()
    args[i] = value
    with pytest.raises(ValueError, match=match):
        matgrad.logistic_net_gradient(X, Y, *args)


@pytest.mark.parametrize(
    "X, Y, match",
    [
        (None, np.array([1, -1, 0, 1]), "-1 or \\+1"),
        (None, np.array([1, -1, 2, 1]), "-1 or \\+1"),
        (None, np.array([1, -1, 0.5, 1]), "-1 or \\+1"),
        (None, np.array([1, -1, 1]), "shape"),
        (None, 1, "shape"),
        (np.ones(2), np.array([1]), "shape"),
        (np.ones(2), 0, "-1 or \\+1"),
        (np.ones((4, 2, 1)), np.ones(4), "X must have shape"),
        (np.ones((0, 2)), np.ones(0), "at least one row"),
        (np.array([[np.nan, 0.0]] * 4), np.ones(4), "X must be finite"),
    ],
)
def test_input_and_label_errors(X, Y, match):
    X_good, _, args = _good()
    X = X_good if X is None else X
    for fn in (matgrad.logistic_net_gradient, matgrad.logistic_net_loss):
        with pytest.raises(ValueError, match=match):
            fn(X, Y, *args)


def test_labels_are_checked_before_the_cast_to_float32():
    """float64 labels 1 + 1e-8 round to 1 in float32; they are still not -1/+1 labels (a batch and one row)."""
    X, Y, args = _good()
    X32, args32 = X.astype(np.float32), [np.asarray(a, np.float32) for a in args[:3]] + [float(args[3])]
    for X_, Y_ in ((X32, Y * (1 + 1e-8)), (X32[:1], Y[:1] * (1 + 1e-8))):
        for fn in (matgrad.logistic_net_gradient, matgrad.logistic_net_loss):
            with pytest.raises(ValueError, match="-1 or \\+1"):
                fn(X_, Y_, *args32)
