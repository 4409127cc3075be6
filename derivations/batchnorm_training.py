# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Batch norm in training: a two-layer net with and without it
#
# Batch normalisation (Ioffe and Szegedy, "Batch Normalization: Accelerating Deep Network Training by
# Reducing Internal Covariate Shift", ICML 2015, <https://arxiv.org/abs/1502.03167>) normalises every
# column of a layer's pre-activations over the examples of the batch, then scales and shifts it with
# learned $\gamma$ and $\beta$. This notebook trains one small net three ways and compares the loss
# curves:
#
# 1. a plain two-layer tanh net on inputs measured in awkward units (shifted and scaled);
# 2. the same net on standardised inputs (what one would normally do by hand);
# 3. the net with batch norm between its first layer and the tanh, on the awkward inputs.
#
# Every layer is matgrad's (affine, batch norm, tanh, softmax cross-entropy), composed by hand into the
# backward pass, and the composition is checked against central differences before training. The
# derivations are on [Normalisation](../../normalisation/) (batch norm) and
# [Activations and dropout](../../activations-dropout/) (tanh).

# %%
import matplotlib.pyplot as plt
import numpy as np

import matgrad

rng = np.random.default_rng(0)
X_rings, signs = matgrad.make_rings(600, rng, noise=0.15)  # two rings in the plane, labels -1/+1
y_all = (signs + 1) // 2  # class labels 0 (inner ring) and 1 (outer ring)
X_all = 10 * X_rings + 40  # the same points in other units: a common scale and an offset
X, X_test, y, y_test = matgrad.train_test_split(X_all, y_all, test_fraction=1 / 3, rng=np.random.default_rng(1))
N, D = X.shape
H, C = 16, 2
assert (N, D) == (400, 2) and X_test.shape == (200, 2)
print(f"training rows per class: {np.bincount(y, minlength=C)}; column means {X.mean(axis=0).round(1)}")

# %% [markdown]
# ## The net and its backward pass
#
# Rows are examples. The plain net is $Z_1 = X W_1 + \mathbf 1_N b_1^\top$, $A_1 = \tanh(Z_1)$,
# $Z_2 = A_1 W_2 + \mathbf 1_N b_2^\top$ and the mean softmax cross-entropy of $Z_2$, with $W_1$ of shape
# $D \times H$ and $W_2$ of shape $H \times C$. The batch-norm net puts
# $\operatorname{BN}_{\gamma, \beta}$ (training mode: the statistics of the batch, biased variance,
# the floor $\epsilon_0 = 10^{-5}$) between $Z_1$ and the tanh, with $\gamma$ and $\beta$ of length $H$.
#
# The backward pass runs the layers' backward functions in reverse order. Batch norm removes the mean
# of every column of $Z_1$, so $b_1$ has no effect on its output: its gradient is zero (every column of
# batch norm's input gradient sums to zero), and $\beta$ takes over its role.


# %%
def init(seed, batchnorm):
    r = np.random.default_rng(seed)
    params = {
        "W1": r.standard_normal((D, H)) / np.sqrt(D),
        "b1": np.zeros(H),
        "W2": r.standard_normal((H, C)) / np.sqrt(H),
        "b2": np.zeros(C),
    }
    if batchnorm:
        params |= {"gamma": np.ones(H), "beta": np.zeros(H)}
    return params


def loss_and_grads(params, X, y):
    """Forward and backward through matgrad's layers; batch norm when params has gamma and beta."""
    batchnorm = "gamma" in params
    Z1, cache1 = matgrad.affine_forward(X, params["W1"], params["b1"])
    if batchnorm:
        Z1n, cache_bn = matgrad.batchnorm_forward(Z1, params["gamma"], params["beta"])
    else:
        Z1n = Z1
    A1, cache_tanh = matgrad.tanh_forward(Z1n)
    Z2, cache2 = matgrad.affine_forward(A1, params["W2"], params["b2"])
    loss, dZ2 = matgrad.softmax_cross_entropy(Z2, y)

    grads = {}
    dA1, grads["W2"], grads["b2"] = matgrad.affine_backward(dZ2, cache2)
    dZ1n = matgrad.tanh_backward(dA1, cache_tanh)
    if batchnorm:
        dZ1, grads["gamma"], grads["beta"] = matgrad.batchnorm_backward(dZ1n, cache_bn)
    else:
        dZ1 = dZ1n
    _, grads["W1"], grads["b1"] = matgrad.affine_backward(dZ1, cache1)
    return loss, grads


