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
# # Two-dimensional points, a logistic net, and per-example SGD
#
# This notebook trains the small network of the logistic-loss page on points in the plane. Each
# example is a row $x$ ($1 \times D$, here $D = 2$) with a label $y_n \in \{-1, +1\}$; the net has one
# ReLU hidden layer of $H$ units and a scalar output (the notation of [Notation](../../notation/)):
#
# $$\begin{gathered}
# a = \max(x W_i + b_i^\top, 0), \qquad \hat y_n = a\, w_o + b_o, \\
# W_i \in \mathbb{R}^{D \times H},\; b_i, w_o \in \mathbb{R}^{H},\; b_o \in \mathbb{R}.
# \end{gathered}$$
#
# The loss is the **sum** over the $N$ training examples of the logistic loss,
# $L = \sum_n \log(1 + e^{-y_n \hat y_n})$, as in the course exercise this set-up comes from (a
# two-layer net trained by SGD on points in the plane); the network's output turns into a
# probability with $\Pr(y_n = +1 \mid x) = \sigma(\hat y_n)$.
#
# We do three things:
#
# 1. train it with **per-example stochastic gradient descent** (one update per example, examples
#    shuffled each epoch): `matgrad.train(..., batch_size=1)`;
# 2. train the same initial net with **full-batch gradient descent** (one update per epoch on the
#    gradient of the whole sum) and compare the two loss curves;
# 3. draw the decision boundary over the data, and show that a linear model cannot do the job.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import matgrad

rng = np.random.default_rng(2024)
N, H = 160, 12
X, y = matgrad.make_rings(N, rng, noise=0.1)
assert X.shape == (N, 2) and y.shape == (N,)
assert set(np.unique(y)) == {-1, 1}
print(f"{N} points, {np.sum(y == 1)} labelled +1 and {np.sum(y == -1)} labelled -1")

# Initial parameters, shared by both training runs. Random biases let the ReLU hinges start
# away from the origin, where the two rings share their centre.
params0 = {
    "Wi": rng.normal(0.0, 1.0, size=(2, H)),
    "bi": rng.normal(0.0, 0.5, size=H),
    "Wo": rng.normal(0.0, 1.0 / np.sqrt(H), size=H),
    "bo": 0.0,
}


def accuracy(params, X, y):
    """Fraction of rows whose sign(yhat) equals the label."""
    yhat = matgrad.logistic_net_forward(X, params["Wi"], params["bi"], params["Wo"], params["bo"])
    return float(np.mean(np.where(yhat >= 0, 1, -1) == y))


print(f"accuracy before training: {accuracy(params0, X, y):.3f}")

# %% [markdown]
# Before training anything, one check that the gradient `matgrad.train` will follow is the gradient
# of the summed loss: the batched `matgrad.logistic_net_gradient` against central differences, for
# every weight and bias vector. The net has kinks, so the check uses the rows whose pre-activations
# all lie at least $10^{-3}$ away from zero.

# %%
args = (params0["Wi"], params0["bi"], params0["Wo"], params0["bo"])
safe = np.abs(X @ params0["Wi"] + params0["bi"]).min(axis=1) > 1e-3  # rows away from every ReLU kink
X_chk, y_chk = X[safe], y[safe]
grads0 = matgrad.logistic_net_gradient(X_chk, y_chk, *args)
assert [np.shape(g) for g in grads0] == [(2, H), (H,), (H,), ()]
for k, name in enumerate(["Wi", "bi", "Wo"]):

    def loss_of(U, k=k):
        a = list(args)
        a[k] = U
        return matgrad.logistic_net_loss(X_chk, y_chk, *a)

    rel = matgrad.check_gradient(loss_of, args[k], grads0[k])
    print(f"d loss / d {name} on {safe.sum()} rows: relative error {rel:.1e}")

