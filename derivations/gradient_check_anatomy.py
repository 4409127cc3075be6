# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Anatomy of a gradient check
#
# Every derivation on this site ends with a check: the gradient we derived, written in NumPy, is
# compared with a finite-difference estimate, and the *relative error* must be below $10^{-7}$.
# This notebook takes that check apart. We ask three questions:
#
# 1. How does the error of a finite difference depend on the step $\varepsilon$, and why is the
#    default a **central** difference with $\varepsilon = 10^{-6}$ in **float64**?
# 2. What does the relative error measure, and why is it the right number to threshold?
# 3. Which thresholds are safe, and what kinds of mistakes does each one let through?
#
# **Set-up.** The test function is the softmax cross-entropy of a net with one linear layer ($M = 1$,
# so $W_1$ is $D \times C$ and the scores are $Z_1 = X W_1$), $L(W_1) =
# \frac{1}{N}\sum_n -\log \mathrm{softmax}(X W_1)_{n, y_n}$ with $X \in \mathbb{R}^{N \times D}$
# (examples are rows; `W` in the code). It is smooth everywhere, so every error we see comes from the
# finite difference and the floating-point arithmetic, not from a kink. Its exact gradient (derived on
# the softmax cross-entropy page) is
#
# $$\frac{\partial L}{\partial W_1} = X^\top \frac{P - Y}{N}, \qquad P = \mathrm{softmax}(XW_1),$$
#
# and `matgrad.softmax_cross_entropy` returns $G_1 = \partial L/\partial Z_1 = (P - Y)/N$.

# %%
import matplotlib.pyplot as plt
import numpy as np

import matgrad

rng = np.random.default_rng(5)
N, D, C = 20, 5, 4
X = rng.standard_normal((N, D))
y = rng.integers(0, C, size=N)
W = rng.standard_normal((D, C))


def loss(W, X=X):
    """L(W): mean softmax cross-entropy of the scores X W (a float of X's and W's dtype)."""
    return matgrad.softmax_cross_entropy(X @ W, y)[0]


_, dZ = matgrad.softmax_cross_entropy(X @ W, y)
dW_exact = X.T @ dZ  # dL/dW, shape (D, C)
assert dW_exact.shape == W.shape == (D, C)
print(f"L(W) = {loss(W):.6f},  ||dL/dW||_F = {np.linalg.norm(dW_exact):.4f}")

# %% [markdown]
# ## Two finite differences
#
# For one entry $\theta = (W_1)_{jk}$ of $W_1$ (all other entries held fixed, so that $L$ is a function
# of $\theta$ alone), the two classic estimates of $\partial L / \partial \theta$ are
#
# $$\text{forward: } \frac{L(\theta + \varepsilon) - L(\theta)}{\varepsilon}
# = L'(\theta) + \frac{\varepsilon}{2} L''(\theta) + O(\varepsilon^2),$$
#
# $$\text{central: } \frac{L(\theta + \varepsilon) - L(\theta - \varepsilon)}{2\varepsilon}
# = L'(\theta) + \frac{\varepsilon^2}{6} L'''(\theta) + O(\varepsilon^4).$$
#
# The Taylor remainders are the **truncation error**: it shrinks like $\varepsilon$ (forward) or
# $\varepsilon^2$ (central). But each $L(\cdot)$ is computed in floating point with a relative error of
# about the unit round-off $u_{\mathrm{fl}}$ ($u_{\mathrm{fl}} \approx 1.1 \times 10^{-16}$ in float64,
# $6 \times 10^{-8}$ in float32), and dividing a difference of two nearly equal numbers by a small
# $\varepsilon$ amplifies it: the **round-off error** grows like $u_{\mathrm{fl}} |L| / \varepsilon$.
# The total error is smallest where the two balance:
#
# $$\varepsilon^\star_{\text{forward}} \sim \sqrt{u_{\mathrm{fl}}}, \qquad
# \varepsilon^\star_{\text{central}} \sim u_{\mathrm{fl}}^{1/3}.$$
#
# `matgrad.numerical_gradient` is the central difference applied to every entry, in float64 only (it
# refuses float32 input, for the reason this notebook shows). The forward difference is not in the
# library at all, so we write both schemes here in one small loop that keeps the dtype of its input,
# which lets us run them in float32 as well.


