# %% [markdown]
# # Exercises: Attention and the transformer block
#
# Fill in each function and run its cell: `check` calls it on random problems, compares it with finite
# differences and prints `correct` or the mistake it recognises. Needs matgrad (see the README: install it from
# a clone with `pip install -e .`).


# %%
import numpy as np  # noqa: F401 (for your answers)

from matgrad.exercises import check

# %% [markdown]
# ## The shape of the keys' gradient (`at-shape`)
#
# Queries $Q$ are $N \times H$, keys $K$ are $S \times H$ and values $V$ are $S \times H_v$; $O =
# \operatorname{softmax}(QK^\top/\sqrt H)\,V$. What is the shape of $\partial L/\partial K$?
#
# Write `key_gradient_shape(N, S, H, H_v)`, returning a tuple of two sizes.
#
# Hint: A gradient has the shape of its variable: one row per key.


# %%
def key_gradient_shape(N, S, H, H_v):
    """Return a tuple of two sizes."""
    raise NotImplementedError("your answer here")


print(check("at-shape", key_gradient_shape))


# %% [markdown]
# ## The gradient of the values (`at-values`)
#
# $\Sigma = QK^\top/\sqrt H$, $\Pi = \operatorname{softmax}(\Sigma)$ row by row, $O = \Pi V$. For a fixed
# upstream $\partial L/\partial O$ ($N \times H_v$, code `dO`), write $\partial L/\partial V$.
#
# Write `values_gradient(Q, K, V, dO)`, returning dL/dV, shape (S, H_v).
#
# Hint: $dO = \Pi\,dV + \ldots$, and $\operatorname{tr}\big((\partial L/\partial O)^\top \Pi\,dV\big)$ pairs
# $dV$ with $\Pi^\top \partial L/\partial O$.


# %%
def values_gradient(Q, K, V, dO):
    """Return dL/dV, shape (S, H_v)."""
    raise NotImplementedError("your answer here")


print(check("at-values", values_gradient))


# %% [markdown]
# ## The scores' gradient under a causal mask (`at-causal`)
#
# Self-attention with a causal mask ($S = N$): $\Pi_{ij} = [j \le i]\, e^{\Sigma_{ij}} / \sum_{k \le i}
# e^{\Sigma_{ik}}$ and $O = \Pi V$. For a fixed upstream $\partial L/\partial O$ (code `dO`), write $\partial
# L/\partial\Sigma$ ($N \times N$).
#
# Write `causal_scores_gradient(Sigma, V, dO)`, returning dL/dSigma, shape (N, N).
#
# Hint: The softmax's backward step is unchanged: $\Pi \odot \big(\partial L/\partial\Pi - ((\partial
# L/\partial\Pi \odot \Pi)\mathbf 1_N)\mathbf 1_N^\top\big)$, with the masked $\Pi$; its zeros above the
# diagonal do the masking.


# %%
def causal_scores_gradient(Sigma, V, dO):
    """Return dL/dSigma, shape (N, N)."""
    raise NotImplementedError("your answer here")


print(check("at-causal", causal_scores_gradient))


# %% [markdown]
# ## The backward pass of attention (`at-backward`)
#
# $\Sigma = QK^\top/\sqrt H$ ($N \times S$), $\Pi = \operatorname{softmax}(\Sigma)$ row by row, $O = \Pi V$. For
# a fixed upstream $\partial L/\partial O$ (code `dO`), write $\partial L/\partial Q$, $\partial L/\partial K$
# and $\partial L/\partial V$.
#
# Write `attention_backward(Q, K, V, dO)`, returning (dQ (N, H), dK (S, H), dV (S, H_v)).
#
# Hint: Through $O = \Pi V$, then the row softmax (as on the softmax page), then $d\Sigma = (dQ\,K^\top +
# Q\,dK^\top)/\sqrt H$.


# %%
def attention_backward(Q, K, V, dO):
    """Return (dQ (N, H), dK (S, H), dV (S, H_v))."""
    raise NotImplementedError("your answer here")


print(check("at-backward", attention_backward))


# %% [markdown]
# ## Self-attention with a residual connection (`at-residual`)
#
# $X_1 = X + \operatorname{Attn}(X)$ with one head: $Q = XW_Q$, $K = XW_K$ ($W_Q, W_K$: $D \times H$), $V =
# XW_V$ ($W_V$: $D \times D$, so $H_v = D$), $\operatorname{Attn}(X) = \operatorname{softmax}(QK^\top/\sqrt
# H)\,V$. For a fixed upstream $\partial L/\partial X_1$ (code `dX_1`), write $\partial L/\partial X$.
#
# Write `residual_backward(X, W_Q, W_K, W_V, dX_1)`, returning dL/dX, shape (N, D).
#
# Hint: $X$ is used four times (the identity and three projections): its gradient is the sum of the four,
# $\partial L/\partial X_1 + \frac{\partial L}{\partial Q}W_Q^\top + \frac{\partial L}{\partial K}W_K^\top +
# \frac{\partial L}{\partial V}W_V^\top$.


# %%
def residual_backward(X, W_Q, W_K, W_V, dX_1):
    """Return dL/dX, shape (N, D)."""
    raise NotImplementedError("your answer here")


print(check("at-residual", residual_backward))
