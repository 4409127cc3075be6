# %% [markdown]
# # Exercises: Conventions
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## Numerator or denominator layout (`cv-numerator-shape`)
#
# For one example, $z = xW$ with $x$ a row ($1 \times D$) and $W$ ($D \times H$). In numerator layout, what is
# the shape of the Jacobian of $z$ with respect to $x$?
#
# Write `jacobian_shape(D, H)`, returning a tuple of two sizes.
#
# Hint: Numerator layout: one row per output.


# %%
def jacobian_shape(D, H):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("cv-numerator-shape", jacobian_shape))


# %% [markdown]
# ## Lambda or lambda/2 (`cv-lambda-prime`)
#
# Another text writes the penalty $\frac{\lambda'}{2}\lVert W\rVert_F^2$ (code `reg_prime`). Write its gradient
# by $W$.
#
# Write `penalty_gradient(W, reg_prime)`, returning the gradient, shape of W.
#
# Hint: $d\,\lVert W\rVert_F^2 = 2\operatorname{tr}(W^\top dW)$.


# %%
def penalty_gradient(W, reg_prime):
    """Return the gradient, shape of W."""
    raise NotImplementedError("your answer here")


print(check("cv-lambda-prime", penalty_gradient))


# %% [markdown]
# ## Rows or columns (`cv-columns`)
#
# A text with examples as columns writes $Z^\top = W^\top X^\top + b\,\mathbf 1_N^\top$ and works with $X^\top$
# ($D \times N$, code `Xt`), $W^\top$ ($H \times D$, code `Wt`) and an upstream $G^\top$ ($H \times N$, code
# `Gt`), $L = \sum G \odot Z$. Write the gradient by $W^\top$.
#
# Write `grad_wt(Xt, Wt, Gt)`, returning dL/dW^T, shape (H, D).
#
# Hint: The gradient by $W^\top$ is the transpose of the gradient by $W$, $X^\top G$.


# %%
def grad_wt(Xt, Wt, Gt):
    """Return dL/dW^T, shape (H, D)."""
    raise NotImplementedError("your answer here")


print(check("cv-columns", grad_wt))


# %% [markdown]
# ## The summed cross-entropy (`cv-sum`)
#
# Another text sums the cross-entropy over the $N$ rows instead of averaging: $L = \sum_n (\log\sum_c e^{Z_{nc}}
# - Z_{n y_n})$. Write $\partial L/\partial Z$.
#
# Write `grad_sum(Z, y)`, returning dL/dZ, shape (N, C).
#
# Hint: The mean's gradient times N.


# %%
def grad_sum(Z, y):
    """Return dL/dZ, shape (N, C)."""
    raise NotImplementedError("your answer here")


print(check("cv-sum", grad_sum))


# %% [markdown]
# ## A layer in the column convention (`cv-column-layer`)
#
# In the column convention a layer is $Z^\top = W^\top X^\top + b\,\mathbf 1_N^\top$ (code `Xt` $D \times N$,
# `Wt` $H \times D$, `b` of length $H$), with $L = \sum G \odot Z$ for a fixed upstream $G^\top$ (code `Gt`, $H
# \times N$). Write the gradients by $X^\top$, $W^\top$ and $b$.
#
# Write `column_layer_backward(Xt, Wt, b, Gt)`, returning (dXt (D, N), dWt (H, D), db (H,)).
#
# Hint: Transpose the row convention's $\partial L/\partial X = G W^\top$ and $\partial L/\partial W = X^\top
# G$; the bias sums over the examples, which are now the columns.


# %%
def column_layer_backward(Xt, Wt, b, Gt):
    """Return (dXt (D, N), dWt (H, D), db (H,))."""
    raise NotImplementedError("your answer here")


print(check("cv-column-layer", column_layer_backward))