# the composed gradient against central differences, on 12 rows, with random parameters
check_rng = np.random.default_rng(2)
Xc, yc = X[:12], y[:12]
for batchnorm in (False, True):
    params = {k: v + 0.3 * check_rng.standard_normal(v.shape) for k, v in init(3, batchnorm).items()}
    loss, grads = loss_and_grads(params, Xc, yc)
    for k, v in params.items():
        assert grads[k].shape == v.shape

        def loss_at(U, k=k, params=params):
            return loss_and_grads({**params, k: U}, Xc, yc)[0]

        if batchnorm and k == "b1":  # zero: a relative error means nothing, compare absolutely
            fd = matgrad.numerical_gradient(loss_at, v)
            assert np.max(np.abs(grads[k])) < 1e-12 and np.max(np.abs(fd)) < 1e-8
            print(
                f"batch norm  dL/db1    is zero: max |backward| {np.max(np.abs(grads[k])):.0e}, "
                f"max |central differences| {np.max(np.abs(fd)):.0e}"
            )
            continue
        err = matgrad.check_gradient(loss_at, v, grads[k])  # raises above 1e-7
        print(f"{'batch norm' if batchnorm else 'plain     '}  dL/d{k:<5} relative error {err:.1e}")
assert np.max(np.abs(loss_and_grads(init(3, False), Xc, yc)[1]["b1"])) > 1e-6  # without batch norm it is not

# %% [markdown]
# ## Why the units matter, and why batch norm does not care
#
# The inputs have column means near 40. With the usual initial weights (variance $1/D$), the first
# layer's pre-activations are then in the tens, and $\tanh$ is flat there: its derivative
# $1 - \tanh^2$ is nearly 0, and almost no gradient reaches $W_1$. Standardising the inputs by hand
# fixes that. Batch norm fixes it for the layer itself: changing the inputs to $aX + \mathbf 1_N c^\top$
# (a common scale $a$ and any offset $c$) changes each column of $Z_1$ by a scale and a shift, which
# the normalisation removes, so the normalised pre-activations are the same, up to the floor
# $\epsilon_0$ (exactly the same with the floor $a^2\epsilon_0$, since the variances are $a^2$ times
# larger).

# %%
params = init(3, batchnorm=True)
Z1_raw, _ = matgrad.affine_forward(X, params["W1"], params["b1"])
Z1_rings, _ = matgrad.affine_forward((X - 40) / 10, params["W1"], params["b1"])  # the original units
share_flat = np.mean(1 - np.tanh(Z1_raw) ** 2 < 1e-3)
print(f"plain net, awkward units: {share_flat:.0%} of the tanh derivatives are below 1e-3")
assert share_flat > 0.5

bn_raw, _ = matgrad.batchnorm_forward(Z1_raw, params["gamma"], params["beta"])
bn_rings, _ = matgrad.batchnorm_forward(Z1_rings, params["gamma"], params["beta"])
gap = np.max(np.abs(bn_raw - bn_rings))
print(f"batch norm output, awkward units vs original units: largest difference {gap:.1e}")
assert gap < 1e-3  # close: only the floor eps differs in effect (the variances differ by a^2 = 100)
# exactly the same once the floor is scaled with the variance, eps -> a^2 eps
bn_raw_floor, _ = matgrad.batchnorm_forward(Z1_raw, params["gamma"], params["beta"], eps=100 * 1e-5)
np.testing.assert_allclose(bn_raw_floor, bn_rings, rtol=1e-9, atol=1e-12)

# %% [markdown]
# ## Training
#
# Mini-batch SGD, 40 rows per step, learning rate 0.2, 40 epochs, the same initial weights and the same
# order of the rows for all three nets. After each epoch the loss on the whole training set is
# recorded in **evaluation mode**: for the batch-norm net, the statistics are no longer those of a
# mini-batch but of all training rows at the current weights (a library would keep running averages
# of the mini-batch statistics instead; on a fixed data set the full-set statistics are the simpler
# and exact choice). The test set is evaluated with the same training-set statistics.


# %%
def evaluate(params, X_eval, y_eval, X_stats):
    """Loss and accuracy in evaluation mode; batch norm uses the statistics of X_stats's pre-activations."""
    Z1 = X_eval @ params["W1"] + params["b1"]
    if "gamma" in params:
        _, stats = matgrad.batchnorm_forward(X_stats @ params["W1"] + params["b1"], params["gamma"], params["beta"])
        Z1 = (Z1 - stats.mu) / stats.s * params["gamma"] + params["beta"]
    Z2 = np.tanh(Z1) @ params["W2"] + params["b2"]
    loss, _ = matgrad.softmax_cross_entropy(Z2, y_eval)
    return loss, np.mean(Z2.argmax(axis=1) == y_eval)


