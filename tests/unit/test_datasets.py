"""Tests of matgrad.datasets: the shipped iris file, the rings generator, the seeded split."""

import hashlib
from importlib.resources import files

import numpy as np
import pytest

import matgrad

# ---------------------------------------------------------------------------- iris

IRIS_SHA256 = "3a6fc062ef64e75ac2e711cf140609279c55c7d9e17c794fc15ddc46c77287a0"  # see data/README.md


def test_iris_shape_dtypes_and_classes():
    X, y = matgrad.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 50))
    assert matgrad.IRIS_CLASSES == ("setosa", "versicolor", "virginica")
    assert len(matgrad.IRIS_FEATURES) == 4


def test_iris_known_statistics():
    X, y = matgrad.load_iris()
    # published column means of Fisher's data, and the exact column sums they come from
    np.testing.assert_allclose(X.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    np.testing.assert_allclose(X.sum(axis=0), [876.5, 458.6, 563.7, 179.9], atol=1e-9)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [5.006, 3.428, 1.462, 0.246], atol=5e-4)
    np.testing.assert_allclose(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])


def test_iris_is_fishers_version_not_the_uci_one():
    # the UCI file differs from Fisher's paper in rows 35 and 38 (1-based)
    X, _ = matgrad.load_iris()
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])


def test_iris_file_checksum_and_header():
    data = files("matgrad").joinpath("data/iris.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == IRIS_SHA256
    assert data.splitlines()[0] == b"sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species"


def test_iris_returns_fresh_arrays():
    X, y = matgrad.load_iris()
    X[:] = 0.0
    y[:] = 7
    X2, y2 = matgrad.load_iris()
    assert X2[0, 0] == 5.1 and y2[0] == 0


# ---------------------------------------------------------------------------- rings


def test_rings_shapes_labels_and_radii():
    X, y = matgrad.make_rings(201, np.random.default_rng(0), noise=0.0)
    assert X.shape == (201, 2) and X.dtype == np.float64
    assert y.shape == (201,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == [-1, 1]
    assert np.sum(y == -1) == 100 and np.sum(y == 1) == 101
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == -1], 1.0, rtol=1e-14)
    np.testing.assert_allclose(radius[y == 1], 2.0, rtol=1e-14)
    assert 0 < np.sum(y[:100] == -1) < 100  # shuffled, not sorted by class


def test_rings_noise_and_seed():
    a = matgrad.make_rings(500, np.random.default_rng(3), noise=0.1)
    b = matgrad.make_rings(500, np.random.default_rng(3), noise=0.1)
    c = matgrad.make_rings(500, np.random.default_rng(4), noise=0.1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    X, y = a
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.std(radius[y == -1]) == pytest.approx(0.1, rel=0.2)
    assert radius[y == -1].max() < radius[y == 1].min()  # 1 apart, 10 noise sds: no overlap here


@pytest.mark.parametrize(
    "n, rng, noise, match",
    [
        (1, np.random.default_rng(0), 0.1, "n must be"),
        (10.0, np.random.default_rng(0), 0.1, "n must be"),
        (10, 0, 0.1, "Generator"),
        (10, np.random.default_rng(0), -0.1, "noise"),
        (10, np.random.default_rng(0), np.nan, "noise"),
    ],
)
def test_rings_errors(n, rng, noise, match):
    with pytest.raises(ValueError, match=match):
        matgrad.make_rings(n, rng, noise)


def test_a_small_net_separates_the_rings_and_a_linear_model_cannot():
    X, y = matgrad.make_rings(200, np.random.default_rng(0))
    labels = (y + 1) // 2  # -1/+1 -> 0/1 for the softmax nets
    net, net_history = matgrad.train(
        matgrad.mlp_loss_and_grads(0.0),
        matgrad.init_mlp([2, 16, 2], np.random.default_rng(1)),
        X,
        labels,
        lr=0.5,
        epochs=300,
    )
    net_accuracy = np.mean(matgrad.mlp_forward_backward(net, X).argmax(axis=1) == labels)
    # a one-layer net is a linear classifier (softmax regression)
    linear, _ = matgrad.train(
        matgrad.mlp_loss_and_grads(0.0),
        matgrad.init_mlp([2, 2], np.random.default_rng(1)),
        X,
        labels,
        lr=0.5,
        epochs=300,
    )
    linear_accuracy = np.mean(matgrad.mlp_forward_backward(linear, X).argmax(axis=1) == labels)
    assert net_accuracy > 0.95
    assert linear_accuracy < 0.7
    assert net_history[-1] < 0.1


def test_the_logistic_net_separates_the_rings_with_per_example_sgd():
    # the logistic net's exercise setting: 2-D points, labels -1/+1, per-example SGD on the summed logistic loss
    X, y = matgrad.make_rings(80, np.random.default_rng(5))
    rng = np.random.default_rng(2)
    start = {
        "Wi": rng.standard_normal((2, 8)),
        "bi": 0.1 * rng.standard_normal(8),
        "Wo": rng.standard_normal(8) / np.sqrt(8),
        "bo": 0.0,
    }
    params, history = matgrad.train(
        matgrad.logistic_net_loss_and_grads, start, X, y, lr=0.05, epochs=8, batch_size=1, rng=np.random.default_rng(3)
    )
    yhat = matgrad.logistic_net_forward(X, params["Wi"], params["bi"], params["Wo"], params["bo"])
    assert np.mean(np.sign(yhat) == y) > 0.95
    assert history[-1] < history[0]


# ---------------------------------------------------------------------------- train_test_split


def test_split_sizes_pairs_and_coverage():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10) * 10
    X_train, X_test, y_train, y_test = matgrad.train_test_split(X, y, 0.3, np.random.default_rng(0))
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert y_train.shape == (7,) and y_test.shape == (3,)
    np.testing.assert_array_equal(X_train[:, 0] / 2 * 10, y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0] / 2 * 10, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == y.tolist()
    np.testing.assert_array_equal(X, np.arange(20.0).reshape(10, 2))  # input untouched


def test_split_is_seeded_and_iris_gives_90_training_rows():
    X, y = matgrad.load_iris()
    a = matgrad.train_test_split(X, y, 0.4, np.random.default_rng(0))
    b = matgrad.train_test_split(X, y, 0.4, np.random.default_rng(0))
    assert a[0].shape == (90, 4) and a[1].shape == (60, 4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize(
    "X, y, fraction, rng, match",
    [
        (np.ones((10, 2)), np.ones(9), 0.3, np.random.default_rng(0), "one row per example"),
        (np.ones((10, 2)), np.ones(10), 0.0, np.random.default_rng(0), "test_fraction"),
        (np.ones((10, 2)), np.ones(10), 1.0, np.random.default_rng(0), "test_fraction"),
        (np.ones((10, 2)), np.ones(10), 0.01, np.random.default_rng(0), "0 test rows"),
        (np.ones((10, 2)), np.ones(10), 0.3, 42, "Generator"),
    ],
)
def test_split_errors(X, y, fraction, rng, match):
    with pytest.raises(ValueError, match=match):
        matgrad.train_test_split(X, y, fraction, rng)