# %% [markdown]
# ## Per-example SGD vs full-batch gradient descent
#
# One **epoch** touches every example once in both methods, so both cost $N$ example-gradients per
# epoch. Per-example SGD turns them into $N$ small updates; full-batch descent adds them up
# (the loss is a sum, so its gradient is the sum of the per-example gradients) and makes one update.
# A full-batch step is therefore $N$ times larger for the same learning rate, and to stay stable its
# learning rate must be about $N$ times smaller: we use $\eta = 0.05$ per example for SGD and
# $\eta = 1/N$ for the full batch, and give the full batch 25 times more epochs (15 vs 375).
#
# `matgrad.train` records the loss on the whole training set after each epoch; we plot it divided by
# $N$, the average logistic loss per example ($\log 2 \approx 0.69$ means chance).

# %%
lr_sgd, epochs_sgd = 0.05, 15
lr_full, epochs_full = 1.0 / N, 375


def timed_training(**kwargs):
    """Run matgrad.train, recording the CPU time of this process after each epoch."""
    stamps = []
    start = time.process_time()
    params, history = matgrad.train(
        matgrad.logistic_net_loss_and_grads,
        params0,
        X,
        y,
        callback=lambda epoch, p: stamps.append(time.process_time() - start),
        **kwargs,
    )
    return params, history, np.array(stamps)


params_sgd, hist_sgd, t_sgd = timed_training(lr=lr_sgd, epochs=epochs_sgd, batch_size=1, rng=np.random.default_rng(7))
params_full, hist_full, t_full = timed_training(lr=lr_full, epochs=epochs_full)
assert hist_sgd.shape == (epochs_sgd,) and hist_full.shape == (epochs_full,)

acc_sgd, acc_full = accuracy(params_sgd, X, y), accuracy(params_full, X, y)
loss0 = matgrad.logistic_net_loss(X, y, *args) / N
print(f"initial mean loss {loss0:.3f}")
print(
    f"per-example SGD: {epochs_sgd:4d} epochs, {t_sgd[-1]:.2f} s, "
    f"mean loss {hist_sgd[-1] / N:.4f}, accuracy {acc_sgd:.3f}"
)
print(
    f"full batch GD  : {epochs_full:4d} epochs, {t_full[-1]:.2f} s, "
    f"mean loss {hist_full[-1] / N:.4f}, accuracy {acc_full:.3f}"
)
print(f"full batch after {epochs_sgd} epochs: mean loss {hist_full[epochs_sgd - 1] / N:.4f}")
# Epochs, and CPU time, each method needs to reach the loss SGD has after its last epoch.
reach_full = int(np.argmax(hist_full <= hist_sgd[-1])) + 1
assert hist_full[reach_full - 1] <= hist_sgd[-1] < hist_full[reach_full - 2]
print(
    f"to reach SGD's final loss: full batch {reach_full} epochs ({t_full[reach_full - 1]:.3f} s), "
    f"SGD {epochs_sgd} epochs ({t_sgd[-1]:.3f} s); CPU times measured, not asserted"
)

