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
# # Iris with two layers: full-batch gradient descent, end to end
#
# This notebook trains the network of the softmax cross-entropy page on Fisher's iris data (1936; the
# copy in the [UCI Machine Learning Repository](https://archive.ics.uci.edu/dataset/53/iris)), in the
# set-up of Peng Zhao's small network written from scratch in R, [R for Deep Learning (I): Build Fully
# Connected Neural Network from Scratch](https://www.r-bloggers.com/2016/02/r-for-deep-learning-i-build-fully-connected-neural-network-from-scratch/)
# (ParallelR blog, 2016; first at <http://www.parallelr.com/r-deep-neural-network-from-scratch/>),
# whose backpropagation is also discussed in a well-known Cross Validated question (below, "the R
# example"): **4 measurements -> 6
# ReLU hidden units -> 3 species**, about 90 training rows, full-batch gradient descent with learning
# rate $10^{-2}$ and an $L_2$ penalty of strength $10^{-3}$ in the R example's own convention.
#
# With examples as rows, $X \in \mathbb{R}^{N \times D}$ with $D = 4$, $H = 6$ hidden units and $C = 3$
# classes, the net and its loss, in the notation of the site (penalty strength $\lambda$, matgrad's
# `reg`, with gradient $2\lambda W$), are
#
# $$\begin{aligned}
# Z_1 &= X W_1 + \mathbf{1}_N b_1^\top, & A_1 &= \mathrm{relu}(Z_1),\\
# Z_2 &= A_1 W_2 + \mathbf{1}_N b_2^\top, & P &= \mathrm{softmax}(Z_2),
# \end{aligned}$$
#
# $$L = -\frac{1}{N}\sum_{n} \log P_{n, y_n} + \lambda\left(\|W_1\|_F^2 + \|W_2\|_F^2\right),$$
#
# with $W_1$ of shape $D \times H$ and $W_2$ of shape $H \times C$. Along the way we
#
# 1. translate the R example's regularisation convention into the site's, and check that the translation
#    is exact by computing one gradient both ways;
# 2. train, and follow the loss and the train/test accuracy epoch by epoch;
# 3. look at the confusion matrix of the trained net;
# 4. check the gradient against central differences at several points along the training run.

# %%
import matplotlib.pyplot as plt
import numpy as np

import matgrad

X, y = matgrad.load_iris()
assert X.shape == (150, 4) and y.shape == (150,)
X_train, X_test, y_train, y_test = matgrad.train_test_split(X, y, test_fraction=0.4, rng=np.random.default_rng(0))
N, D = X_train.shape
H, C = 6, 3
assert (N, D) == (90, 4) and X_test.shape == (60, 4)
print(f"training rows per species: {np.bincount(y_train, minlength=C)}, test rows: {np.bincount(y_test, minlength=C)}")

# %% [markdown]
# ## Translating the regularisation convention
#
# The R example's update adds `reg * W` to each weight gradient, with its number `reg` $= 10^{-3}$.
# On this site (and in matgrad) the penalty is written $\lambda\|W\|_F^2$, whose gradient is
# $2\lambda W$; so the R example's update is the gradient of the site's penalty with
#
# $$\lambda = \tfrac12 \cdot 10^{-3} = 5 \times 10^{-4}.$$
#
# > **In other texts: the $\lambda'/2$ convention.** The R example writes its penalty as
# > $\frac{\lambda'}{2}\|W\|_F^2$ with $\lambda' = 10^{-3}$, whose gradient is $\lambda' W$ (the
# > convention listed on [Conventions](../../conventions/)). It is the site's penalty with
# > $\lambda = \lambda'/2$; the check below computes one gradient both ways.
#
# To show the translation is exact we write the R example's recipe out in NumPy, in our row layout
# (the row of scores minus the one-hot row, divided by the batch size; $A_1^\top$ times it for $W_2$;
# back through $W_2^\top$ and the ReLU mask; $X^\top$ times that for $W_1$; column sums for the
# biases; then `+ reg * W`), and compare its loss and every gradient with
# `matgrad.mlp_forward_backward(..., reg=reg_src / 2)` at the initial parameters. The initial weights
# follow the R example as well: normal with standard deviation 0.01, biases zero.

