# %% [markdown]
# # Exercises: Batch extension
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the bias gradient (`be-shape-bias`)
#
# $Z = XW + \mathbf 1_N b^\top$ with $b$ of length $H$. What is the shape of $\partial L/\partial b$ for a batch
# of $N$ examples?
#
# Write `bias_gradient_shape(N, D, H)`, returning a tuple of sizes.
#
# Hint: A gradient has the shape of its variable: b is shared by the N rows.


# %%
def bias_gradient_shape(N, D, H):
    """Return a tuple of sizes."""
    raise NotImplementedError("your answer here")


print(check("be-shape-bias", bias_gradient_shape))


# %% [markdown]
# ## An affine layer on a batch (`be-affine`)
#
# $Z = XW + \mathbf 1_N b^\top$ and $L = \sum_{nh} G_{nh} Z_{nh}$ for a fixed upstream $G$ ($N \times H$, the
# gradient at $Z$). Write $\partial L/\partial X$, $\partial L/\partial W$, $\partial L/\partial b$.
#
# Write `affine_backward(X, W, b, G)`, returning (dX (N, D), dW (D, H), db (H,)).
#
# Hint: $dZ = dX\,W + X\,dW + \mathbf 1_N\,db^\top$; and $\operatorname{tr}(G^\top \mathbf 1_N db^\top) =
# (G^\top \mathbf 1_N)^\top db$.


# %%
def affine_backward(X, W, b, G):
    """Return (dX (N, D), dW (D, H), db (H,))."""
    raise NotImplementedError("your answer here")


print(check("be-affine", affine_backward))


# %% [markdown]
# ## Sum or mean (`be-mean-ce`)
#
# $Z = XW + \mathbf 1_N b^\top$ and $L$ the mean over the $N$ rows of the cross-entropy of $Z$ and $y$. Write
# $\partial L/\partial W$ and $\partial L/\partial b$.
#
# Write `mean_ce_backward(X, W, b, y)`, returning (dW (D, C), db (C,)).
#
# Hint: The mean brings one factor $1/N$ into $G = \partial L/\partial Z$, and only there.


# %%
def mean_ce_backward(X, W, b, y):
    """Return (dW (D, C), db (C,))."""
    raise NotImplementedError("your answer here")


print(check("be-mean-ce", mean_ce_backward))


# %% [markdown]
# ## The logistic net on a batch, with the mean (`be-logistic-mean`)
#
# The logistic net of the logistic-loss page on $N$ rows ($Z = XW_i + \mathbf 1_N b_i^\top$, $A =
# \operatorname{relu}(Z)$, $\hat y = A w_o + b_o \mathbf 1_N$), but with the mean $L = \frac1N \sum_n \log(1 +
# e^{-y_n \hat y_n})$. Write the gradients by $W_i$, $b_i$, $w_o$, $b_o$.
#
# Write `logistic_net_backward(X, y, Wi, bi, Wo, bo)`, returning (dWi (D, H), dbi (H,), dWo (H,), dbo a number).
#
# Hint: The per-example gradients of the sum, each divided by $N$: the $1/N$ enters once, in $\partial
# L/\partial\hat y$.


# %%
def logistic_net_backward(X, y, Wi, bi, Wo, bo):
    """Return (dWi (D, H), dbi (H,), dWo (H,), dbo a number)."""
    raise NotImplementedError("your answer here")


print(check("be-logistic-mean", logistic_net_backward))
