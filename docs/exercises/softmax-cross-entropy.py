# %% [markdown]
# # Exercises: Softmax cross-entropy
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the gradient at the scores (`sce-shape`)
#
# $Z_M$ holds the scores of $N$ examples and $C$ classes; $L$ is the mean cross-entropy. What is the shape of
# $\partial L/\partial Z_M$?
#
# Write `gradient_shape(N, C)`, returning a tuple of two sizes.
#
# Hint: A gradient has the shape of its variable.


# %%
def gradient_shape(N, C):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("sce-shape", gradient_shape))


# %% [markdown]
# ## The gradient of the mean cross-entropy (`sce-grad-scores`)
#
# $L = \frac1N \sum_n \left(\log\sum_c e^{Z_{nc}} - Z_{n y_n}\right)$ for scores $Z$ ($N \times C$) and integer
# labels $y$. Write $\partial L/\partial Z$ (with $P = \operatorname{softmax}(Z)$ row by row and $Y$ the one-hot
# targets).
#
# Write `grad_scores(Z, y)`, returning dL/dZ, shape (N, C).
#
# Hint: One row: $\partial/\partial z$ of $\log\sum_c e^{z_c} - z_{y_n}$ is $p - $ the one-hot row. Then the
# mean.


# %%
def grad_scores(Z, y):
    """Return dL/dZ, shape (N, C)."""
    raise NotImplementedError("your answer here")


print(check("sce-grad-scores", grad_scores))


# %% [markdown]
# ## Back through the softmax (`sce-softmax-backward`)
#
# $P = \operatorname{softmax}(Z)$ row by row ($N \times C$) and $L = \sum_{nc} (\partial L/\partial P)_{nc}
# P_{nc}$ for a fixed upstream $\partial L/\partial P$ (code `dP`). Write $\partial L/\partial Z$.
#
# Write `softmax_backward(Z, dP)`, returning dL/dZ, shape (N, C).
#
# Hint: One row: the Jacobian is $\operatorname{diag}(p) - p^\top p$; multiply the upstream row by it.


# %%
def softmax_backward(Z, dP):
    """Return dL/dZ, shape (N, C)."""
    raise NotImplementedError("your answer here")


print(check("sce-softmax-backward", softmax_backward))


# %% [markdown]
# ## The two-layer network (`sce-two-layer`)
#
# $Z_1 = XW_1 + \mathbf 1_N b_1^\top$, $A_1 = \operatorname{relu}(Z_1)$, $Z_2 = A_1 W_2 + \mathbf 1_N b_2^\top$,
# $L$ the mean cross-entropy of $Z_2$ and $y$ plus $\lambda(\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2)$ (code
# `reg`). Write all four gradients.
#
# Write `two_layer_backward(params, X, y, reg)`, returning a dict with keys W1, b1, W2, b2, each gradient of its
# parameter's shape.
#
# Hint: $G_2 = (P - Y)/N$; $G_1 = (G_2 W_2^\top) \odot \operatorname{relu}'(Z_1)$; each weight gradient is
# $A_{l-1}^\top G_l + 2\lambda W_l$, each bias gradient the column sums of $G_l$.


# %%
def two_layer_backward(params, X, y, reg):
    """Return a dict with keys W1, b1, W2, b2, each gradient of its parameter's shape."""
    raise NotImplementedError("your answer here")


print(check("sce-two-layer", two_layer_backward))
