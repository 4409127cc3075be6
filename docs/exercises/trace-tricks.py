# %% [markdown]
# # Exercises: Trace tricks and differentials
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of a gradient (`tt-shape`)
#
# $U$ is $m \times n$ and $B$ is $n \times m$. What is the shape of $\partial \phi / \partial U$ for $\phi =
# \operatorname{tr}(BU)$?
#
# Write `gradient_shape(m, n)`, returning a tuple of two sizes.
#
# Hint: A gradient has the shape of its variable.


# %%
def gradient_shape(m, n):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("tt-shape", gradient_shape))


# %% [markdown]
# ## The gradient of tr(BU) (`tt-trace-bu`)
#
# $\phi = \operatorname{tr}(BU)$ with $U$ of shape $m \times n$ and $B$ of shape $n \times m$. Write $\partial
# \phi / \partial U$.
#
# Write `grad_trace(U, B)`, returning dphi/dU, shape (m, n).
#
# Hint: $d\phi = \operatorname{tr}(B\,dU)$; the gradient is the matrix $\partial\phi/\partial U$ with $d\phi =
# \operatorname{tr}((\partial\phi/\partial U)^\top dU)$.


# %%
def grad_trace(U, B):
    """Return dphi/dU, shape (m, n)."""
    raise NotImplementedError("your answer here")


print(check("tt-trace-bu", grad_trace))


# %% [markdown]
# ## The gradient of a bilinear form (`tt-uuv`)
#
# $\phi = u^\top U v$ with $U$ of shape $m \times n$, $u$ of length $m$ and $v$ of length $n$. Write
# $\partial\phi/\partial U$.
#
# Write `grad_bilinear(U, u, v)`, returning dphi/dU, shape (m, n).
#
# Hint: $\phi = \operatorname{tr}(v u^\top U)$.


# %%
def grad_bilinear(U, u, v):
    """Return dphi/dU, shape (m, n)."""
    raise NotImplementedError("your answer here")


print(check("tt-uuv", grad_bilinear))


# %% [markdown]
# ## The gradient of log |det U| (`tt-logdet`)
#
# $\phi = \log\lvert\det U\rvert$ for an invertible $m \times m$ matrix $U$. Write $\partial\phi/\partial U$.
#
# Write `grad_logdet(U)`, returning dphi/dU, shape (m, m).
#
# Hint: $d\phi = \operatorname{tr}(U^{-1} dU)$.


# %%
def grad_logdet(U):
    """Return dphi/dU, shape (m, m)."""
    raise NotImplementedError("your answer here")


print(check("tt-logdet", grad_logdet))


# %% [markdown]
# ## The gradient of tr(B U E U^T) (`tt-btu`)
#
# $\phi = \operatorname{tr}(B U E U^\top)$ with $U$ of shape $m \times n$, $B$ of shape $m \times m$ and $E$ of
# shape $n \times n$ (neither symmetric). Write $\partial\phi/\partial U$.
#
# Write `grad_quadratic(U, B, E)`, returning dphi/dU, shape (m, n).
#
# Hint: $U$ appears twice: $d\phi = \operatorname{tr}(B\,dU\,E U^\top) + \operatorname{tr}(B U E\,dU^\top)$.


# %%
def grad_quadratic(U, B, E):
    """Return dphi/dU, shape (m, n)."""
    raise NotImplementedError("your answer here")


print(check("tt-btu", grad_quadratic))


# %% [markdown]
# ## A sigmoid layer by differentials (`tt-layer`)
#
# $A = \sigma(XW + \mathbf 1_N b^\top)$ and $L = \sum_{ij} (\partial L/\partial A)_{ij} A_{ij}$ with $X$ ($N
# \times D$), $W$ ($D \times H$), $b$ (length $H$) and a fixed upstream gradient $\partial L/\partial A$ ($N
# \times H$). Write $\partial L/\partial X$, $\partial L/\partial W$ and $\partial L/\partial b$.
#
# Write `layer_backward(X, W, b, dA)`, returning (dX (N, D), dW (D, H), db (H,)).
#
# Hint: First the gradient at the pre-activations, $G = \partial L/\partial A \odot \sigma'(Z)$ with $\sigma' =
# \sigma(1 - \sigma)$; then $dZ = dX\,W + X\,dW + \mathbf 1_N db^\top$.


# %%
def layer_backward(X, W, b, dA):
    """Return (dX (N, D), dW (D, H), db (H,))."""
    raise NotImplementedError("your answer here")


print(check("tt-layer", layer_backward))
