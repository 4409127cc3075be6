"""Tests of matgrad.training: the gradient-descent loop and the two adapters."""

import numpy as np
import pytest

import matgrad


def quadratic(params, X, y):
    """L(w) = 0.5 * mean_i ||w - x_i||^2 over the rows of X (y unused): gradient w - mean(X)."""
    diff = params["w"] - X
    return 0.5 * np.mean(np.sum(diff**2, axis=1)), {"w": diff.mean(axis=0)}


def test_full_batch_gradient_descent_closed_form():
    # with one row t: w_k - t = (1 - lr)^k (w_0 - t), so the loss after epoch e is
    # 0.5 (1 - lr)^(2(e+1)) ||w_0 - t||^2
    t = np.array([[1.0, -2.0, 0.5]])
    w0 = np.array([3.0, 1.0, -1.0])
    lr, epochs = 0.3, 7
    params, history = matgrad.train(quadratic, {"w": w0}, t, np.zeros(1), lr=lr, epochs=epochs)
    assert history.shape == (epochs,)
    np.testing.assert_allclose(params["w"], t[0] + (1 - lr) ** epochs * (w0 - t[0]), rtol=1e-13)
    expected = 0.5 * (1 - lr) ** (2 * np.arange(1, epochs + 1)) * np.sum((w0 - t[0]) ** 2)
    np.testing.assert_allclose(history, expected, rtol=1e-12)


def test_minibatch_sgd_follows_the_specified_schedule():
    # hand-written reference: shuffle the rows with rng.permutation once per epoch, step on each block
    rng_data = np.random.default_rng(28)
    X, y = rng_data.standard_normal((10, 2)), np.arange(10)
    w0, lr = np.array([0.5, -0.5]), 0.1
    params, history = matgrad.train(
        quadratic, {"w": w0}, X, y, lr=lr, epochs=3, batch_size=4, rng=np.random.default_rng(7)
    )
    rng, w, losses = np.random.default_rng(7), w0.copy(), []
    for _ in range(3):
        order = rng.permutation(10)
        for block in (order[0:4], order[4:8], order[8:10]):
            w = w - lr * (w - X[block].mean(axis=0))
        losses.append(0.5 * np.mean(np.sum((w - X) ** 2, axis=1)))
    np.testing.assert_allclose(params["w"], w, rtol=1e-13)
    np.testing.assert_allclose(history, losses, rtol=1e-13)


def test_per_example_sgd_visits_every_row_once_per_epoch():
    seen = []

    def recording(params, X, y):
        seen.append(y.copy())
        return quadratic(params, X, y)

    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    matgrad.train(recording, {"w": np.zeros(2)}, X, y, lr=0.1, epochs=2, batch_size=1, rng=np.random.default_rng(0))
    # per epoch: 6 single-row steps, then one full-set evaluation for the history
    assert len(seen) == 2 * 7
    for epoch in range(2):
        steps = seen[epoch * 7 : epoch * 7 + 6]
        assert all(s.shape == (1,) for s in steps)
        assert sorted(int(s[0]) for s in steps) == list(range(6))
        np.testing.assert_array_equal(seen[epoch * 7 + 6], y)
    assert [int(s[0]) for s in seen[0:6]] != [int(s[0]) for s in seen[7:13]]  # reshuffled


def test_params_are_not_mutated_and_callback_is_called():
    w0 = np.array([1.0, 2.0])
    calls = []
    params, _history = matgrad.train(
        quadratic,
        {"w": w0},
        np.zeros((3, 2)),
        np.zeros(3),
        lr=0.5,
        epochs=4,
        callback=lambda epoch, p: calls.append((epoch, p["w"].copy())),
    )
    np.testing.assert_array_equal(w0, [1.0, 2.0])
    assert params["w"] is not w0
    assert [c[0] for c in calls] == [0, 1, 2, 3]
    np.testing.assert_allclose(calls[-1][1], params["w"])
    np.testing.assert_allclose(calls[0][1], 0.5 * w0)


def test_zero_epochs_returns_copies_and_empty_history():
    w0 = np.array([1.0])
    params, history = matgrad.train(quadratic, {"w": w0}, np.zeros((2, 1)), np.zeros(2), lr=0.1, epochs=0)
    assert history.shape == (0,)
    np.testing.assert_array_equal(params["w"], w0)
    assert params["w"] is not w0


