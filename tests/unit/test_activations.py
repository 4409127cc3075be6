"""Tests of matgrad.activations against hand-written formulas, closed forms and finite differences."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad

seeds = st.integers(0, 2**32 - 1)
rows = st.integers(1, 5)
classes = st.integers(2, 6)


def naive_softmax(Z):
    """Textbook softmax, fine for the moderate logits used in these tests."""
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------- relu


def test_relu_and_its_derivative_by_hand():
    Z = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.5]])
    A = matgrad.relu(Z)
    assert A.shape == Z.shape and A.dtype == np.float64
    np.testing.assert_array_equal(A, [[0.0, 0.0, 0.0, 1e-300, 3.5]])
    D = matgrad.relu_derivative(Z)
    assert D.shape == Z.shape and D.dtype == np.float64
    np.testing.assert_array_equal(D, [[0.0, 0.0, 0.0, 1.0, 1.0]])  # 0 at the kink


@given(n=rows, h=rows, seed=seeds)
def test_relu_derivative_matches_finite_differences(n, h, seed):
    rng = np.random.default_rng(seed)
    Z, G = rng.standard_normal((n, h)), rng.standard_normal((n, h))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from the kink
    grad = G * matgrad.relu_derivative(Z)
    assert grad.shape == Z.shape
    matgrad.check_gradient(lambda Z: np.sum(G * matgrad.relu(Z)), Z, grad)


# ---------------------------------------------------------------------------- sigmoid


def test_sigmoid_closed_forms():
    assert matgrad.sigmoid(np.array(0.0)) == 0.5
    z = np.linspace(-30, 30, 61)
    s = matgrad.sigmoid(z)
    assert s.shape == z.shape
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(s + matgrad.sigmoid(-z), 1.0, rtol=1e-15)
    np.testing.assert_allclose(matgrad.sigmoid(np.log(3.0)), 0.75, rtol=1e-15)  # 1 / (1 + 1/3)


def test_sigmoid_derivative_by_finite_differences():
    rng = np.random.default_rng(4)
    Z, G = rng.standard_normal((3, 4)) * 3, rng.standard_normal((3, 4))
    S = 1 / (1 + np.exp(-Z))
    matgrad.check_gradient(lambda Z: np.sum(G * matgrad.sigmoid(Z)), Z, G * S * (1 - S))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_extreme_inputs_no_warnings(dtype):
    Z = np.array([-1e4, -800.0, -50.0, 50.0, 800.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S = matgrad.sigmoid(Z)
    assert S.dtype == dtype
    assert np.all(np.isfinite(S)) and np.all((S >= 0) & (S <= 1))
    assert S[0] == 0.0 and S[-1] == 1.0


def test_sigmoid_keeps_relative_precision_for_negative_inputs():
    # sigmoid(-z) = exp(-z) / (1 + exp(-z)) ~ exp(-z) for large z; the naive 1 - sigmoid(z) gives 0.
    z = np.array([-40.0, -700.0])
    np.testing.assert_allclose(matgrad.sigmoid(z), np.exp(z) / (1 + np.exp(z)), rtol=1e-14)
    assert matgrad.sigmoid(np.array(-700.0)) > 0


# ---------------------------------------------------------------------------- softmax, log_softmax


@given(n=rows, c=classes, seed=seeds)
def test_softmax_matches_textbook_formula(n, c, seed):
    Z = np.random.default_rng(seed).standard_normal((n, c)) * 3
    P = matgrad.softmax(Z)
    assert P.shape == (n, c) and P.dtype == np.float64
    np.testing.assert_allclose(P, naive_softmax(Z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)


def test_softmax_closed_forms():
    np.testing.assert_allclose(matgrad.softmax(np.zeros((2, 4))), 0.25)
    # two classes: softmax([a, b])[0] = sigmoid(a - b)
    P = matgrad.softmax(np.array([[1.5, -0.5]]))
    np.testing.assert_allclose(P[0, 0], 1 / (1 + np.exp(-2.0)), rtol=1e-15)
    # one row (C,) works along its only axis
    p = matgrad.softmax(np.array([0.0, np.log(3.0)]))
    assert p.shape == (2,)
    np.testing.assert_allclose(p, [0.25, 0.75], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_and_log_softmax_extreme_logits(dtype):
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = matgrad.softmax(Z)
        logP = matgrad.log_softmax(Z)
    assert P.dtype == logP.dtype == dtype
    assert np.all(np.isfinite(P)) and np.all(np.isfinite(logP))
    np.testing.assert_allclose(P, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=1e-7)
    np.testing.assert_allclose(logP[0], [0.0, -2e4, -1e4], rtol=1e-6)
    np.testing.assert_allclose(logP[1], -np.log(3.0), rtol=1e-6)


def test_softmax_is_shift_invariant_per_row():
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((4, 3))
    shift = rng.standard_normal((4, 1)) * 100
    np.testing.assert_allclose(matgrad.softmax(Z + shift), naive_softmax(Z), rtol=1e-12)


@given(n=rows, c=classes, seed=seeds)
def test_log_softmax_matches_textbook_and_fd(n, c, seed):
    rng = np.random.default_rng(seed)
    Z, G = rng.standard_normal((n, c)), rng.standard_normal((n, c))
    S = matgrad.log_softmax(Z)
    assert S.shape == (n, c)
    np.testing.assert_allclose(S, np.log(naive_softmax(Z)), rtol=1e-12, atol=1e-14)
    # d/dZ sum(G * log_softmax(Z)) = G - P * rowsum(G)  (hand-derived)
    P = naive_softmax(Z)
    grad = G - P * G.sum(axis=1, keepdims=True)
    matgrad.check_gradient(lambda Z: np.sum(G * matgrad.log_softmax(Z)), Z, grad)


# ---------------------------------------------------------------------------- softmax_jacobian


@given(c=classes, seed=seeds)
def test_softmax_jacobian_against_finite_differences(c, seed):
    z = np.random.default_rng(seed).standard_normal(c) * 2
    p = naive_softmax(z)
    J = matgrad.softmax_jacobian(p)
    J_fd = matgrad.numerical_jacobian(matgrad.softmax, z)
    assert J.shape == J_fd.shape == (c, c)
    assert matgrad.relative_error(J, J_fd) < 1e-7
    np.testing.assert_allclose(J, J.T, rtol=0, atol=0)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-15)


def test_softmax_jacobian_by_hand_for_two_classes():
    J = matgrad.softmax_jacobian(np.array([0.25, 0.75]))
    q = 0.25 * 0.75
    np.testing.assert_allclose(J, [[q, -q], [-q, q]], rtol=1e-15)


def test_softmax_jacobian_rejects_logits_and_matrices():
    with pytest.raises(ValueError, match="softmax"):
        matgrad.softmax_jacobian(np.array([2.0, -1.0, 0.5]))  # logits, not probabilities
    with pytest.raises(ValueError, match=r"\(C,\)"):
        matgrad.softmax_jacobian(np.full((2, 2), 0.5))


# ---------------------------------------------------------------------------- dtypes and bad input


@pytest.mark.parametrize(
    "fn", [matgrad.relu, matgrad.relu_derivative, matgrad.sigmoid, matgrad.softmax, matgrad.log_softmax]
)
def test_dtypes(fn):
    Z32 = np.array([[0.5, -1.0], [2.0, 0.0]], dtype=np.float32)
    assert fn(Z32).dtype == np.float32
    assert fn(np.array([[1, -2], [0, 3]])).dtype == np.float64  # integer input computed in float64


@pytest.mark.parametrize(
    "fn", [matgrad.relu, matgrad.relu_derivative, matgrad.sigmoid, matgrad.softmax, matgrad.log_softmax]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_raises(fn, bad):
    Z = np.array([[0.5, bad], [2.0, 0.0]])
    with pytest.raises(ValueError, match="finite"):
        fn(Z)


@pytest.mark.parametrize("fn", [matgrad.relu, matgrad.sigmoid, matgrad.softmax])
def test_non_numeric_input_raises(fn):
    with pytest.raises(ValueError, match="dtype"):
        fn(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="dtype"):
        fn(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="float32 or float64"):
        fn(np.array([1.0], dtype=np.float16))


def test_softmax_needs_a_class_axis():
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        matgrad.softmax(np.array(1.0))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        matgrad.log_softmax(np.zeros((3, 0)))


# ---------------------------------------------------------------------------- tanh and GELU layers

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def textbook_gelu_tanh(Z):
    """0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), as Hendrycks & Gimpel write it (moderate z only)."""
    return 0.5 * Z * (1 + np.tanh(SQRT_2_OVER_PI * (Z + 0.044715 * Z**3)))


def textbook_gelu_tanh_derivative(Z):
    """d/dz of the textbook form: 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2)."""
    t = np.tanh(SQRT_2_OVER_PI * (Z + 0.044715 * Z**3))
    return 0.5 * (1 + t) + 0.5 * Z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * Z**2)


@given(n=rows, h=rows, seed=seeds)
def test_tanh_layer_closed_forms(n, h, seed):
    rng = np.random.default_rng(seed)
    Z, G = 2 * rng.standard_normal((n, h)), rng.standard_normal((n, h))
    A, cache = matgrad.tanh_forward(Z)
    assert A.shape == Z.shape
    np.testing.assert_allclose(A, np.sinh(Z) / np.cosh(Z), rtol=1e-14, atol=1e-15)
    dZ = matgrad.tanh_backward(G, cache)
    assert dZ.shape == Z.shape
    np.testing.assert_allclose(dZ, G / np.cosh(Z) ** 2, rtol=1e-12, atol=1e-15)  # 1 - tanh^2 = sech^2


@given(n=rows, h=rows, seed=seeds)
def test_gelu_layer_matches_the_textbook_tanh_form(n, h, seed):
    rng = np.random.default_rng(seed)
    Z, G = 1.5 * rng.standard_normal((n, h)), rng.standard_normal((n, h))
    A, cache = matgrad.gelu_forward(Z)
    assert A.shape == Z.shape
    np.testing.assert_allclose(A, textbook_gelu_tanh(Z), rtol=1e-12, atol=1e-14)
    dZ = matgrad.gelu_backward(G, cache)
    assert dZ.shape == Z.shape
    np.testing.assert_allclose(dZ, G * textbook_gelu_tanh_derivative(Z), rtol=1e-12, atol=1e-14)


def test_gelu_values_by_hand_and_against_the_exact_gelu():
    A, cache = matgrad.gelu_forward(np.array([0.0, 1.0, -1.0]))
    assert A[0] == 0.0
    np.testing.assert_allclose(matgrad.gelu_backward(np.ones(3), cache)[0], 0.5, rtol=1e-15)  # Phi(0) = 1/2
    np.testing.assert_allclose(A[1] - A[2], 1.0, rtol=1e-15)  # z Phi(z) - (-z) Phi(-z) = z (Phi(z) + Phi(-z))
    # the tanh form approximates z Phi(z) with Phi the normal CDF, 0.5 (1 + erf(z / sqrt 2))
    z = np.linspace(-6, 6, 241)
    exact = np.array([0.5 * t * (1 + math.erf(t / math.sqrt(2))) for t in z])
    err = np.max(np.abs(matgrad.gelu_forward(z)[0] - exact))
    assert 1e-5 < err < 1e-3  # close, but not the exact GELU


def test_gelu_keeps_relative_precision_for_negative_inputs():
    # 0.5 z (1 + tanh u) loses everything here: tanh(u) rounds to -1 for u < -19
    z = -10.0
    u = SQRT_2_OVER_PI * (z + 0.044715 * z**3)
    assert textbook_gelu_tanh(np.array(z)) == 0.0
    expected = z * math.exp(2 * u) / (1 + math.exp(2 * u))  # (1 + tanh u) / 2 = e^{2u} / (1 + e^{2u})
    np.testing.assert_allclose(matgrad.gelu_forward(np.array([z]))[0], [expected], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_and_gelu_layers_at_extreme_inputs(dtype):
    huge = 1e30 if dtype == np.float32 else 1e200  # the cubic of these would overflow
    Z = np.array([[-huge, -1e4, -100.0, 0.0, 100.0, 1e4, huge]], dtype=dtype)
    G = np.full(Z.shape, 3.0, dtype=dtype)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        A, tcache = matgrad.tanh_forward(Z)
        dZ_tanh = matgrad.tanh_backward(G, tcache)
        Agelu, gcache = matgrad.gelu_forward(Z)
        dZ_gelu = matgrad.gelu_backward(G, gcache)
    for out in (A, dZ_tanh, Agelu, dZ_gelu):
        assert out.dtype == dtype and np.all(np.isfinite(out))
    np.testing.assert_array_equal(A, [[-1, -1, -1, 0, 1, 1, 1]])
    np.testing.assert_array_equal(dZ_tanh, [[0, 0, 0, 3, 0, 0, 0]])
    np.testing.assert_array_equal(Agelu, np.maximum(Z, 0))  # z Phi(z) -> max(z, 0), exactly
    np.testing.assert_array_equal(dZ_gelu, [[0, 0, 0, 1.5, 3, 3, 3]])  # Phi(0) = 1/2, derivative -> 0 or 1


@pytest.mark.parametrize("forward", [matgrad.tanh_forward, matgrad.gelu_forward])
def test_tanh_and_gelu_layers_reject_bad_input(forward):
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match=r"^Z must be finite"):
            forward(np.array([[0.5, bad]]))
    with pytest.raises(ValueError, match="Z must be a real numeric array"):
        forward(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="float32 or float64"):
        forward(np.array([1.0], dtype=np.float16))
    A, cache = forward(np.array([[1, -2], [0, 3]]))  # integer input computed in float64
    assert A.dtype == np.float64
    backward = getattr(matgrad, forward.__name__.replace("_forward", "_backward"))
    with pytest.raises(ValueError, match=r"dA must have the output's shape \(2, 2\); got \(2, 3\)"):
        backward(np.ones((2, 3)), cache)
    with pytest.raises(ValueError, match="dA is float32 but the forward pass ran in float64"):
        backward(np.ones((2, 2), dtype=np.float32), cache)
    with pytest.raises(ValueError, match="dA must be finite"):
        backward(np.array([[1.0, np.nan], [0.0, 1.0]]), cache)
