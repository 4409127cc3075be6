# %% [markdown]
# # Exercises: Regression: mean squared error and least squares
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the bias gradient (`rg-shape-db`)
#
# The last layer predicts $\hat Y = XW + \mathbf 1_N b^\top$ ($X$ is $N \times D$, $W$ is $D \times C$). What is
# the shape of $\partial L/\partial b$ for the mean squared error?
#
# Write `bias_gradient_shape(N, D, C)`, returning a tuple of one size.
#
# Hint: A gradient has the shape of its variable, whatever the batch size.


# %%
def bias_gradient_shape(N, D, C):
    """Return a tuple of one size."""
    raise NotImplementedError("your answer here")


print(check("rg-shape-db", bias_gradient_shape))


# %% [markdown]
# ## The gradient of the mean squared error (`rg-mse`)
#
# $L = \frac1N\lVert\hat Y - Y\rVert_F^2$, the mean over the $N$ examples of the squared distance between a row
# of predictions $\hat Y$ and its row of targets $Y$ (both $N \times C$). Write $\partial L/\partial \hat Y$.
#
# Write `mse_gradient(Yhat, Y)`, returning dL/dYhat, shape (N, C).
#
# Hint: $dL = \frac2N\operatorname{tr}\big((\hat Y - Y)^\top d\hat Y\big)$.


# %%
def mse_gradient(Yhat, Y):
    """Return dL/dYhat, shape (N, C)."""
    raise NotImplementedError("your answer here")


print(check("rg-mse", mse_gradient))


# %% [markdown]
# ## The gradient behind the normal equations (`rg-normal`)
#
# Least squares without a bias: $L = \lVert XW - Y\rVert_F^2$ (a sum, no $\frac1N$), $X$ is $N \times D$, $W$ is
# $D \times C$, targets $Y$ are $N \times C$. Write $\partial L/\partial W$ (setting it to zero gives the normal
# equations $X^\top X W = X^\top Y$).
#
# Write `least_squares_gradient(X, W, Y)`, returning dL/dW, shape (D, C).
#
# Hint: $dL = 2\operatorname{tr}\big((XW - Y)^\top X\,dW\big)$: move $X$ to the other factor.


# %%
def least_squares_gradient(X, W, Y):
    """Return dL/dW, shape (D, C)."""
    raise NotImplementedError("your answer here")


print(check("rg-normal", least_squares_gradient))


# %% [markdown]
# ## The 1/2 convention, with a bias (`rg-half`)
#
# With the $\frac12$ convention, $L = \frac1{2N}\lVert XW + \mathbf 1_N b^\top - Y\rVert_F^2$ ($X$: $N \times
# D$, $W$: $D \times C$, $b$: $C$ entries, targets $Y$: $N \times C$). Write $\partial L/\partial W$ and
# $\partial L/\partial b$.
#
# Write `half_mse_backward(X, W, b, Y)`, returning (dW (D, C), db (C,)).
#
# Hint: The $\frac12$ cancels the 2 of the square: $\partial L/\partial\hat Y = \frac1N(\hat Y - Y)$. The bias
# is added to every row, so its gradient sums the rows.


# %%
def half_mse_backward(X, W, b, Y):
    """Return (dW (D, C), db (C,))."""
    raise NotImplementedError("your answer here")


print(check("rg-half", half_mse_backward))


# %% [markdown]
# ## The backward pass of a regression network (`rg-net`)
#
# A two-layer network predicts $\hat Y = \operatorname{relu}(X W_1 + \mathbf 1_N b_1^\top)\, W_2 + \mathbf 1_N
# b_2^\top$ ($N \times C$) and is trained on $L = \frac1N\lVert\hat Y - Y\rVert_F^2 + \lambda(\lVert
# W_1\rVert_F^2 + \lVert W_2\rVert_F^2)$ (code `reg`), targets $Y$ real. Write every gradient.
#
# Write `regression_backward(params, X, Y, reg)`, returning a dict with keys "W1", "b1", "W2", "b2", each the
# shape of its parameter.
#
# Hint: Start from $G_2 = \frac2N(\hat Y - Y)$, then the site's recursion: $G_1 = G_2 W_2^\top \odot
# \operatorname{relu}'(Z_1)$; each weight gradient gets $2\lambda W_l$.


# %%
def regression_backward(params, X, Y, reg):
    """Return a dict with keys "W1", "b1", "W2", "b2", each the shape of its parameter."""
    raise NotImplementedError("your answer here")


print(check("rg-net", regression_backward))