def train(X_train, X_eval, batchnorm, lr=0.2, epochs=40, batch_size=40):
    params, order_rng = init(3, batchnorm), np.random.default_rng(4)
    history, test_acc = [], []
    for _ in range(epochs):
        order = order_rng.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start : start + batch_size]
            _, grads = loss_and_grads(params, X_train[rows], y[rows])
            for k in params:
                params[k] = params[k] - lr * grads[k]
        history.append(evaluate(params, X_train, y, X_train)[0])
        test_acc.append(evaluate(params, X_eval, y_test, X_train)[1])
    return params, np.array(history), np.array(test_acc)


mean, std = X.mean(axis=0), X.std(axis=0)  # standardisation by hand, from the training rows only
runs = {
    "plain, awkward units": train(X, X_test, batchnorm=False),
    "plain, standardised inputs": train((X - mean) / std, (X_test - mean) / std, batchnorm=False),
    "batch norm, awkward units": train(X, X_test, batchnorm=True),
}
for name, (_, history, test_acc) in runs.items():
    print(
        f"{name:<28} loss after 1 / 10 / 40 epochs: {history[0]:.3f} / {history[9]:.3f} / {history[-1]:.3f};"
        f" test accuracy {test_acc[-1]:.3f}"
    )

# %%
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11.5, 4.2))
epochs = np.arange(1, len(runs["plain, awkward units"][1]) + 1)
for name, (_, history, test_acc) in runs.items():
    ax_loss.plot(epochs, history, label=name)
    ax_acc.plot(epochs, test_acc, label=name)
ax_loss.axhline(np.log(C), color="grey", ls=":", label=r"uniform guess, $\log 2$")
ax_loss.set_title("Training loss (evaluation mode, all 400 rows)")
ax_loss.set_xlabel("epoch (10 steps of 40 rows)")
ax_loss.set_ylabel("mean cross-entropy (nats)")
ax_loss.legend()
ax_acc.axhline(0.5, color="grey", ls=":", label="chance")
ax_acc.set_title("Test accuracy (200 rows)")
ax_acc.set_xlabel("epoch (10 steps of 40 rows)")
ax_acc.set_ylabel("accuracy (fraction correct)")
ax_acc.set_ylim(0, 1.02)
ax_acc.legend(loc="lower right")
for ax in (ax_loss, ax_acc):
    ax.grid(True, alpha=0.3)
fig.tight_layout()
# alt: Two panels against the epoch for the three nets (plain, plain on standardised inputs, batch
#      norm): left, the training loss with the uniform guess log 2 as a dotted line; right, the test
#      accuracy with chance as a dotted line.
plt.show()

# %% [markdown]
# **What the plot shows.** The plain net on the awkward inputs stays near the uniform guess: its tanh
# units are saturated and pass almost no gradient back. Standardising the inputs by hand, or adding
# batch norm without touching the inputs, gives nets that learn from the first epochs and separate the
# rings on the test set by the end, with close loss curves (the epoch at which each first reaches a
# test accuracy of 0.95 is printed below): batch norm has done the standardisation, for the layer it
# sits in, by itself. The assertions below hold these observations to the numbers of this run.

# %%
final = {name: history[-1] for name, (_, history, _) in runs.items()}
accuracy = {name: test_acc[-1] for name, (_, _, test_acc) in runs.items()}
assert final["plain, awkward units"] > 0.6 and accuracy["plain, awkward units"] < 0.6
assert final["batch norm, awkward units"] < 0.3 and accuracy["batch norm, awkward units"] > 0.95
assert final["plain, standardised inputs"] < 0.3 and accuracy["plain, standardised inputs"] > 0.95
for name, (_, _, test_acc) in runs.items():
    reached = np.flatnonzero(test_acc >= 0.95)
    print(f"{name:<28} first test accuracy >= 0.95 after epoch {reached[0] + 1 if reached.size else 'never'}")
ratio = final["batch norm, awkward units"] / final["plain, standardised inputs"]
print(f"final loss, batch norm (awkward units) / plain (standardised): {ratio:.2f}")
assert 0.5 < ratio < 2

# the trained batch-norm net's gradient, checked once more at its final weights
params_bn = runs["batch norm, awkward units"][0]
loss, grads = loss_and_grads(params_bn, X[:12], y[:12])
for k in ("W1", "gamma", "beta", "W2"):
    matgrad.check_gradient(
        lambda U, k=k: loss_and_grads({**params_bn, k: U}, X[:12], y[:12])[0], params_bn[k], grads[k]
    )
print("gradients at the trained weights: relative errors below 1e-7")