def test_same_seed_same_result():
    X, y = matgrad.make_rings(40, np.random.default_rng(1))
    start = {"Wi": 0.5 * np.ones((2, 3)), "bi": np.array([0.1, -0.2, 0.3]), "Wo": np.array([1.0, -1.0, 0.5]), "bo": 0.0}
    runs = [
        matgrad.train(
            matgrad.logistic_net_loss_and_grads,
            start,
            X,
            y,
            lr=0.01,
            epochs=3,
            batch_size=1,
            rng=np.random.default_rng(3),
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert all(np.array_equal(runs[0][0][k], runs[1][0][k]) for k in start)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(lr=0.0, epochs=1), "lr must be positive"),
        (dict(lr=-0.1, epochs=1), "lr must be positive"),
        (dict(lr=np.nan, epochs=1), "lr must be finite"),
        (dict(lr=0.1, epochs=-1), "epochs"),
        (dict(lr=0.1, epochs=1.5), "epochs"),
        (dict(lr=0.1, epochs=1, batch_size=0), "batch_size"),
        (dict(lr=0.1, epochs=1, batch_size=5, rng=np.random.default_rng(0)), "at most N = 4"),
        (dict(lr=0.1, epochs=1, batch_size=2), "rng"),
        (dict(lr=0.1, epochs=1, batch_size=2, rng=0), "rng"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        matgrad.train(quadratic, {"w": np.zeros(2)}, np.zeros((4, 2)), np.zeros(4), **kwargs)


def test_data_and_gradient_errors():
    with pytest.raises(ValueError, match="one row per example"):
        matgrad.train(quadratic, {"w": np.zeros(2)}, np.zeros((4, 2)), np.zeros(3), lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="keys"):
        matgrad.train(
            lambda p, X, y: (0.0, {"v": np.zeros(2)}),
            {"w": np.zeros(2)},
            np.zeros((4, 2)),
            np.zeros(4),
            lr=0.1,
            epochs=1,
        )
    with pytest.raises(ValueError, match="shape"):
        matgrad.train(
            lambda p, X, y: (0.0, {"w": np.zeros(3)}),
            {"w": np.zeros(2)},
            np.zeros((4, 2)),
            np.zeros(4),
            lr=0.1,
            epochs=1,
        )
    with pytest.raises(ValueError, match="dict"):
        matgrad.train(quadratic, [np.zeros(2)], np.zeros((4, 2)), np.zeros(4), lr=0.1, epochs=1)


# ---------------------------------------------------------------------------- adapters


def test_logistic_net_adapter_gradients():
    rng = np.random.default_rng(29)
    params = {
        "Wi": rng.standard_normal((2, 3)),
        "bi": rng.standard_normal(3),
        "Wo": rng.standard_normal(3),
        "bo": np.array(0.2),
    }
    X, y = rng.standard_normal((5, 2)), rng.choice([-1, 1], 5)
    assert np.abs(X @ params["Wi"] + params["bi"]).min() > 1e-4
    loss, grads = matgrad.logistic_net_loss_and_grads(params, X, y)
    assert list(grads) == ["Wi", "bi", "Wo", "bo"]
    yhat = np.maximum(X @ params["Wi"] + params["bi"], 0) @ params["Wo"] + params["bo"]
    assert loss == pytest.approx(np.sum(np.log1p(np.exp(-y * yhat))), rel=1e-12)
    for k in params:
        assert np.shape(grads[k]) == params[k].shape
        matgrad.check_gradient(
            lambda P, k=k: matgrad.logistic_net_loss_and_grads({**params, k: P}, X, y)[0],
            params[k],
            np.asarray(grads[k]),
        )
    with pytest.raises(ValueError, match="exactly the keys"):
        matgrad.logistic_net_loss_and_grads({k: params[k] for k in ("Wi", "bi", "Wo")}, X, y)


def test_mlp_adapter_gradients():
    rng = np.random.default_rng(30)
    params = matgrad.init_mlp([3, 4, 2], rng)
    params["b1"] = rng.standard_normal(4)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    loss_and_grads = matgrad.mlp_loss_and_grads(0.05)
    _loss, grads = loss_and_grads(params, X, y)
    assert list(grads) == list(params)
    for k in params:
        assert grads[k].shape == params[k].shape
        matgrad.check_gradient(lambda P, k=k: loss_and_grads({**params, k: P}, X, y)[0], params[k], grads[k])
    with pytest.raises(ValueError, match="reg must be >= 0"):
        matgrad.mlp_loss_and_grads(-1.0)


def test_iris_two_layer_full_batch_training_reduces_the_loss():
    # the iris set-up: 4 -> 6 -> 3, about 90 training rows, full-batch gradient descent, reg 1e-3
    X, y = matgrad.load_iris()
    X_train, X_test, y_train, y_test = matgrad.train_test_split(X, y, 0.4, np.random.default_rng(0))
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    params, history = matgrad.train(
        matgrad.mlp_loss_and_grads(1e-3),
        matgrad.init_mlp([4, 6, 3], np.random.default_rng(1)),
        X_train,
        y_train,
        lr=0.1,
        epochs=500,
    )
    assert X_train.shape == (90, 4) and history.shape == (500,)
    assert history[-1] < 0.5 * history[0]
    assert np.all(np.diff(history) < 1e-12)  # small steps: the full-batch loss never goes up
    accuracy = np.mean(matgrad.mlp_forward_backward(params, X_test).argmax(axis=1) == y_test)
    assert accuracy > 0.9
