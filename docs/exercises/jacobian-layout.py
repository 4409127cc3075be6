# %% [markdown]
# # Exercises: Jacobian layout and vec
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of a Jacobian (`jl-shape-xw`)
#
# $X$ is $N \times D$ and $W$ is $D \times H$. In numerator layout, what is the shape of the Jacobian of
# $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(W)$?
#
# Write `jacobian_shape(N, D, H)`, returning a tuple of two sizes.
#
# Hint: Numerator layout: one row per entry of the output, one column per entry of the input.


# %%
def jacobian_shape(N, D, H):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("jl-shape-xw", jacobian_shape))


# %% [markdown]
# ## The Jacobian of XW with respect to W (`jl-xw-by-w`)
#
# Write the Jacobian $J$ of $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(W)$ (numerator layout,
# $\operatorname{vec}$ stacks columns) as a Kronecker product.
#
# Write `jacobian_w(X, W)`, returning J, shape (N H, D H).
#
# Hint: Use $\operatorname{vec}(BUE) = (E^\top \otimes B)\operatorname{vec}(U)$ with $XW = X W I_H$.


# %%
def jacobian_w(X, W):
    """Return J, shape (N H, D H)."""
    raise NotImplementedError("your answer here")


print(check("jl-xw-by-w", jacobian_w))


# %% [markdown]
# ## The Jacobian of XW with respect to X (`jl-xw-by-x`)
#
# Write the Jacobian of $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(X)$ (numerator layout,
# column-major $\operatorname{vec}$) as a Kronecker product.
#
# Write `jacobian_x(X, W)`, returning J, shape (N H, N D).
#
# Hint: $XW = I_N X W$: here $B = I_N$ and $E = W$.


# %%
def jacobian_x(X, W):
    """Return J, shape (N H, N D)."""
    raise NotImplementedError("your answer here")


print(check("jl-xw-by-x", jacobian_x))


# %% [markdown]
# ## The Jacobian of an entrywise map (`jl-relu`)
#
# For $A = \operatorname{relu}(Z)$ entrywise, $Z$ of shape $N \times H$, write the Jacobian of
# $\operatorname{vec}(A)$ with respect to $\operatorname{vec}(Z)$.
#
# Write `jacobian_relu(Z)`, returning J, shape (N H, N H).
#
# Hint: Entry $i$ of $\operatorname{vec}(A)$ depends on entry $i$ of $\operatorname{vec}(Z)$ only: $J$ is
# diagonal. Mind the order of the diagonal.


# %%
def jacobian_relu(Z):
    """Return J, shape (N H, N H)."""
    raise NotImplementedError("your answer here")


print(check("jl-relu", jacobian_relu))


# %% [markdown]
# ## One example through a hidden layer, by Kronecker products (`jl-one-example`)
#
# One example $x$ (a row of length $D$, label $y = \pm 1$): $z = xW_i + b_i^\top$, $a = \operatorname{relu}(z)$,
# $\hat y = a w_o + b_o$ (code `Wo`, `bo`), $L = \log(1 + e^{-y\hat y})$. Compute $\partial L/\partial W_i$
# through the Jacobian $\partial z/\partial\operatorname{vec}(W_i)$ and return it with $W_i$'s shape.
#
# Write `one_example_backward(x, y, Wi, bi, Wo, bo)`, returning dL/dWi, shape (D, H).
#
# Hint: $\partial z/\partial\operatorname{vec}(W_i) = I_H \otimes x$ ($H \times DH$); the row $g\,(I_H \otimes
# x)$ is $\operatorname{vec}(\partial L/\partial W_i)^\top$, and $\operatorname{unvec}$ refills columns.


# %%
def one_example_backward(x, y, Wi, bi, Wo, bo):
    """Return dL/dWi, shape (D, H)."""
    raise NotImplementedError("your answer here")


print(check("jl-one-example", one_example_backward))
