"""Tests of matgrad.kernels: each kernel against its teaching function, each net against its layers.

The nets (mlp_forward_backward, logistic_net_gradient) never call the teaching layers: they run the
kernels. So the second half of this file composes the public layers and losses by hand, forward
then backward, and asserts that each net gives the same loss and gradients to rounding, in float64
and float32, for several depths, with and without the L2 penalty, for one example and a batch.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad
from matgrad import kernels

seeds = st.integers(0, 2**32 - 1)
DTYPES = [np.float64, np.float32]
TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-13}, np.float32: {"rtol": 2e-5, "atol": 2e-6}}


def assert_same(actual, expected, dtype):
    """Shape and dtype first, then the values to rounding."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype == dtype
    np.testing.assert_allclose(actual, expected, **TOL[dtype])


# ---------------------------------------------------------------------------- kernels vs teaching functions


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (90, 6), (300, 20)])
def test_add_bias_relu_is_affine_then_relu(dtype, shape):
    rng = np.random.default_rng(1)
    N, H = shape
    A_prev, W, b = (rng.standard_normal(s).astype(dtype) for s in ((N, 4), (4, H), (H,)))
    Z = A_prev @ W
    out = kernels.add_bias_relu(Z, b)
    assert out is Z  # in place
    expected, _ = matgrad.relu_forward(matgrad.affine_forward(A_prev, W, b)[0])
    assert_same(out, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_column_sums_is_the_bias_gradient(dtype):
    rng = np.random.default_rng(2)
    X, W, b, dZ = (rng.standard_normal(s).astype(dtype) for s in ((7, 3), (3, 5), (5,), (7, 5)))
    _, _, db = matgrad.affine_backward(dZ, matgrad.affine_forward(X, W, b)[1])
    assert_same(kernels.column_sums(dZ), db, dtype)
    assert_same(kernels.column_sums(dZ, kernels.ones(7, np.dtype(dtype))), db, dtype)
    assert_same(kernels.ones(3, np.dtype(dtype)), np.ones(3, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_into_is_affine_backward_then_relu_backward(dtype):
    rng = np.random.default_rng(3)
    N, H_prev, H = 6, 4, 3
    Z_prev, W, b, dZ = (rng.standard_normal(s).astype(dtype) for s in ((N, H_prev), (H_prev, H), (H,), (N, H)))
    A, relu_cache = matgrad.relu_forward(Z_prev)
    dA, _, _ = matgrad.affine_backward(dZ, matgrad.affine_forward(A, W, b)[1])
    expected = matgrad.relu_backward(dA, relu_cache)
    A_work = A.copy()
    out = kernels.relu_backward_into(dZ, W, A_work)
    assert out is A_work  # written over A
    assert_same(out, expected, dtype)


@pytest.mark.parametrize("C", [1, 2, 3, 16, 17, 40])
def test_row_max(C):
    Z = np.random.default_rng(4).standard_normal((9, C))
    np.testing.assert_array_equal(kernels.row_max(Z), Z.max(axis=1))


@given(n=st.integers(1, 8), c=st.integers(1, 20), seed=seeds, dtype=st.sampled_from(DTYPES))
def test_softmax_cross_entropy_into_is_softmax_cross_entropy(n, c, seed, dtype):
    rng = np.random.default_rng(seed)
    Z, y = (3 * rng.standard_normal((n, c))).astype(dtype), rng.integers(0, c, n)
    loss, dZ = matgrad.softmax_cross_entropy(Z, y)
    Z_work = Z.copy()
    loss_k, dZ_k = kernels.softmax_cross_entropy_into(Z_work, y)
    assert dZ_k is Z_work  # overwritten
    assert loss_k == pytest.approx(
        loss, **({"rel": 1e-12, "abs": 1e-15} if dtype == np.float64 else {"rel": 1e-5, "abs": 1e-6})
    )
    assert_same(dZ_k, dZ, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_into_extreme_logits(dtype):
    Z = np.array([[1e4, -1e4], [1e4, -1e4], [-1e4, -1e4]], dtype=dtype)
    y = np.array([0, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dZ = kernels.softmax_cross_entropy_into(Z.copy(), y)
    assert loss == pytest.approx((0 + 2e4 + np.log(2.0)) / 3, rel=1e-6)
    assert_same(dZ, matgrad.softmax_cross_entropy(Z, y)[1], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_norm_is_the_l2_penalty_at_reg_1(dtype):
    W = np.random.default_rng(5).standard_normal((4, 3)).astype(dtype)
    for M in (W, W.T, W[:, ::2]):  # C-contiguous, F-contiguous, neither
        assert kernels.squared_norm(M) == pytest.approx(matgrad.l2_penalty({"W1": M}, 1.0)[0], rel=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_loss_sum_is_logistic_loss(dtype):
    rng = np.random.default_rng(6)
    yhat = np.concatenate([3 * rng.standard_normal(20), [1e4, -1e4, 0.0]]).astype(dtype)
    y = rng.choice([-1.0, 1.0], yhat.size).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss_k, dyhat_k = kernels.logistic_loss_sum(yhat, y)
    loss, dyhat = matgrad.logistic_loss(yhat, y)
    assert loss_k == pytest.approx(loss, rel=1e-6 if dtype == np.float32 else 1e-13)
    assert_same(dyhat_k, dyhat, dtype)


@pytest.mark.parametrize("yhat", [-1e4, -30.0, -1.5, -1e-9, 0.0, 2e-9, 0.7, 40.0, 1e4])
@pytest.mark.parametrize("y", [-1.0, 1.0])
def test_logistic_loss_one_is_logistic_loss_of_one_example(yhat, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dyhat = kernels.logistic_loss_one(yhat, y)
    loss_ref, dyhat_ref = matgrad.logistic_loss(yhat, y)
    assert isinstance(loss, float) and isinstance(dyhat, float)
    assert loss == pytest.approx(loss_ref, rel=1e-15, abs=1e-300)
    assert dyhat == pytest.approx(dyhat_ref, rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N, h", [(5, 3), (1200, 1000)], ids=["matrix product", "einsum (above 8 MiB)"])
def test_outer(N, h, dtype):
    rng = np.random.default_rng(7)
    u, v = rng.standard_normal(N).astype(dtype), rng.standard_normal(h).astype(dtype)
    assert_same(kernels.outer(u, v), np.outer(u, v), dtype)


# ---------------------------------------------------------------------------- the MLP is its layers, composed


def composed_mlp(params, X, y, reg):
    """mlp_forward_backward written with the public layers and losses only."""
    L = len(params) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        Z, affine_cache = matgrad.affine_forward(A, params[f"W{l}"], params[f"b{l}"])
        relu_cache = None
        if l < L:
            A, relu_cache = matgrad.relu_forward(Z)
        caches.append((affine_cache, relu_cache))
    scores = Z
    if y is None:
        return scores
    loss, dZ = matgrad.softmax_cross_entropy(scores, y)
    penalty_grads = {}
    if reg:
        penalty, penalty_grads = matgrad.l2_penalty(params, reg)
        loss += penalty
    grads = {}
    for l in range(L, 0, -1):
        dA_prev, dW, db = matgrad.affine_backward(dZ, caches[l - 1][0])
        grads[f"W{l}"] = dW + penalty_grads[f"W{l}"] if reg else dW
        grads[f"b{l}"] = db
        if l > 1:
            dZ = matgrad.relu_backward(dA_prev, caches[l - 2][1])
    return loss, grads


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reg", [0.0, 0.05])
@pytest.mark.parametrize("sizes", [[4, 3], [4, 6, 3], [5, 7, 4, 3]], ids=["L=1", "L=2", "L=3"])
@pytest.mark.parametrize("N", [1, 9, 90])
def test_mlp_is_the_composition_of_its_layers(sizes, reg, dtype, N):
    rng = np.random.default_rng(len(sizes) * 100 + N)
    params = {k: v.astype(dtype) for k, v in matgrad.init_mlp(sizes, rng).items()}
    for l in range(1, len(sizes)):
        params[f"b{l}"] = (0.3 * rng.standard_normal(sizes[l])).astype(dtype)
    X = rng.standard_normal((N, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], N)
    loss, grads = matgrad.mlp_forward_backward(params, X, y, reg=reg)
    loss_c, grads_c = composed_mlp(params, X, y, reg)
    assert isinstance(loss, float)
    assert loss == pytest.approx(loss_c, rel=1e-12 if dtype == np.float64 else 2e-6)
    assert list(grads) == list(params)
    for k in params:
        assert_same(grads[k], grads_c[k], dtype)
    assert_same(matgrad.mlp_forward_backward(params, X), composed_mlp(params, X, None, reg), dtype)
    if len(sizes) == 3:
        loss_2, grads_2 = matgrad.two_layer_forward_backward(params, X, y, reg=reg)
        assert loss_2 == loss and all(np.array_equal(grads_2[k], grads[k]) for k in params)


# ---------------------------------------------------------------------------- the logistic net is its layers, composed


def composed_logistic_net(X, Y, Wi, bi, Wo, bo):
    """logistic_net_gradient written with the public layers and logistic_loss only.

    The output layer is the affine layer with the weight Wo as an (h, 1) matrix and bo as a (1,)
    bias; for one example X (d,) every array loses its leading N axis.
    """
    Z, affine_in = matgrad.affine_forward(X, Wi, bi)  # (N, h) or (h,)
    H, relu_cache = matgrad.relu_forward(Z)
    yhat, affine_out = matgrad.affine_forward(H, Wo[:, None], np.reshape(bo, 1))  # (N, 1) or (1,)
    loss, dyhat = matgrad.logistic_loss(yhat[..., 0], Y)
    dH, dWo, dbo = matgrad.affine_backward(np.reshape(dyhat, yhat.shape).astype(yhat.dtype), affine_out)
    dZ = matgrad.relu_backward(dH, relu_cache)
    _, dWi, dbi = matgrad.affine_backward(dZ, affine_in)
    return loss, (dWi, dbi, dWo[:, 0], float(dbo[0]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N", [None, 1, 7], ids=["one example", "batch of 1", "batch of 7"])
def test_logistic_net_is_the_composition_of_its_layers(N, dtype):
    rng = np.random.default_rng(8 if N is None else N)
    d, h = 2, 12
    Wi, bi, Wo = (rng.standard_normal(s).astype(dtype) for s in ((d, h), (h,), (h,)))
    bo = np.array(0.3, dtype)
    if N is None:
        X, Y = rng.standard_normal(d).astype(dtype), -1
    else:
        X, Y = rng.standard_normal((N, d)).astype(dtype), rng.choice([-1, 1], N)
    grads = matgrad.logistic_net_gradient(X, Y, Wi, bi, Wo, bo)
    loss_c, grads_c = composed_logistic_net(X, Y, Wi, bi, Wo, bo)
    for g, g_c in zip(grads[:3], grads_c[:3], strict=True):
        assert_same(g, g_c, dtype)
    assert isinstance(grads[3], float)
    assert grads[3] == pytest.approx(grads_c[3], rel=1e-12 if dtype == np.float64 else 2e-6)
    assert matgrad.logistic_net_loss(X, Y, Wi, bi, Wo, bo) == pytest.approx(
        loss_c, rel=1e-12 if dtype == np.float64 else 2e-6
    )
    loss, grads_dict = matgrad.logistic_net_loss_and_grads({"Wi": Wi, "bi": bi, "Wo": Wo, "bo": bo}, X, Y)
    assert loss == pytest.approx(loss_c, rel=1e-12 if dtype == np.float64 else 2e-6)
    assert list(grads_dict) == ["Wi", "bi", "Wo", "bo"]
    for g, g_c in zip(grads_dict.values(), grads, strict=True):
        np.testing.assert_array_equal(g, g_c)
