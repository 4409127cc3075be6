"""Tests of matgrad.gradcheck: vec/unvec, finite differences, relative error, check_gradient.

Expected values come from closed forms (gradient of a^T X b is a b^T, Jacobian of A X B is
B^T kron A) and from column stacking written out by hand, never from matgrad itself.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matgrad
from matgrad import GradientCheckError

dims = st.integers(1, 4)
seeds = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------------------- vec / unvec


def test_vec_stacks_columns():
    A = np.arange(6.0).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]
    v = matgrad.vec(A)
    assert v.shape == (6,)
    np.testing.assert_array_equal(v, [0.0, 3.0, 1.0, 4.0, 2.0, 5.0])
    np.testing.assert_array_equal(v, np.concatenate([A[:, j] for j in range(A.shape[1])]))


@given(m=dims, n=dims, p=dims, q=dims, seed=seeds)
def test_vec_kronecker_identity(m, n, p, q, seed):
    # vec(A X B) = (B^T kron A) vec(X): holds only for the column-major vec.
    rng = np.random.default_rng(seed)
    A, X, B = rng.standard_normal((m, n)), rng.standard_normal((n, p)), rng.standard_normal((p, q))
    lhs = matgrad.vec(A @ X @ B)
    rhs = np.kron(B.T, A) @ matgrad.vec(X)
    assert lhs.shape == rhs.shape == (m * q,)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12)


@given(m=dims, n=dims, seed=seeds)
def test_unvec_inverts_vec(m, n, seed):
    A = np.random.default_rng(seed).standard_normal((m, n))
    B = matgrad.unvec(matgrad.vec(A), (m, n))
    assert B.shape == (m, n)
    np.testing.assert_array_equal(B, A)


def test_unvec_rejects_wrong_size_and_non_vectors():
    with pytest.raises(ValueError, match="size 6"):
        matgrad.unvec(np.ones(5), (2, 3))
    with pytest.raises(ValueError, match="size 6"):
        matgrad.unvec(np.ones((6, 1)), (2, 3))


# ---------------------------------------------------------------------------- numerical_gradient


@given(m=dims, n=dims, seed=seeds)
def test_numerical_gradient_of_bilinear_form(m, n, seed):
    # f(X) = a^T X b has gradient a b^T (closed form); central differences are exact up to rounding.
    rng = np.random.default_rng(seed)
    a, b, X = rng.standard_normal(m), rng.standard_normal(n), rng.standard_normal((m, n))
    G = matgrad.numerical_gradient(lambda X: a @ X @ b, X)
    assert G.shape == X.shape and G.dtype == np.float64
    assert matgrad.relative_error(G, np.outer(a, b)) < 1e-8


@given(shape=st.lists(dims, min_size=0, max_size=3).map(tuple), seed=seeds)
def test_numerical_gradient_any_shape_closed_form(shape, seed):
    # f(X) = sum(G * X^3) with random upstream G has gradient 3 G X^2.
    rng = np.random.default_rng(seed)
    X, G = rng.standard_normal(shape), rng.standard_normal(shape)
    num = matgrad.numerical_gradient(lambda X: np.sum(G * X**3), X)
    assert num.shape == np.shape(X)
    assert matgrad.relative_error(num, 3 * G * X**2) < 1e-7


def test_numerical_gradient_leaves_x_untouched_and_accepts_int():
    X = np.array([[1, 2], [3, 4]])
    before = X.copy()
    G = matgrad.numerical_gradient(lambda Z: np.sum(Z**2), X)
    np.testing.assert_array_equal(X, before)
    assert G.dtype == np.float64
    np.testing.assert_allclose(G, 2.0 * before, rtol=1e-8)


def test_numerical_gradient_errors():
    X = np.ones((2, 2))
    with pytest.raises(ValueError, match="scalar"):
        matgrad.numerical_gradient(lambda Z: Z, X)
    with pytest.raises(ValueError, match="float32"):
        matgrad.numerical_gradient(np.sum, X.astype(np.float32))
    with pytest.raises(ValueError, match="finite"):
        matgrad.numerical_gradient(np.sum, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="eps"):
        matgrad.numerical_gradient(np.sum, X, eps=0.0)
    with pytest.raises(ValueError, match="dtype"):
        matgrad.numerical_gradient(np.sum, np.array(["a"]))


# ---------------------------------------------------------------------------- numerical_jacobian


@given(m=dims, n=dims, p=dims, q=dims, seed=seeds)
def test_numerical_jacobian_of_linear_map_is_kronecker(m, n, p, q, seed):
    # X (n, p) -> A X B (m, q): numerator layout with column-major vec gives B^T kron A, (mq, np).
    rng = np.random.default_rng(seed)
    A, X, B = rng.standard_normal((m, n)), rng.standard_normal((n, p)), rng.standard_normal((p, q))
    J = matgrad.numerical_jacobian(lambda X: A @ X @ B, X)
    assert J.shape == (m * q, n * p)
    assert matgrad.relative_error(J, np.kron(B.T, A)) < 1e-8


@given(m=dims, n=dims, seed=seeds)
def test_numerical_jacobian_elementwise_is_diagonal(m, n, seed):
    X = np.random.default_rng(seed).standard_normal((m, n))
    J = matgrad.numerical_jacobian(np.sin, X)
    assert J.shape == (m * n, m * n)
    # column-major vec of cos(X), written out by hand: entry (i, j) sits at i + j*m
    expected = np.zeros(m * n)
    for i in range(m):
        for j in range(n):
            expected[i + j * m] = np.cos(X[i, j])
    assert matgrad.relative_error(J, np.diag(expected)) < 1e-8


def test_numerical_jacobian_of_scalar_function_is_a_row():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    J = matgrad.numerical_jacobian(lambda X: np.sum(X**2), X)
    assert J.shape == (1, 4)
    np.testing.assert_allclose(J[0], [2.0, 6.0, 4.0, 8.0], rtol=1e-8)  # 2 X, column by column


def test_numerical_jacobian_of_a_view_returning_function():
    # f returns a view of its input: the Jacobian of X -> X.T is the commutation matrix,
    # vec(X.T)_i = vec(X)_{perm(i)}, and of X -> X the identity; neither may come out zero.
    X = np.random.default_rng(7).normal(size=(2, 3))
    m, n = X.shape
    commutation = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            # X[i, j] sits at i + j*m in vec(X) and at j + i*n in vec(X.T)
            commutation[j + i * n, i + j * m] = 1.0
    assert matgrad.numerical_jacobian(lambda A: A.T, X).shape == (m * n, m * n)
    np.testing.assert_allclose(matgrad.numerical_jacobian(lambda A: A.T, X), commutation, atol=1e-9)
    np.testing.assert_allclose(matgrad.numerical_jacobian(lambda A: A, X), np.eye(m * n), atol=1e-9)


def test_numerical_jacobian_rejects_changing_output_shape():
    calls = []

    def f(X):
        calls.append(1)
        return np.ones(len(calls))

    with pytest.raises(ValueError, match="changed shape"):
        matgrad.numerical_jacobian(f, np.ones(2))


# ---------------------------------------------------------------------------- relative_error


def test_relative_error_known_values():
    assert matgrad.relative_error(np.zeros((2, 3)), np.zeros((2, 3))) == 0.0
    A = np.random.default_rng(0).standard_normal((3, 2))
    assert matgrad.relative_error(A, A.copy()) == 0.0
    assert matgrad.relative_error([3.0, 4.0], [0.0, 0.0]) == pytest.approx(1.0)  # 5 / 5
    assert matgrad.relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2.0))
    assert matgrad.relative_error([1.0, 1.0], [1.0, 1.0 + 1e-6]) == pytest.approx(1e-6 / np.sqrt(2 + 2e-6 + 1e-12))
    assert matgrad.relative_error(2.0, 1.0) == pytest.approx(0.5)  # scalars
    assert isinstance(matgrad.relative_error(1.0, 1.0), float)


def test_relative_error_is_symmetric():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    assert matgrad.relative_error(a, b) == matgrad.relative_error(b, a)


def test_relative_error_rejects_shape_mismatch_and_nan():
    with pytest.raises(ValueError, match="same shape"):
        matgrad.relative_error(np.ones(3), np.ones((3, 1)))  # would broadcast to (3, 3)
    with pytest.raises(ValueError, match="same shape"):
        matgrad.relative_error(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="finite"):
        matgrad.relative_error(np.array([np.nan]), np.array([1.0]))


# ---------------------------------------------------------------------------- check_gradient


def test_check_gradient_passes_correct_gradient():
    rng = np.random.default_rng(2)
    X, G = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    err = matgrad.check_gradient(lambda X: np.sum(G * np.tanh(X)), X, G / np.cosh(X) ** 2)
    assert isinstance(err, float) and 0.0 <= err < 1e-7


def test_check_gradient_names_the_worst_entry():
    rng = np.random.default_rng(3)
    X, G = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    grad = G.copy()  # gradient of sum(G * X)
    grad[2, 1] += 0.5
    with pytest.raises(GradientCheckError) as info:
        matgrad.check_gradient(lambda X: np.sum(G * X), X, grad)
    exc = info.value
    assert isinstance(exc, AssertionError)
    assert exc.index == (2, 1)
    assert exc.analytic == pytest.approx(G[2, 1] + 0.5)
    assert exc.numeric == pytest.approx(G[2, 1], rel=1e-8)
    assert exc.error > 1e-7
    assert "(2, 1)" in str(exc) and "analytic" in str(exc) and "numeric" in str(exc)


def test_check_gradient_tolerance_is_respected():
    # a gradient off by a relative 1e-5 passes at tol=1e-4 and fails at the default tol=1e-7
    X = np.array([1.0, 2.0])
    grad = 2 * X * (1 + 1e-5)
    assert matgrad.check_gradient(lambda X: np.sum(X**2), X, grad, tol=1e-4) == pytest.approx(1e-5, rel=1e-3)
    with pytest.raises(GradientCheckError):
        matgrad.check_gradient(lambda X: np.sum(X**2), X, grad)


def test_check_gradient_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        matgrad.check_gradient(np.sum, np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"X's shape \(2, 3\) \(gradient layout\); got \(6,\)"):
        matgrad.check_gradient(np.sum, np.ones((2, 3)), np.ones(6))


def test_check_gradient_names_a_transposed_shape():
    with pytest.raises(ValueError) as info:
        matgrad.check_gradient(np.sum, np.ones((2, 3)), np.ones((3, 2)))
    assert str(info.value).startswith(
        "grad has shape (3, 2), the transpose of X's shape (2, 3): gradients have the shape of their variable"
    )
    with pytest.raises(ValueError) as info:  # another wrong shape is not called a transpose
        matgrad.check_gradient(np.sum, np.ones((2, 3)), np.ones((2, 2)))
    assert "transpose" not in str(info.value)


def test_check_gradient_rejects_non_finite_gradients():
    X = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="analytic gradient"):
        matgrad.check_gradient(lambda X: np.sum(X**2), X, np.array([2.0, np.nan]))
    with pytest.raises(ValueError, match="numerical gradient"):
        matgrad.check_gradient(lambda X: np.inf * X[0], X, np.zeros(2))


# ---------------------------------------------------------------------------- diagnosis
# A smooth function of a matrix with a random upstream G, its gradient written by hand:
# f(X) = sum(G * tanh(X B)) has gradient (G * (1 - tanh(X B)^2)) B^T.


def _problem(seed, shape=(5, 3)):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal(shape)
    B = rng.standard_normal((shape[1], shape[1]))
    G = rng.standard_normal(shape)

    def f(X):
        return np.sum(G * np.tanh(X @ B))

    grad = (G * (1 - np.tanh(X @ B) ** 2)) @ B.T
    return f, X, grad


def _failure(f, X, grad):
    with pytest.raises(GradientCheckError) as info:
        matgrad.check_gradient(f, X, grad)
    return info.value


@pytest.mark.parametrize(
    ("c", "words"),
    [
        (5.0, ["factor of 5", "batch size N", "summed", "mean"]),  # N = 5 rows: a sum where the loss averages
        (1 / 5, ["factor of 1/5", "averaged twice"]),
        (2.0, ["twice", "lambda/2", "1/2 in a squared error"]),
        (0.5, ["half", "lambda/2"]),
        (-5.0, ["opposite sign", "factor of 5"]),
        (1.37, ["constant coefficient"]),
    ],
)
def test_scaled_gradient_is_diagnosed_with_its_factor(c, words):
    f, X, grad = _problem(10)
    exc = _failure(f, X, c * grad)
    assert exc.diagnosis == "scaled"
    assert exc.factor == pytest.approx(c, rel=1e-8)
    assert exc.hint and exc.hint in str(exc)
    for w in words:
        assert w in exc.hint, (w, exc.hint)


def test_sign_error_is_diagnosed():
    f, X, grad = _problem(11)
    exc = _failure(f, X, -grad)
    assert (exc.diagnosis, exc.factor) == ("sign", -1.0)
    assert "sign error" in str(exc)


def test_transposed_gradient_of_a_square_variable_is_diagnosed():
    f, X, grad = _problem(12, shape=(4, 4))
    exc = _failure(f, X, grad.T)
    assert exc.diagnosis == "transposed" and exc.factor is None
    assert "transpose" in exc.hint and "layout" in exc.hint


def test_missing_or_halved_penalty_is_diagnosed():
    f0, W, grad0 = _problem(13)
    reg = 0.3

    def f(W):
        return f0(W) + reg * np.sum(W * W)

    for wrong, k in ((grad0, -2 * reg), (grad0 + reg * W, -reg), (grad0 + 4 * reg * W, 2 * reg)):
        exc = _failure(f, W, wrong)
        assert exc.diagnosis == "regulariser"
        assert exc.factor == pytest.approx(k, rel=1e-6)
        assert "2 lambda W" in exc.hint
    assert matgrad.check_gradient(f, W, grad0 + 2 * reg * W) < 1e-7  # the right one passes


def test_wrong_relu_mask_is_diagnosed():
    rng = np.random.default_rng(14)
    Z = rng.standard_normal((5, 4))
    Z += np.where(Z < 0, -0.1, 0.1)  # away from the kink
    G = rng.standard_normal(Z.shape)

    def f(Z):
        return np.sum(G * np.maximum(Z, 0))

    right = G * (Z > 0)
    assert matgrad.check_gradient(f, Z, right) < 1e-7
    for wrong in (G, G * (Z > 0.5)):  # the mask forgotten, the wrong threshold
        exc = _failure(f, Z, wrong)
        assert exc.diagnosis == "mask" and exc.factor is None, wrong
        assert f"of {Z.size} entries" in exc.hint


def _unrelated_errors(seed):
    """Wrong gradients that are none of the patterns: (what, grad)."""
    rng = np.random.default_rng(seed)
    f, X, grad = _problem(seed, shape=(int(rng.integers(2, 6)), int(rng.integers(2, 6))))
    one_entry = grad.copy()
    one_entry.flat[int(rng.integers(grad.size))] += 0.5 + rng.random()
    permuted = grad[::-1].copy() if not np.allclose(grad[::-1], grad) else grad[:, ::-1].copy()
    yield f, X, "random perturbation 1e-3", grad + 1e-3 * np.linalg.norm(grad) * rng.standard_normal(grad.shape)
    yield f, X, "random perturbation 1e-5", grad * (1 + 1e-5 * rng.standard_normal(grad.shape))
    yield f, X, "one wrong entry", one_entry
    yield f, X, "entrywise scaled", grad * rng.uniform(0.5, 2.0, grad.shape)
    yield f, X, "rows permuted", permuted
    yield f, X, "another function's gradient", np.cos(X)
    yield f, X, "scaled plus noise", 3 * grad + 1e-4 * rng.standard_normal(grad.shape)
    yield f, X, "zero", np.zeros_like(grad)


@pytest.mark.parametrize("seed", range(25))
def test_unrelated_errors_get_no_diagnosis(seed):
    for f, X, what, wrong in _unrelated_errors(seed):
        exc = _failure(f, X, wrong)
        assert exc.diagnosis is None and exc.factor is None and exc.hint == "", (what, exc.diagnosis)
        assert "\n" not in str(exc), what  # the message is the plain one


def test_diagnose_needs_two_entries_and_a_nonzero_numeric_gradient():
    assert matgrad.diagnose(np.array([6.0]), np.array([3.0])) == (None, None, "")  # any number is a multiple
    assert matgrad.diagnose(np.ones(3), np.zeros(3)) == (None, None, "")
    # a constant X makes any constant offset look like a penalty term: not diagnosed
    X = np.full((2, 2), 3.0)
    numeric = np.array([[1.0, 2.0], [3.0, 5.0]])
    assert matgrad.diagnose(numeric + 1.0, numeric, X).kind is None
    assert matgrad.diagnose(numeric + np.array([[1.0, 2.0], [0.5, 3.0]]), numeric, X + np.eye(2)).kind is None


def test_diagnose_names_nothing_for_a_gradient_that_already_passes():
    # without the early return, grad / c with c = 1 would "repair" a passing grad as "scaled", factor 1
    rng = np.random.default_rng(16)
    g = rng.standard_normal((4, 3))
    assert matgrad.diagnose(g, g) == (None, None, "")
    near = g * (1 + 1e-9 * rng.standard_normal(g.shape))  # relative error about 1e-9, below tol
    assert matgrad.diagnose(near, g, rng.standard_normal(g.shape)) == (None, None, "")


def test_diagnose_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        matgrad.diagnose(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="X must have grad's shape"):
        matgrad.diagnose(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 2)))


def test_diagnose_works_on_a_gradient_passed_directly():
    # the same patterns, on the arrays themselves (what matgrad.exercises uses)
    rng = np.random.default_rng(15)
    numeric, X = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    assert matgrad.diagnose(4 * numeric, numeric).kind == "scaled"
    assert matgrad.diagnose(-numeric, numeric).kind == "sign"
    assert matgrad.diagnose(numeric.T, numeric).kind == "transposed"
    kind, factor, _ = matgrad.diagnose(numeric - 0.6 * X, numeric, X)
    assert kind == "regulariser" and factor == pytest.approx(-0.6, rel=1e-12)
    assert matgrad.diagnose(numeric - 0.6 * X, numeric).kind is None  # without X, no penalty pattern
