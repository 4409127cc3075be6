# %% [markdown]
# # Exercises: Logistic loss
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the input-weight gradient (`ll-shape`)
#
# The logistic net has input weights $W_i$ ($D \times H$). For a batch of $N$ examples, what is the shape of
# $\partial L/\partial W_i$?
#
# Write `gradient_shape(N, D, H)`, returning a tuple of two sizes.
#
# Hint: A gradient has the shape of its variable; N does not appear in it.


# %%
def gradient_shape(N, D, H):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("ll-shape", gradient_shape))


# %% [markdown]
# ## The derivative of the summed logistic loss (`ll-dyhat`)
#
# $L = \sum_n \log(1 + e^{-y_n \hat y_n})$ with labels $y_n = \pm 1$. Write $\partial L/\partial \hat y$.
#
# Write `grad_outputs(yhat, y)`, returning dL/dyhat, shape (N,).
#
# Hint: $\frac{d}{du}\log(1 + e^{-u}) = -\sigma(-u)$, and $u = y_n \hat y_n$.


# %%
def grad_outputs(yhat, y):
    """Return dL/dyhat, shape (N,)."""
    raise NotImplementedError("your answer here")


print(check("ll-dyhat", grad_outputs))


# %% [markdown]
# ## The linear logistic model (`ll-linear`)
#
# $\hat y = Xw + b_o \mathbf 1_N$ with $X$ ($N \times D$), $w$ (length $D$), a scalar $b_o$, and the summed
# logistic loss $L = \sum_n \log(1 + e^{-y_n \hat y_n})$. Write $\partial L/\partial w$ and $\partial L/\partial
# b_o$.
#
# Write `linear_backward(X, y, w, bo)`, returning (dw (D,), dbo a number).
#
# Hint: With $\partial L/\partial\hat y$ from the previous exercise: $d\hat y = X\,dw + \mathbf 1_N\,db_o$.


# %%
def linear_backward(X, y, w, bo):
    """Return (dw (D,), dbo a number)."""
    raise NotImplementedError("your answer here")


print(check("ll-linear", linear_backward))


# %% [markdown]
# ## The logistic net on a batch (`ll-net`)
#
# $Z = XW_i + \mathbf 1_N b_i^\top$, $A = \operatorname{relu}(Z)$, $\hat y = A w_o + b_o \mathbf 1_N$ (code
# `Wo`, `bo`), $L = \sum_n \log(1 + e^{-y_n \hat y_n})$. Write the gradients by $W_i$, $b_i$, $w_o$, $b_o$.
#
# Write `logistic_net_backward(X, y, Wi, bi, Wo, bo)`, returning (dWi (D, H), dbi (H,), dWo (H,), dbo a number).
#
# Hint: $\partial L/\partial\hat y = -y \odot \sigma(-y \odot \hat y)$; then $G = (\partial L/\partial\hat
# y)\,w_o^\top \odot \operatorname{relu}'(Z)$.


# %%
def logistic_net_backward(X, y, Wi, bi, Wo, bo):
    """Return (dWi (D, H), dbi (H,), dWo (H,), dbo a number)."""
    raise NotImplementedError("your answer here")


print(check("ll-net", logistic_net_backward))
