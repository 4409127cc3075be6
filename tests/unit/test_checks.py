"""Tests of the input policy shared by every public function (matgrad._checks), through the public API.

The checks have a fast branch for the common case (float arrays of one dtype, finite, of the right
shapes) and a full branch that builds the error message; these tests pin that both agree: every
kind of bad input is still rejected with the same message, whichever branch sees it first.
"""

import warnings

import numpy as np
import pytest

import matgrad


def _net(rng, dtype=np.float64):
    return {k: v.astype(dtype) for k, v in matgrad.init_mlp([3, 4, 2], rng).items()}


# ---------------------------------------------------------------------------- finiteness: one probe per array


def test_huge_finite_values_are_accepted_without_warnings():
    # the probe a . a overflows to inf here, and only then are the entries inspected: all finite
    Z = np.array([[1e200, -1e200], [3.0, -1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A, _ = matgrad.relu_forward(Z)
        A32, _ = matgrad.relu_forward(np.full((3, 2), 3e38, dtype=np.float32))
    np.testing.assert_array_equal(A, [[1e200, 0.0], [3.0, 0.0]])
    assert A32.dtype == np.float32


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    "layout",
    ["C", "F", "strided", "large strided", "large F"],
)
def test_non_finite_entries_are_found_in_every_memory_layout(bad, layout):
    n = 100 if layout.startswith("large") else 4
    Z = np.zeros((n, 2 * n))
    Z[n - 1, 2 * n - 2] = bad
    view = {
        "C": Z,
        "F": np.asfortranarray(Z),
        "strided": Z[:, ::2],
        "large strided": Z[:, ::2],
        "large F": np.asfortranarray(Z),
    }[layout]
    with pytest.raises(ValueError, match=r"Z must be finite, but it has 1 non-finite entries"):
        matgrad.relu_forward(view)


def test_the_first_non_finite_array_is_named():
    rng = np.random.default_rng(0)
    params, X = _net(rng), rng.standard_normal((5, 3))
    params["W2"] = np.full((4, 2), np.nan)
    params["b1"] = np.full(4, np.inf)
    with pytest.raises(ValueError, match="b1 must be finite"):  # checked in the order X, W1, b1, W2, b2
        matgrad.mlp_forward_backward(params, X, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="X must be finite"):
        matgrad.mlp_forward_backward(params, X * np.nan, np.zeros(5, dtype=int))


# ---------------------------------------------------------------------------- dtypes: fast branch and full branch agree


def test_non_native_and_unusual_dtypes_follow_the_policy():
    rng = np.random.default_rng(1)
    params, X, y = _net(rng), rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    with pytest.raises(ValueError, match="float32 or float64"):
        matgrad.mlp_forward_backward({**params, "W1": params["W1"].astype(np.float16)}, X, y)
    with pytest.raises(ValueError, match="float32"):
        matgrad.mlp_forward_backward(params, X.astype(np.float32), y)
    integer_X = matgrad.mlp_forward_backward(params, np.arange(15).reshape(5, 3), y)
    assert integer_X[1]["W1"].dtype == np.float64
    as_lists = matgrad.mlp_forward_backward({k: v.tolist() for k, v in params.items()}, X.tolist(), y.tolist())
    reference = matgrad.mlp_forward_backward(params, X, y)
    assert as_lists[0] == reference[0]


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "uint64", ">i8", "<i4"])
def test_class_labels_of_every_integer_dtype(dtype):
    rng = np.random.default_rng(2)
    params, X = _net(rng), rng.standard_normal((4, 3))
    good = np.array([0, 1, 1, 0], dtype=dtype)
    loss, _ = matgrad.mlp_forward_backward(params, X, good)
    assert loss == matgrad.mlp_forward_backward(params, X, np.array([0, 1, 1, 0]))[0]
    with pytest.raises(ValueError, match=r"0\.\.C-1"):
        matgrad.mlp_forward_backward(params, X, np.array([0, 1, 2, 0], dtype=dtype))
    if np.dtype(dtype).kind == "i":
        with pytest.raises(ValueError, match="from -1 to 1"):
            matgrad.mlp_forward_backward(params, X, np.array([0, 1, -1, 0], dtype=dtype))


def test_reg_fast_branch_and_full_branch_agree():
    rng = np.random.default_rng(3)
    params, X, y = _net(rng), rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    loss = matgrad.mlp_forward_backward(params, X, y, reg=0.25)[0]
    for reg in (np.float64(0.25), np.array(0.25), np.float32(0.25)):
        assert matgrad.mlp_forward_backward(params, X, y, reg=reg)[0] == loss
    for reg, match in ((-0.5, "reg must be >= 0"), (np.nan, "reg must be finite"), (True, "real number")):
        with pytest.raises(ValueError, match=match):
            matgrad.mlp_forward_backward(params, X, y, reg=reg)


@pytest.mark.parametrize("Y", [True, 0, 2, -1.5, np.int64(1), np.float32(-1.0), np.array(1), np.array([1])])
def test_single_logistic_labels(Y):
    rng = np.random.default_rng(4)
    args = [rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal(3), 0.1]
    x = rng.standard_normal(2)
    label = np.asarray(Y)
    if label.dtype.kind == "b" or label.shape != () or abs(float(label)) != 1:
        with pytest.raises(ValueError, match="y must"):
            matgrad.logistic_net_gradient(x, Y, *args)
    else:
        grads = matgrad.logistic_net_gradient(x, Y, *args)
        expected = matgrad.logistic_net_gradient(x, int(label), *args)
        for g, e in zip(grads, expected, strict=True):
            np.testing.assert_array_equal(g, e)
