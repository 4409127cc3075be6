# %% [markdown]
# # Exercises: Batch norm and layer norm
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the scale's gradient (`nm-shape`)
#
# Batch norm of $X$ ($N \times D$) ends with $\tilde X = \hat X \operatorname{diag}(\gamma) + \mathbf 1_N
# \beta^\top$. What is the shape of $\partial L/\partial \gamma$?
#
# Write `scale_gradient_shape(N, D)`, returning a tuple of one size.
#
# Hint: $\gamma \in \mathbb R^{D}$ scales each column, for every example.


# %%
def scale_gradient_shape(N, D):
    """Return a tuple of one size."""
    raise NotImplementedError("your answer here")


print(check("nm-shape", scale_gradient_shape))


# %% [markdown]
# ## The gradients of the scale and the shift (`nm-scale-shift`)
#
# $\tilde X = \hat X \operatorname{diag}(\gamma) + \mathbf 1_N \beta^\top$ ($N \times D$), with a fixed upstream
# $\partial L/\partial\tilde X$ (code `dXtilde`). Write $\partial L/\partial\gamma$ and $\partial
# L/\partial\beta$.
#
# Write `scale_shift_backward(Xhat, gamma, beta, dXtilde)`, returning (dgamma (D,), dbeta (D,)).
#
# Hint: Column $j$ of $\tilde X$ is $\gamma_j \hat X_{:,j} + \beta_j$: sum over the examples.


# %%
def scale_shift_backward(Xhat, gamma, beta, dXtilde):
    """Return (dgamma (D,), dbeta (D,))."""
    raise NotImplementedError("your answer here")


print(check("nm-scale-shift", scale_shift_backward))


# %% [markdown]
# ## The backward pass of batch norm (`nm-batchnorm`)
#
# Batch norm in training mode: column means $\mu$, standard deviations $s$ with $s_j^2 = \frac1N \sum_n (X_{nj}
# - \mu_j)^2 + \epsilon_0$ (code `eps`), $\hat X = (X - \mathbf 1_N\mu^\top)\operatorname{diag}(s)^{-1}$,
# $\tilde X = \hat X\operatorname{diag}(\gamma) + \mathbf 1_N\beta^\top$. For a fixed upstream $\partial
# L/\partial\tilde X$ (code `dXtilde`), write $\partial L/\partial X$, $\partial L/\partial\gamma$ and $\partial
# L/\partial\beta$.
#
# Write `batchnorm_backward(X, gamma, beta, eps, dXtilde)`, returning (dX (N, D), dgamma (D,), dbeta (D,)).
#
# Hint: $\mu$ and $s$ depend on $X$ too. With $\partial L/\partial\hat X = \partial L/\partial\tilde
# X\,\operatorname{diag}(\gamma)$, each column of $\partial L/\partial X$ is $\frac1{s_j}$ times $\partial
# L/\partial\hat X$ minus its column mean minus $\hat X$ times the column mean of $\partial L/\partial\hat X
# \odot \hat X$.


# %%
def batchnorm_backward(X, gamma, beta, eps, dXtilde):
    """Return (dX (N, D), dgamma (D,), dbeta (D,))."""
    raise NotImplementedError("your answer here")


print(check("nm-batchnorm", batchnorm_backward))


# %% [markdown]
# ## The backward pass of layer norm (`nm-layernorm`)
#
# Layer norm takes the statistics of each row: $\mu_{\mathrm{row}}, s_{\mathrm{row}} \in \mathbb R^{N}$, $\hat X
# = \operatorname{diag}(s_{\mathrm{row}})^{-1}(X - \mu_{\mathrm{row}}\mathbf 1_D^\top)$, and keeps the scale and
# shift per column, $\tilde X = \hat X\operatorname{diag}(\gamma) + \mathbf 1_N\beta^\top$. Write $\partial
# L/\partial X$, $\partial L/\partial\gamma$ and $\partial L/\partial\beta$ for a fixed upstream $\partial
# L/\partial\tilde X$ (code `dXtilde`).
#
# Write `layernorm_backward(X, gamma, beta, eps, dXtilde)`, returning (dX (N, D), dgamma (D,), dbeta (D,)).
#
# Hint: Batch norm's formula for dX with the means taken along the rows (axis 1); the scale and shift still act
# on columns, so their gradients still sum over the examples.


# %%
def layernorm_backward(X, gamma, beta, eps, dXtilde):
    """Return (dX (N, D), dgamma (D,), dbeta (D,))."""
    raise NotImplementedError("your answer here")


print(check("nm-layernorm", layernorm_backward))