# %%
def finite_difference(f, W, eps, scheme):
    """Finite-difference gradient of the scalar f at W, entry by entry, in W's dtype."""
    W = W.copy()
    step = W.dtype.type(eps)
    grad = np.zeros_like(W)
    f0 = f(W)
    for i in np.ndindex(W.shape):
        old = W[i]
        W[i] = old + step
        f_plus = f(W)
        if scheme == "central":
            W[i] = old - step
            grad[i] = (f_plus - f(W)) / (2 * step)
        else:
            grad[i] = (f_plus - f0) / step
        W[i] = old
    return grad


# Our central loop is exactly what matgrad.numerical_gradient computes (float64).
assert finite_difference(loss, W, 1e-6, "central").shape == W.shape
np.testing.assert_allclose(
    finite_difference(loss, W, 1e-6, "central"), matgrad.numerical_gradient(loss, W, eps=1e-6), rtol=1e-12, atol=1e-15
)
print("relative error at the default step:", matgrad.relative_error(matgrad.numerical_gradient(loss, W), dW_exact))
try:
    matgrad.numerical_gradient(loss, W.astype(np.float32))
except ValueError as err:
    print("float32 input:", err)
else:
    raise AssertionError("matgrad.numerical_gradient should refuse float32")

# %% [markdown]
# ## The error as the step varies
#
# We sweep $\varepsilon$ over $10^{-12} \dots 10^{-1}$ (four points per decade) and measure the relative
# error of each estimate against the exact gradient, once with $X$ and $W$ in float64 and once in
# float32. In float32 the exact gradient is still the float64 one, so the plot shows what a check run
# in single precision could ever achieve.

# %%
eps_grid = np.logspace(-12, -1, 45)
schemes = ("forward", "central")
dtypes = (np.float64, np.float32)
errors = {}
for dtype in dtypes:
    X_d, W_d = X.astype(dtype), W.astype(dtype)
    assert matgrad.softmax_cross_entropy(X_d @ W_d, y)[1].dtype == dtype  # the forward pass runs in this precision
    for scheme in schemes:
        errors[dtype.__name__, scheme] = np.array(
            [
                matgrad.relative_error(
                    finite_difference(lambda U, X_d=X_d: loss(U, X_d), W_d, eps, scheme).astype(np.float64), dW_exact
                )
                for eps in eps_grid
            ]
        )

best = {}
for key, err in errors.items():
    k = int(np.argmin(err))
    best[key] = (eps_grid[k], err[k])
    print(f"{key[0]:>7s} {key[1]:>7s}: smallest error {err[k]:.1e} at eps = {eps_grid[k]:.1e}")