# %%
reg_src = 1e-3  # the R example's number: its penalty is (reg_src / 2) ||W||^2 (lambda' in the box above)
reg = reg_src / 2  # matgrad's reg, the site's lambda in lambda ||W||^2
lr = 1e-2

params0 = matgrad.init_mlp([D, H, C], np.random.default_rng(1), scale=0.01)
assert {k: v.shape for k, v in params0.items()} == {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def source_recipe(p, X, y, reg_src):
    """Loss and gradients as the R example computes them: data loss + (reg_src / 2) * sum ||W||^2."""
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    scores = A1 @ W2 + b2
    P = np.exp(scores - scores.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    n = X.shape[0]
    data_loss = -np.mean(np.log(P[np.arange(n), y]))
    loss = data_loss + 0.5 * reg_src * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = P.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n
    dA1 = dscores @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    grads = {
        "W1": X.T @ dZ1 + reg_src * W1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dscores + reg_src * W2,
        "b2": dscores.sum(axis=0),
    }
    return loss, grads


loss_src, grads_src = source_recipe(params0, X_train, y_train, reg_src)
loss_mg, grads_mg = matgrad.mlp_forward_backward(params0, X_train, y_train, reg=reg)
np.testing.assert_allclose(loss_mg, loss_src, rtol=1e-12)
for k in params0:
    assert grads_mg[k].shape == params0[k].shape
    np.testing.assert_allclose(grads_mg[k], grads_src[k], rtol=1e-10, atol=1e-15)
    print(f"d L / d {k}: relative error R recipe vs matgrad = {matgrad.relative_error(grads_src[k], grads_mg[k]):.1e}")
print(f"loss: R example {loss_src:.12f}, matgrad {loss_mg:.12f}")

# Using the R example's number in matgrad's convention (reg = 1e-3) would double the penalty's gradient:
_, grads_wrong = matgrad.mlp_forward_backward(params0, X_train, y_train, reg=reg_src)
assert np.allclose(grads_wrong["W1"] - grads_src["W1"], reg_src * params0["W1"], rtol=1e-8, atol=1e-15)

# %% [markdown]
# Loss and all four gradients agree to rounding, so from here on we train with matgrad and
# `reg = 5e-4`. Using the R example's number unchanged in matgrad's convention would be a different
# (twice as strongly regularised) problem; the last assertion above measures that difference.
#
# ## Training
#
# `matgrad.train` with `batch_size=None` is full-batch gradient descent: one update per epoch with the
# gradient of the mean loss over all 90 training rows. We keep the R example's learning rate $10^{-2}$ and
# run 1500 epochs (slow, but after the plateau the loss falls at every epoch: asserted below; other
# rates are not tried here).
# After every epoch a callback records the train and test accuracy, the test cross-entropy, and, at a
# few chosen epochs, a copy of the parameters for the gradient checks below.

# %%
epochs = 1500
check_epochs = (0, 100, 500, epochs - 1)
X_all = np.vstack([X_train, X_test])
train_acc, test_acc, test_loss, snapshots = [], [], [], {}


def record(epoch, params):
    scores = matgrad.mlp_forward_backward(params, X_all)  # (N_train + N_test, C), no y: scores only
    pred = scores.argmax(axis=1)
    train_acc.append(np.mean(pred[:N] == y_train))
    test_acc.append(np.mean(pred[N:] == y_test))
    test_loss.append(matgrad.softmax_cross_entropy(scores[N:], y_test)[0])
    if epoch in check_epochs:
        snapshots[epoch] = {k: v.copy() for k, v in params.items()}


params, history = matgrad.train(
    matgrad.mlp_loss_and_grads(reg), params0, X_train, y_train, lr=lr, epochs=epochs, callback=record
)
train_acc, test_acc, test_loss = map(np.array, (train_acc, test_acc, test_loss))
assert history.shape == train_acc.shape == test_acc.shape == (epochs,)
first_90 = int(np.argmax(test_acc >= 0.9))
print(f"loss: {loss_mg:.4f} before training, {history[-1]:.4f} after {epochs} epochs")
print(f"final accuracy: train {train_acc[-1]:.3f}, test {test_acc[-1]:.3f}")
print(f"test accuracy first reaches 0.9 after {first_90 + 1} epochs")

# %%
# One figure per panel, so that a phone shows them one above the other at a readable size.
ep = np.arange(1, epochs + 1)
fig, ax_loss = plt.subplots(figsize=(7.5, 4.2))
ax_loss.plot(ep, history, label="training loss (cross-entropy + penalty)")
ax_loss.plot(ep, test_loss, label="test cross-entropy")
ax_loss.axhline(np.log(C), color="grey", ls=":", label=r"uniform guess, $\log 3$")
ax_loss.set_title("Loss during full-batch gradient descent")
ax_loss.set_xlabel("epoch (one update on all 90 rows)")
ax_loss.set_ylabel("loss (nats per example)")
ax_loss.legend()
ax_loss.grid(True, alpha=0.3)
fig.tight_layout()
# alt: The training loss (cross-entropy plus penalty) and the test cross-entropy against the epoch, with the uniform
#      guess log 3 as a dotted line.
plt.show()

# %%
fig, ax_acc = plt.subplots(figsize=(7.5, 4.2))
ax_acc.plot(ep, train_acc, label="train (90 rows)")
ax_acc.plot(ep, test_acc, label="test (60 rows)")
ax_acc.axhline(1 / C, color="grey", ls=":", label="chance, 1/3")
ax_acc.set_title("Accuracy per epoch")
ax_acc.set_xlabel("epoch (one update on all 90 rows)")
ax_acc.set_ylabel("accuracy (fraction correct)")
ax_acc.set_ylim(0, 1.02)
ax_acc.legend(loc="lower right")
ax_acc.grid(True, alpha=0.3)
fig.tight_layout()
# alt: Train and test accuracy against the epoch, with chance 1/3 as a dotted line.
plt.show()

# %% [markdown]
# **What the plots show.** For the first few hundred epochs almost nothing happens: with weights of
# size 0.01 all scores are nearly equal, $P \approx (\frac13, \frac13, \frac13)$, the loss sits at
# $\log 3 \approx 1.10$, the net predicts one species for every flower (hence the flat accuracy at
# that species' share of each set), and the gradient that reaches $W_1$ passes through the tiny $W_2$.
# Once the weights have grown, the loss falls steeply and the accuracy jumps; it wobbles for a while as
# the boundary between versicolor and virginica settles (in this run it first touches 0.95 and then
# falls back below 0.9), and over the last 700 epochs it stays at or above 0.95 (asserted). The train and
# test curves stay close: with 6 hidden units and a small penalty the net does not overfit 90 rows much.
# Full-batch descent with a small step decreases the loss at every epoch after epoch 200 (asserted),
# and the assertions below also check that the loss at least halved and the final test accuracy.

# %%
threshold = 0.9
assert history[-1] < 0.5 * history[0], "the loss should at least halve"
assert np.all(np.diff(history[200:]) < 1e-12), "after the plateau the full-batch loss decreases monotonically"
assert test_acc[-1] >= threshold, f"test accuracy {test_acc[-1]:.3f} below {threshold}"
assert test_acc[-700:].min() >= 0.95, test_acc[-700:].min()  # the last 700 epochs stay at or above 0.95
print(f"lowest test accuracy over the last 700 epochs: {test_acc[-700:].min():.3f}")

# %% [markdown]
# ## Confusion matrix
#
# Entry $(i, j)$ counts the test flowers of species $i$ that the trained net assigns to species $j$; a
# perfect classifier has everything on the diagonal.

# %%
pred_test = matgrad.mlp_forward_backward(params, X_test).argmax(axis=1)
confusion = np.zeros((C, C), dtype=int)
np.add.at(confusion, (y_test, pred_test), 1)
assert confusion.sum() == len(y_test) and np.trace(confusion) / len(y_test) == test_acc[-1]
assert confusion[0, 1:].sum() == confusion[1:, 0].sum() == 0  # setosa is never confused with the others
print(confusion)

fig, ax = plt.subplots(figsize=(5.2, 4.4))
image = ax.imshow(confusion, cmap="Blues")
for i in range(C):
    for j in range(C):
        ax.text(
            j,
            i,
            confusion[i, j],
            ha="center",
            va="center",
            color="white" if confusion[i, j] > confusion.max() / 2 else "black",
        )
ax.set_xticks(range(C), matgrad.IRIS_CLASSES)
ax.set_yticks(range(C), matgrad.IRIS_CLASSES)
ax.set_xlabel("predicted species")
ax.set_ylabel("true species")
ax.set_title(f"Test confusion matrix (accuracy {test_acc[-1]:.2f})")
fig.colorbar(image, ax=ax, label="number of test flowers")
fig.tight_layout()
# alt: The test confusion matrix: true species in rows, predicted species in columns, each cell shaded and labelled
#      with its number of test flowers.
plt.show()

# %% [markdown]
# **What the plot shows.** Setosa is never confused with anything (asserted above); the few mistakes
# are between versicolor and virginica, the two species whose petal measurements overlap.
#
# ## The gradient, checked along the way
#
# The gradient that drove all these updates was never compared with anything during training. We do
# that now, at the parameters saved after epochs 1, 101, 501 and 1500. We stack all 51 parameters into
# one vector $\theta = (\mathrm{vec}\,W_1, b_1, \mathrm{vec}\,W_2, b_2)$ (vec stacks columns:
# `matgrad.vec`) and let `matgrad.check_gradient` compare matgrad's gradient with central differences
# ($\varepsilon = 10^{-6}$) of the full regularised loss; it raises if the relative error exceeds
# $10^{-7}$. A finite difference is only valid away from the ReLU kinks, so the check uses the training
# rows whose hidden pre-activations $Z_1$ all lie at least $10^{-3}$ from zero (the loss is then the mean
# over those rows). We also report the relative error of each block separately.

# %%
keys = list(params0)
shapes = {k: params0[k].shape for k in keys}
sizes = [params0[k].size for k in keys]


def flatten(p):
    """theta: the column-major vec of every block, stacked in the order W1, b1, W2, b2."""
    return np.concatenate([matgrad.vec(p[k]) for k in keys])


def unflatten(theta):
    parts = np.split(theta, np.cumsum(sizes)[:-1])
    return {k: matgrad.unvec(part, shapes[k]) for k, part in zip(keys, parts, strict=True)}


assert flatten(params0).shape == (51,)
np.testing.assert_array_equal(flatten(unflatten(flatten(params0))), flatten(params0))

net_errors, block_errors, block_abs = {}, {}, {}
for epoch, p in snapshots.items():
    Z1 = X_train @ p["W1"] + p["b1"]
    safe = np.abs(Z1).min(axis=1) > 1e-3
    Xc, yc = X_train[safe], y_train[safe]
    loss_c, grads = matgrad.mlp_forward_backward(p, Xc, yc, reg=reg)

    def loss_of(theta, Xc=Xc, yc=yc):
        return matgrad.mlp_forward_backward(unflatten(theta), Xc, yc, reg=reg)[0]

    net_errors[epoch] = matgrad.check_gradient(loss_of, flatten(p), flatten(grads), eps=1e-6, tol=1e-7)
    numeric = unflatten(matgrad.numerical_gradient(loss_of, flatten(p), eps=1e-6))
    for k in keys:
        block_errors[epoch, k] = matgrad.relative_error(grads[k], numeric[k])
        block_abs[epoch, k] = np.linalg.norm(grads[k] - numeric[k])
    print(
        f"after epoch {epoch + 1:4d} ({safe.sum()} rows, loss {loss_c:.3f}): whole net {net_errors[epoch]:.1e}; "
        + ", ".join(f"{k} {block_errors[epoch, k]:.1e}" for k in keys)
    )
assert max(net_errors.values()) < 1e-7
# Round-off floor of a central difference (see the gradient-check notebook): about u_fl |L| / eps per entry.
floor = np.finfo(np.float64).eps / 2 * np.log(C) / 1e-6
assert max(block_abs.values()) < 20 * floor * np.sqrt(max(sizes)), "absolute errors at the round-off floor"
# The claims of the paragraph after the plot, checked:
whole = [net_errors[e] for e in check_epochs]
assert np.all(np.diff(whole) < 0), whole  # smaller as training proceeds
db1_norm0 = np.linalg.norm(matgrad.mlp_forward_backward(snapshots[0], X_train, y_train, reg=reg)[1]["b1"])
print(f"||dL/db_1|| at the start: {db1_norm0:.1e}; round-off floor per entry: {floor:.1e}")
assert 5e-4 < db1_norm0 < 1e-3, db1_norm0  # tiny: about 7e-4
assert 3e-8 < block_errors[0, "b1"] < 1e-6, block_errors[0, "b1"]  # the b1 block alone, near 1e-7 ...
assert block_errors[0, "b1"] > 3 * max(block_errors[0, k] for k in keys if k != "b1")  # ... far above the others

# %%
fig, ax = plt.subplots(figsize=(7.5, 4))
saved = [e + 1 for e in check_epochs]
ax.semilogy(saved, [net_errors[e] for e in check_epochs], "k-", lw=2.5, label=r"whole net, $\theta$")
for k, marker in zip(keys, "os^D", strict=True):
    name = f"{k[0]}_{k[1]}"
    ax.semilogy(saved, [block_errors[e, k] for e in check_epochs], marker=marker, ls="--", label=f"block ${name}$")
ax.axhline(1e-7, color="tab:red", ls=":", label="threshold $10^{-7}$")
ax.set_xscale("log")
ax.set_title(r"Gradient check along training (central differences, $\varepsilon = 10^{-6}$)")
ax.set_xlabel("epoch at which the parameters were saved")
ax.set_ylabel("relative error (dimensionless)")
ax.legend(fontsize=8, ncol=2)
ax.grid(True, which="major", alpha=0.3)
fig.tight_layout()
# alt: Relative error of the gradient check against the epoch at which the parameters were saved, on a log scale: the
#      whole net as a solid line and each parameter block as a dashed line, all below the 1e-7 threshold line.
plt.show()

# %% [markdown]
# **What the plot shows.** The whole-net gradient passes at every stage, and its relative error gets
# smaller at each saved epoch (asserted above). One block deserves a second look: at the start,
# $\partial L/\partial b_1$ is tiny (its norm is about $7 \times 10^{-4}$, asserted between
# $5 \times 10^{-4}$ and $10^{-3}$, because every path to $b_1$ goes through the 0.01-sized $W_2$), while
# the round-off of each finite difference is set by the size of the *loss*, about
# $u_{\mathrm{fl}} \log 3 / \varepsilon \approx 10^{-10}$ per entry ($u_{\mathrm{fl}} \approx 1.1 \times
# 10^{-16}$, the unit round-off of float64). Divided by that small norm, the relative error of this
# block alone comes out near $10^{-7}$ (asserted between $3 \times 10^{-8}$ and $10^{-6}$, and more
# than 3 times every other block's) even though the absolute errors of all blocks are at the same
# round-off floor. That is not a bug in the gradient; it is the denominator of the relative error.
# Checking the stacked vector (or checking again after some training, as here) gives the honest picture.

# %% [markdown]
# **Takeaways.**
#
# * The R example's `dW += reg * W` with its `reg` $= 10^{-3}$ is the gradient of the site's penalty
#   $\lambda\|W\|_F^2$ with $\lambda = 5 \times 10^{-4}$ (matgrad's `reg = reg_src / 2`; the box above
#   gives the R example's own $\lambda'/2$ form), and the two computations agree to rounding.
# * With the R example's learning rate and tiny initial weights, full-batch descent first sits on a
#   plateau at $\log 3$ and then reaches a test accuracy above 0.9 on the 60 held-out flowers.
# * The analytic gradient agrees with central differences to better than $10^{-7}$ at every stage of
#   training, not only at the random starting point where such checks are usually made.
