"""benchmarks.cases: the cases' names and checks, and the data every implementation receives."""

import numpy as np
import pytest

from benchmarks.cases import DEFAULT_CASES, Case, make_data


def test_case_names_give_the_sizes_by_symbol():
    assert Case("two_layer", (1024, 784, 256, 10), "float32").name == "two_layer N=1024 D=784 H=256 C=10"
    assert Case("logistic", (100, 2, 1000), "float64").name == "logistic N=100 D=2 H=1000"


def test_default_cases_are_every_shape_in_both_dtypes():
    assert len(DEFAULT_CASES) == 16 and len(set(DEFAULT_CASES)) == 16
    assert {c.dtype for c in DEFAULT_CASES} == {"float64", "float32"}
    assert Case("two_layer", (8192, 784, 512, 10), "float64") in DEFAULT_CASES


def test_case_rejects_bad_input():
    with pytest.raises(ValueError, match="two_layer"):
        Case("three_layer", (1, 2, 3, 4), "float64")
    with pytest.raises(ValueError, match="4 positive sizes"):
        Case("two_layer", (1, 2, 3), "float64")
    with pytest.raises(ValueError, match="3 positive sizes"):
        Case("logistic", (0, 2, 3), "float64")
    with pytest.raises(ValueError, match="float16"):
        Case("logistic", (1, 2, 3), "float16")


def test_two_layer_data_has_the_case_shapes_and_dtype():
    data = make_data(Case("two_layer", (7, 4, 5, 3), "float32"))
    p = data["params"]
    assert data["X"].shape == (7, 4) and data["y"].shape == (7,)
    assert (p["W1"].shape, p["b1"].shape, p["W2"].shape, p["b2"].shape) == ((4, 5), (5,), (5, 3), (3,))
    assert all(a.dtype == np.float32 for a in (data["X"], *p.values()))
    assert set(np.unique(data["y"])) <= {0, 1, 2}


def test_logistic_data_has_labels_minus_one_and_plus_one():
    data = make_data(Case("logistic", (50, 2, 3), "float64"))
    assert data["X"].shape == (50, 2) and data["Wi"].shape == (2, 3) and data["Wo"].shape == (3,)
    assert set(np.unique(data["y"])) == {-1.0, 1.0} and data["y"].dtype == np.float64
    assert isinstance(data["bo"], float)


def test_data_depends_only_on_the_seed():
    case = Case("logistic", (5, 2, 4), "float64")
    np.testing.assert_array_equal(make_data(case, seed=3)["X"], make_data(case, seed=3)["X"])
    assert not np.array_equal(make_data(case, seed=3)["X"], make_data(case, seed=4)["X"])