for dtype in dtypes:
    u_fl = np.finfo(dtype).eps / 2  # unit round-off
    print(f"{dtype.__name__}: u_fl = {u_fl:.1e}, sqrt(u_fl) = {np.sqrt(u_fl):.1e}, u_fl^(1/3) = {np.cbrt(u_fl):.1e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), sharey=True)
for ax, dtype in zip(axes, dtypes, strict=True):
    name = dtype.__name__
    for scheme, colour in zip(schemes, ("tab:orange", "tab:blue"), strict=True):
        ax.loglog(eps_grid, errors[name, scheme], "o-", ms=3, color=colour, label=f"{scheme} difference")
    if dtype is np.float64:
        # Guide lines with the slopes the Taylor expansions predict, drawn a factor 10 below the
        # float64 curves at eps = 1e-2 so that both stay visible.
        anchor = np.array([1e-5, 1e-1])
        for scheme, slope, colour in (("forward", 1, "tab:orange"), ("central", 2, "tab:blue")):
            e0 = np.interp(-2.0, np.log10(eps_grid), np.log10(errors[name, scheme])) - 1
            ax.loglog(
                anchor, 10**e0 * (anchor / 1e-2) ** slope, ":", color=colour, lw=2, label=f"slope {slope} (guide)"
            )
    ax.axvline(1e-6, color="grey", ls="--", lw=1, label=r"default $\varepsilon = 10^{-6}$")
    ax.axhline(1e-7, color="tab:red", ls="-.", lw=1, label="threshold $10^{-7}$")
    ax.set_title(f"Finite-difference error vs step, {name}")
    ax.set_xlabel(r"step $\varepsilon$ (same units as $W$)")
    ax.grid(True, which="major", alpha=0.3)
axes[0].set_ylabel(
    r"relative error of the estimate of $\partial L / \partial W_1$ vs the exact one (dimensionless)", fontsize=9
)
axes[0].legend(fontsize=8, loc="lower left")
fig.tight_layout()
# alt: Two log-log panels, one per dtype, of the finite-difference error against the step epsilon for forward and
#      central differences, with slope guides, the default step 1e-6 as a dashed vertical line and the 1e-7 threshold
#      as a horizontal line.
plt.show()

# %% [markdown]
# **What the plot shows.** Read each curve from the right. At large $\varepsilon$ the error falls
# along a straight line: that is truncation, with slope 1 for the forward difference and slope 2 for
# the central one (parallel to the dotted guides). Moving left, the error reaches a minimum and
# then climbs again with slope about $-1$: that is round-off, $u_{\mathrm{fl}}|L|/\varepsilon$, and it is
# noisy because it is the rounding of individual floating-point operations. At the far left of the
# float32 panel $\theta + \varepsilon$ rounds back to $\theta$, both evaluations are identical and the
# estimate is exactly zero (relative error exactly 1, asserted at $\varepsilon = 10^{-12}$).
#
# In float64 the central difference reaches about $10^{-10}$ near $\varepsilon \approx 10^{-5}$ and
# stays below $10^{-7}$ over the four decades $10^{-7} \le \varepsilon \le 10^{-3}$ (asserted); the
# forward difference never gets much below $10^{-7}$ anywhere. In float32 nothing gets near $10^{-7}$:
# the best central estimate is about $5 \times 10^{-5}$ in this run (asserted between $10^{-5}$ and
# $10^{-3}$).
#
# Now we measure the slopes and the optimum, and assert them.


# %%
def fitted_slope(scheme, dtype_name, lo, hi):
    """Least-squares slope of log10(error) against log10(eps) for lo <= eps <= hi."""
    sel = (eps_grid >= lo * (1 - 1e-9)) & (eps_grid <= hi * (1 + 1e-9))
    return np.polyfit(np.log10(eps_grid[sel]), np.log10(errors[dtype_name, scheme][sel]), 1)[0]


slope_forward = fitted_slope("forward", "float64", 1e-6, 1e-2)
slope_central = fitted_slope("central", "float64", 1e-4, 1e-2)
slope_roundoff = fitted_slope("central", "float64", 1e-12, 1e-8)
eps_best_central, err_best_central = best["float64", "central"]
eps_best_forward, err_best_forward = best["float64", "forward"]
print(f"float64 truncation slope, forward (eps in [1e-6, 1e-2]): {slope_forward:.2f}  (theory 1)")
print(f"float64 truncation slope, central (eps in [1e-4, 1e-2]): {slope_central:.2f}  (theory 2)")
print(f"float64 round-off slope, central (eps in [1e-12, 1e-8]): {slope_roundoff:.2f}  (theory -1)")
print(f"float64 central optimum: eps = {eps_best_central:.1e}, error = {err_best_central:.1e}")
print(f"float64 forward optimum: eps = {eps_best_forward:.1e}, error = {err_best_forward:.1e}")
print(
    f"float32 central optimum: eps = {best['float32', 'central'][0]:.1e}, error = {best['float32', 'central'][1]:.1e}"
)

# The claims of this notebook, checked:
assert 0.9 <= slope_forward <= 1.1, slope_forward
assert 1.8 <= slope_central <= 2.2, slope_central
assert -1.3 <= slope_roundoff <= -0.7, slope_roundoff
assert 1e-6 <= eps_best_central <= 1e-4, eps_best_central  # the central optimum lies in 1e-6 ... 1e-4
assert 1e-9 <= eps_best_forward <= 1e-6, eps_best_forward  # the forward optimum is near sqrt(u_fl) ~ 1e-8
assert err_best_central < 1e-9  # central, float64: ~1e-10 at best ...
assert errors["float64", "central"][np.isclose(eps_grid, 1e-6)][0] < 1e-8  # ... and < 1e-8 at the default step
assert err_best_forward > 1e-8  # forward differences cannot pass a 1e-8 check at any step
assert best["float32", "central"][1] > 1e-6  # float32 cannot pass a 1e-7 check at any step
assert 1e-5 <= best["float32", "central"][1] <= 1e-3  # ... its best is around 1e-5 to 1e-4
decades = (eps_grid >= 1e-7 * (1 - 1e-9)) & (eps_grid <= 1e-3 * (1 + 1e-9))
assert np.all(errors["float64", "central"][decades] < 1e-7)  # below 1e-7 over four decades around 1e-6
assert eps_grid[0] == 1e-12
for scheme in schemes:  # theta + eps == theta in float32: the estimate is exactly zero, relative error 1
    assert errors["float32", scheme][0] == 1.0, errors["float32", scheme][0]

# %% [markdown]
# **Why central differences at $\varepsilon \approx 10^{-6}$ in float64 are the default.**
# The central optimum sits at $u_{\mathrm{fl}}^{1/3} \approx 5 \times 10^{-6}$ times a factor that depends on the
# scale of $L$ and of its third derivative; $10^{-6}$ is a round number a little to the left of it,
# where the error (about $10^{-9}$) is still two orders of magnitude below the threshold $10^{-7}$, and
# the valley is wide, so the choice is not delicate. The forward difference would need
# $\varepsilon \approx \sqrt{u_{\mathrm{fl}}} \approx 10^{-8}$ and still only reaches about $10^{-7}$ to $10^{-8}$,
# which leaves no margin. float32 cannot separate a correct gradient from a slightly wrong one at
# $10^{-7}$ at all, which is why every check on the site runs in float64.
#
# ## What the relative error measures
#
# `matgrad.relative_error(U, U2)` is, for two arrays $U$ and $\tilde U$ of one shape,
#
# $$\frac{\|U - \tilde U\|_F}{\max(\|U\|_F, \|\tilde U\|_F)},$$
#
# the size of the disagreement measured in units of the gradient itself (and $0$ when both are zero:
# asserted below).
# An *absolute* error would depend on the scale of the loss: multiply $L$ by 1000 and the absolute
# error grows a thousandfold, while the relative error does not move. The denominator takes the
# larger of the two norms, so it never divides by a tiny number when one of the two vectors is
# nearly zero, and the result is at most 2 (by the triangle inequality; reached for $\tilde U = -U$, asserted
# below).

# %%
dW_fd = matgrad.numerical_gradient(loss, W)
dW_fd_scaled = matgrad.numerical_gradient(lambda U: 1000.0 * loss(U), W)
abs_err, abs_err_scaled = np.abs(dW_fd - dW_exact).max(), np.abs(dW_fd_scaled - 1000.0 * dW_exact).max()
rel_err, rel_err_scaled = (
    matgrad.relative_error(dW_fd, dW_exact),
    matgrad.relative_error(dW_fd_scaled, 1000.0 * dW_exact),
)
print(f"loss L:      max abs error {abs_err:.1e}, relative error {rel_err:.1e}")
print(f"loss 1000 L: max abs error {abs_err_scaled:.1e}, relative error {rel_err_scaled:.1e}")
assert abs_err_scaled > 100 * abs_err  # the absolute error follows the scale of the loss ...
assert rel_err < 1e-8 and rel_err_scaled < 1e-8  # ... the relative error does not
U_ex = rng.standard_normal((D, C))
assert matgrad.relative_error(np.zeros((D, C)), np.zeros((D, C))) == 0.0  # 0 when both are zero
assert matgrad.relative_error(U_ex, -U_ex) == 2.0  # the largest value, for opposite vectors
assert matgrad.relative_error(U_ex, 1e-12 * U_ex) <= 1.0  # one of them nearly zero: no blow-up
assert all(matgrad.relative_error(U_ex, rng.standard_normal((D, C))) <= 2.0 for _ in range(100))

# %% [markdown]
# ## Which thresholds are safe
#
# A threshold has to sit **above** the error of a correct gradient (about $10^{-10}$ here) and
# **below** the error of every wrong one. Three typical mistakes, and the relative error each
# produces:
#
# * the loss is a mean but the gradient forgets the $1/N$ (an error of order 1);
# * one column of the gradient is missing, e.g. a class dropped by an indexing bug;
# * a small term is wrong: with an $L_2$ penalty $\lambda \|W\|_F^2$ the gradient is $2\lambda W$, and
#   writing $\lambda W$ (the other convention, see the conventions page) is off by only $\lambda W$.
#
# The third one is the dangerous kind: its relative error is about the size of $\lambda$ times the
# ratio of $\|W\|$ to the gradient, which a loose threshold such as $10^{-3}$ happily accepts.

# %%
reg = 1e-5


def loss_reg(U):
    return loss(U) + reg * np.sum(U * U)


dW_reg = dW_exact + 2 * reg * W  # correct
dW_fd_reg = matgrad.numerical_gradient(loss_reg, W)
mistakes = {
    "correct": dW_reg,
    "forgot 1/N": N * dW_exact + 2 * reg * W,
    "one column missing": np.where(np.arange(C) == C - 1, 0.0, dW_reg),
    "reg gradient lambda W": dW_exact + reg * W,
}
rel = {name: matgrad.relative_error(g, dW_fd_reg) for name, g in mistakes.items()}
for name, r in rel.items():
    print(f"{name:>22s}: relative error {r:.1e}")

assert rel["correct"] < 1e-8
assert rel["forgot 1/N"] > 0.5 and rel["one column missing"] > 0.1
assert 1e-7 < rel["reg gradient lambda W"] < 1e-4  # caught by 1e-7, missed by 1e-3 (and even 1e-4)

# matgrad.check_gradient raises on the subtle one and names the worst entry:
try:
    matgrad.check_gradient(loss_reg, W, mistakes["reg gradient lambda W"])
except matgrad.GradientCheckError as err:
    print("check_gradient:", err)
else:
    raise AssertionError("the lambda-W mistake should have failed the check")
print("correct gradient, relative error:", matgrad.check_gradient(loss_reg, W, dW_reg))

# %%
fig, ax = plt.subplots(figsize=(7.5, 3.6))
names = list(rel)
ax.barh(names, [rel[n] for n in names], color=["tab:green", "tab:red", "tab:red", "tab:red"])
ax.set_xscale("log")
ax.axvline(1e-7, color="black", ls="--", label="site threshold $10^{-7}$")
ax.axvline(1e-3, color="grey", ls=":", label="loose threshold $10^{-3}$")
ax.set_xlim(1e-12, 10)
ax.set_title(r"Relative error of correct and wrong gradients (float64, central, $\varepsilon = 10^{-6}$)")
ax.set_xlabel("relative error vs central differences (dimensionless)")
ax.set_ylabel("gradient used")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
# alt: Horizontal bars of the relative error of each correct and each wrong gradient against central differences, on
#      a log scale, with the site threshold 1e-7 and a loose threshold 1e-3 as vertical lines.
plt.show()

# %% [markdown]
# **Takeaways.**
#
# * In float64 a correct gradient checked with central differences at $\varepsilon = 10^{-6}$ agrees to
#   about $10^{-9}$ (about $10^{-10}$ at the optimum); the site asserts $< 10^{-7}$, leaving two orders
#   of magnitude of margin for less friendly functions (larger third derivatives, larger losses).
# * Gross bugs give relative errors of order $10^{-2}$ to $1$; subtle ones (a wrong small term) can sit
#   at $10^{-5}$. A threshold of $10^{-3}$ or $10^{-2}$, common in tutorials, would pass them.
# * Check in float64. A float32 check bottoms out around $10^{-5}$ to $10^{-4}$ (asserted between
#   $10^{-5}$ and $10^{-3}$) and cannot tell the subtle bug from
#   a correct gradient.
# * A finite difference of a function with kinks (ReLU) is only valid when no pre-activation lies
#   within $\varepsilon$ of zero; the pages check $|Z| > 10^{-3}$ before they compare.
