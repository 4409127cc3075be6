# %% [markdown]
# # Exercises: Activations and dropout
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of a gradient through dropout (`ad-shape`)
#
# Dropout maps activations $A$ ($N \times H$) to $A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M \odot A$. What
# is the shape of $\partial L/\partial A$?
#
# Write `dropout_gradient_shape(N, H)`, returning a tuple of two sizes.
#
# Hint: The gradient has the shape of its variable; dropout acts entry by entry.


# %%
def dropout_gradient_shape(N, H):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("ad-shape", dropout_gradient_shape))


# %% [markdown]
# ## Through tanh (`ad-tanh`)
#
# $A = \tanh(Z)$ entrywise ($N \times H$), with a fixed upstream $\partial L/\partial A$ (code `dA`). Write $G =
# \partial L/\partial Z$.
#
# Write `tanh_backward(Z, dA)`, returning dL/dZ, shape (N, H).
#
# Hint: $\tanh' = 1 - \tanh^2$, evaluated at $Z$; the Jacobian is diagonal, so the backward step is entrywise.


# %%
def tanh_backward(Z, dA):
    """Return dL/dZ, shape (N, H)."""
    raise NotImplementedError("your answer here")


print(check("ad-tanh", tanh_backward))


# %% [markdown]
# ## Through the GELU (`ad-gelu`)
#
# $A = \operatorname{GELU}(Z) = Z \odot \Phi(Z)$ entrywise, with $\Phi(t) = \frac12(1 + \tanh\kappa(t))$ and
# $\kappa(t) = \sqrt{2/\pi}\,(t + 0.044715\,t^3)$. Write $G = \partial L/\partial Z$ for a fixed upstream
# $\partial L/\partial A$ (code `dA`).
#
# Write `gelu_backward(Z, dA)`, returning dL/dZ, shape (N, H).
#
# Hint: The product rule: $\operatorname{GELU}'(t) = \Phi(t) + t\,\Phi'(t)$ with $\Phi'(t) = \frac12(1 -
# \tanh^2\kappa(t))\,\kappa'(t)$.


# %%
def gelu_backward(Z, dA):
    """Return dL/dZ, shape (N, H)."""
    raise NotImplementedError("your answer here")


print(check("ad-gelu", gelu_backward))


# %% [markdown]
# ## Through dropout, with its mask (`ad-dropout`)
#
# Inverted dropout with drop probability $\rho$ and a fixed mask $\mathcal M$ (entries 0 or 1):
# $A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M \odot A$. Write $\partial L/\partial A$ for a fixed upstream
# $\partial L/\partial A_{\mathrm{drop}}$ (code `dA_drop`).
#
# Write `dropout_backward(A, mask, rho, dA_drop)`, returning dL/dA, shape (N, H).
#
# Hint: The backward pass reuses the forward pass's mask and its scale; an entry dropped forward gets no
# gradient.


# %%
def dropout_backward(A, mask, rho, dA_drop):
    """Return dL/dA, shape (N, H)."""
    raise NotImplementedError("your answer here")


print(check("ad-dropout", dropout_backward))


# %% [markdown]
# ## A tanh layer with dropout (`ad-layer`)
#
# $Z = XW + \mathbf 1_N b^\top$, $A = \tanh(Z)$, $A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M \odot A$ ($X$:
# $N \times D$, $W$: $D \times H$), with a fixed upstream $\partial L/\partial A_{\mathrm{drop}}$ (code
# `dA_drop`). Write $\partial L/\partial X$, $\partial L/\partial W$ and $\partial L/\partial b$.
#
# Write `tanh_dropout_backward(X, W, b, mask, rho, dA_drop)`, returning (dX (N, D), dW (D, H), db (H,)).
#
# Hint: Backward through dropout, then tanh, gives $G = \partial L/\partial Z$; then the affine layer: $G
# W^\top$, $X^\top G$, $G^\top \mathbf 1_N$.


# %%
def tanh_dropout_backward(X, W, b, mask, rho, dA_drop):
    """Return (dX (N, D), dW (D, H), db (H,))."""
    raise NotImplementedError("your answer here")


print(check("ad-layer", tanh_dropout_backward))