# %%
fig, (ax_ep, ax_t) = plt.subplots(1, 2, figsize=(11, 4.2))
ep_sgd, ep_full = np.arange(1, epochs_sgd + 1), np.arange(1, epochs_full + 1)
for ax, (x_sgd, x_full) in ((ax_ep, (ep_sgd, ep_full)), (ax_t, (t_sgd, t_full))):
    ax.semilogy(x_sgd, hist_sgd / N, label=f"per-example SGD, $\\eta$ = {lr_sgd}")
    ax.semilogy(x_full, hist_full / N, label=f"full-batch GD, $\\eta$ = 1/N = {lr_full:.2g}")
    ax.axhline(np.log(2), color="grey", ls=":", label="chance, $\\log 2$")
    ax.set_ylabel("training loss / N (nats per example)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
ax_ep.set_xscale("log")
ax_ep.set_xlabel("epoch (passes over the N examples)")
ax_ep.set_title("Loss per epoch")
ax_t.set_xlabel("CPU time of the process (s)")
ax_t.set_title("Loss against CPU time spent")
fig.tight_layout()
# alt: Two panels of the training loss per example on a log scale: left against the epoch, right against CPU time,
#      for per-example SGD and full-batch gradient descent, with chance log 2 as a dotted line.
plt.show()

# %% [markdown]
# **What the plot shows.** Per epoch (left, note the logarithmic epoch axis) per-example SGD is far
# ahead: after one pass it has already made $N$ updates, while full-batch descent has made one. The
# full batch needs several times more epochs to reach the same loss (to reach SGD's final loss: the
# count printed above, asserted between 5 and 15 times SGD's 15 epochs), but its curve decreases at every
# epoch (asserted), and each of its epochs is a handful of matrix products instead of $N$ Python-level
# updates. Against CPU time (right; CPU rather than wall-clock time, so that other programs running on
# the machine count less) the comparison can turn around: in the runs we made, the batch reached
# SGD's final loss in less CPU time, because in NumPy the cost of an update is dominated by per-call
# overhead, not arithmetic (the cost notebook measures this). This run's times are printed above:
# measured, not asserted.
#
# SGD's recorded curve is the loss after each whole epoch; inside an epoch, each update follows one
# example's gradient, not the sum's, so single updates can raise the loss of the whole set. The cell
# below replays SGD's first epoch update by update and counts the updates that raised it.

# %%
threshold = 0.95
assert hist_sgd[-1] < 0.2 * loss0 * N and hist_full[-1] < 0.2 * loss0 * N  # both losses fell a lot
assert hist_sgd[epochs_sgd - 1] < hist_full[epochs_sgd - 1]  # per epoch, SGD is ahead
assert acc_sgd >= threshold and acc_full >= threshold, (acc_sgd, acc_full)
assert np.all(np.diff(hist_full) < 0)  # the full-batch curve decreases at every epoch
assert 5 * epochs_sgd <= reach_full <= 15 * epochs_sgd, reach_full  # several times more epochs

# SGD's first epoch, replayed one update at a time (the same update rule as matgrad.train, batch_size=1):
p = dict(params0)
within = [matgrad.logistic_net_loss(X, y, *p.values())]
for n in np.random.default_rng(0).permutation(N):
    _, grads = matgrad.logistic_net_loss_and_grads(p, X[n], y[n])
    p = {k: p[k] - lr_sgd * grads[k] for k in p}
    within.append(matgrad.logistic_net_loss(X, y, *p.values()))
ups = int(np.sum(np.diff(within) > 0))
print(f"first SGD epoch replayed: {ups} of {N} single-example updates raised the loss of the whole set")
assert ups > 0 and within[-1] < within[0]  # it wiggles, and still falls over the epoch

# %% [markdown]
# ## A linear model for contrast
#
# Without the hidden layer the score is $\hat y_n = x w + b_o$, a straight decision boundary. The labels
# sit on two concentric rings, so no straight line separates them. We train this model with the same
# summed logistic loss (`matgrad.logistic_loss` gives $\partial L / \partial \hat y$; the chain rule
# gives $\partial L/\partial w = X^\top \partial L/\partial \hat y$ and $\partial L/\partial b_o = \sum_n
# \partial L/\partial \hat y_n$, checked first against central differences at a random point) by
# full-batch descent.


# %%
def linear_loss(theta):
    """Summed logistic loss of the linear model, theta = (w_1, w_2, b_o)."""
    return matgrad.logistic_loss(X @ theta[:2] + theta[2], y)[0]


theta = np.random.default_rng(3).standard_normal(3)
_, dyhat = matgrad.logistic_loss(X @ theta[:2] + theta[2], y)
dw, dbo = X.T @ dyhat, float(dyhat.sum())  # the two formulas above
assert dw.shape == (2,) and dyhat.shape == (N,)
rel_lin = matgrad.check_gradient(linear_loss, theta, np.append(dw, dbo), eps=1e-6, tol=1e-7)
print(f"linear model, dL/dw and dL/db_o vs central differences: relative error {rel_lin:.1e}")

w_lin, b_lin = np.zeros(2), 0.0
for _ in range(500):
    loss_lin, dyhat = matgrad.logistic_loss(X @ w_lin + b_lin, y)
    w_lin, b_lin = w_lin - lr_full * (X.T @ dyhat), b_lin - lr_full * float(dyhat.sum())
acc_lin = float(np.mean(np.where(X @ w_lin + b_lin >= 0, 1, -1) == y))
print(f"linear model: mean loss {matgrad.logistic_loss(X @ w_lin + b_lin, y)[0] / N:.3f}, accuracy {acc_lin:.3f}")
assert acc_lin < 0.7  # a straight line cannot separate two concentric rings

# %% [markdown]
# ## The decision boundary
#
# We evaluate each trained model on a grid covering the data and colour the plane by
# $\Pr(y_n = +1 \mid x) = \sigma(\hat y_n)$; the black line is the decision boundary $\hat y_n = 0$.

# %%
lim = 1.15 * np.abs(X).max()
g1, g2 = np.meshgrid(np.linspace(-lim, lim, 200), np.linspace(-lim, lim, 200))
grid = np.column_stack([g1.ravel(), g2.ravel()])
assert list(params_sgd) == list(params_full) == ["Wi", "bi", "Wo", "bo"]  # the argument order of the net
models = {
    f"Net, per-example SGD\ntraining accuracy {acc_sgd:.2f}": matgrad.logistic_net_forward(grid, *params_sgd.values()),
    f"Net, full-batch GD\ntraining accuracy {acc_full:.2f}": matgrad.logistic_net_forward(grid, *params_full.values()),
    f"Linear model, full-batch GD\ntraining accuracy {acc_lin:.2f}": grid @ w_lin + b_lin,
}

fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), sharey=True)
for ax, (title, yhat_grid) in zip(axes, models.items(), strict=True):
    filled = ax.contourf(
        g1, g2, matgrad.sigmoid(yhat_grid).reshape(g1.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8
    )
    ax.contour(g1, g2, yhat_grid.reshape(g1.shape), levels=[0.0], colors="black", linewidths=1.5)
    ax.scatter(*X[y == 1].T, s=12, c="darkred", edgecolors="white", linewidths=0.4, label="$y = +1$")
    ax.scatter(*X[y == -1].T, s=12, c="navy", edgecolors="white", linewidths=0.4, label="$y = -1$")
    ax.set_title(title)
    ax.set_xlabel("feature 1 (input units)")
    ax.set_aspect("equal")
axes[0].set_ylabel("feature 2 (input units)")
axes[0].legend(loc="upper right", fontsize=8)
fig.colorbar(filled, ax=axes, label=r"$\Pr(y = +1 \mid x) = \sigma(\hat y)$", shrink=0.85)
# alt: Three panels of the two-feature plane, one per trained model, each shading the predicted probability of y = +1
#      with its decision boundary as a black line and the training points of the two classes as red and blue dots.
plt.show()

# %% [markdown]
# **What the plot shows.** Both trained nets draw a closed boundary around the inner ring: each ReLU
# unit $j$ contributes one straight hinge $x (W_i)_{:,j} + (b_i)_j = 0$, and a dozen of them are enough to
# fence in a disc with a polygon. The linear model can only cut the plane in two halves and does little
# better than predicting one class everywhere.
#
# **Takeaways.**
#
# * Per-example SGD and full-batch descent follow the same gradient, split differently: $N$ small
#   steps on one example each, or one step on the sum. With a summed loss, the full-batch learning rate
#   has to shrink by about $N$.
# * Per epoch SGD makes more progress (asserted); per CPU second, in NumPy, the batched update was
#   cheaper in our runs (measured, not asserted; see the cost notebook for why).
# * The hidden layer is what makes the boundary bend; the linear model stays near chance.
