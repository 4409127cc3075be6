"""benchmarks.crosscheck: the agreement recorded for jax and torch, measured against matgrad.

Their import is too slow for the unit tests: stand-ins return matgrad's numbers, exact or perturbed.
"""

import pytest

from benchmarks.cases import Case, make_data
from benchmarks.crosscheck import cross_check
from benchmarks.implementations import build_implementations

KEYS = ("W1", "b1", "W2", "b2")


def matgrad_and_floor(case):
    return build_implementations(case, make_data(case), ("floor", "matgrad"))


def test_cross_check_measures_the_difference_from_matgrad():
    case = Case("two_layer", (9, 4, 6, 3), "float64")
    fns = matgrad_and_floor(case)
    loss, grads = fns["matgrad"]()
    fns["jax"] = lambda: (loss, [grads[k] for k in KEYS])
    fns["torch"] = lambda: (loss, [grads[k] * (1 + 1e-3) for k in KEYS])
    diffs = cross_check(case, fns)
    assert set(diffs) == {"jax", "torch"}
    assert diffs["jax"] == 0.0
    assert diffs["torch"] == pytest.approx(1e-3, rel=1e-6)


def test_a_wrong_loss_counts_too():
    case = Case("two_layer", (9, 4, 6, 3), "float32")
    fns = matgrad_and_floor(case)
    loss, grads = fns["matgrad"]()
    fns["torch"] = lambda: (loss * 1.25, [grads[k] for k in KEYS])
    assert cross_check(case, fns)["torch"] == pytest.approx(0.25, rel=1e-5)


def test_logistic_gradients_are_compared_in_order():
    case = Case("logistic", (8, 2, 5), "float64")
    fns = matgrad_and_floor(case)
    dWi, dbi, dWo, dbo = fns["matgrad"]()
    fns["jax"] = lambda: (None, [dWi, dbi, dWo, dbo])
    fns["torch"] = lambda: (None, [dWi, dbi, dWo, dbo + 1.0])
    diffs = cross_check(case, fns)
    assert diffs["jax"] == 0.0 and diffs["torch"] == pytest.approx(1 / abs(dbo))


def test_a_gradient_of_the_wrong_shape_is_an_error():
    case = Case("two_layer", (9, 4, 6, 3), "float64")
    fns = matgrad_and_floor(case)
    loss, grads = fns["matgrad"]()
    fns["jax"] = lambda: (loss, [grads["W1"].T, grads["b1"], grads["W2"], grads["b2"]])
    with pytest.raises(AssertionError, match=r"jax gradient shape \(6, 4\)"):
        cross_check(case, fns)
