# %% [markdown]
# # Exercises: Deep MLP (M layers)
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of a layer's weight gradient (`dm-shape`)
#
# Layer $l$ has weights $W_l$ of shape $H_{l-1} \times H_l$ (code `H_prev`, `H_l`). What is the shape of
# $\partial L/\partial W_l$ for a batch of $N$ examples?
#
# Write `weight_gradient_shape(N, H_prev, H_l)`, returning a tuple of two sizes.
#
# Hint: $\partial L/\partial W_l = A_{l-1}^\top G_l + 2\lambda W_l$: the shape of $W_l$.


# %%
def weight_gradient_shape(N, H_prev, H_l):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("dm-shape", weight_gradient_shape))


# %% [markdown]
# ## Through the ReLU (`dm-relu`)
#
# $A = \operatorname{relu}(Z)$ entrywise and $L = \sum_{nh} (\partial L/\partial A)_{nh} A_{nh}$ for a fixed
# upstream $\partial L/\partial A$ (code `dA`). Write $G = \partial L/\partial Z$.
#
# Write `relu_backward(Z, dA)`, returning dL/dZ, shape (N, H).
#
# Hint: Entrywise: $G = \partial L/\partial A \odot \operatorname{relu}'(Z)$.


# %%
def relu_backward(Z, dA):
    """Return dL/dZ, shape (N, H)."""
    raise NotImplementedError("your answer here")


print(check("dm-relu", relu_backward))


# %% [markdown]
# ## One step of the recursion (`dm-recursion`)
#
# $Z_l = \operatorname{relu}(Z_{l-1}) W_l + \mathbf 1_N b_l^\top$ and $L = \sum G_l \odot Z_l$ for a fixed $G_l$
# ($N \times H_l$; code `Z_prev`, `W`, `G`). Write $G_{l-1} = \partial L/\partial Z_{l-1}$.
#
# Write `previous_gradient(Z_prev, W, G)`, returning G_{l-1}, shape (N, H_{l-1}).
#
# Hint: Back through the affine layer ($G_l W_l^\top$), then through the ReLU.


# %%
def previous_gradient(Z_prev, W, G):
    """Return G_{l-1}, shape (N, H_{l-1})."""
    raise NotImplementedError("your answer here")


print(check("dm-recursion", previous_gradient))


# %% [markdown]
# ## The whole backward pass (`dm-backward`)
#
# An $M$-layer ReLU net ($M = 3$ here): $Z_l = A_{l-1} W_l + \mathbf 1_N b_l^\top$, $A_l =
# \operatorname{relu}(Z_l)$ for $l < M$, $A_0 = X$; $L$ the mean cross-entropy of $Z_M$ plus $\lambda \sum_l
# \lVert W_l\rVert_F^2$. Write every gradient (a dict with keys W1, b1, ..., for any $M$).
#
# Write `mlp_backward(params, X, y, reg)`, returning a dict with keys W1, b1, ..., WM, bM, each gradient of its
# parameter's shape.
#
# Hint: $G_M = (P - Y)/N$; $G_{l-1} = (G_l W_l^\top) \odot \operatorname{relu}'(Z_{l-1})$; $\partial L/\partial
# W_l = A_{l-1}^\top G_l + 2\lambda W_l$.


# %%
def mlp_backward(params, X, y, reg):
    """Return a dict with keys W1, b1, ..., WM, bM, each gradient of its parameter's shape."""
    raise NotImplementedError("your answer here")


print(check("dm-backward", mlp_backward))
