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
# # What each formulation costs
#
# The logistic-loss and Jacobian-layout pages derive the same gradient three ways. In the site's
# notation (see Notation), one example is a row $x$ ($1 \times D$; `D` in the code below) of
# the batch $X$ ($N \times D$), with its label $y_n$, and the net is
# $z = x W_i + b_i^\top$ ($1 \times H$), $a = \max(z, 0)$, $\hat y_n = a\, w_o + b_o$, with $W_i$
# ($D \times H$), $b_i$ and $w_o$ ($H$), $b_o$ a scalar, and $L_n = \log(1 + e^{-y_n \hat y_n})$; the
# loss is the sum $L = \sum_n L_n$ over the $N$ examples. Vec stacks columns.
#
# 1. **Kronecker-Jacobian route**, one example at a time: multiply explicit Jacobians (numerator layout),
#    $$\frac{\partial L_n}{\partial (\mathrm{vec}\, W_i)^\top} = \frac{\partial L_n}{\partial \hat y_n}\; w_o^\top\;
#    \mathrm{diag}(\operatorname{relu}'(z))\; (I_H \otimes x),$$
#    where $I_H \otimes x$ ($x$ a row, column-major vec) is the $H \times DH$ Jacobian
#    $\partial z / \partial (\mathrm{vec}\, W_i)^\top$. It is built and multiplied: $O(H^2 D)$ work and
#    memory per example. This is `matgrad.logistic_net_gradient_kronecker`.
# 2. **Outer-product route**, one example at a time: with the row
#    $g = \partial L / \partial z = \frac{\partial L_n}{\partial \hat y_n}\, w_o^\top \odot \operatorname{relu}'(z)$
#    ($1 \times H$; $\operatorname{relu}'$ is 1 where $z > 0$ and 0 elsewhere), the gradient is the
#    outer product $\partial L_n / \partial W_i = x^\top g$
#    ($D \times H$, with $x$ and $g$ rows): $O(HD)$ per example. This is
#    `matgrad.logistic_net_gradient` called on one row at a time, in a Python loop.
# 3. **Batched route**: stack the rows $g$ of the $N$ examples into $G$ ($N \times H$); then
#    $\partial L / \partial W_i = X^\top G$, one matrix product (GEMM) for the whole batch, the same
#    $O(NHD)$ arithmetic as $N$ outer products. This is `matgrad.logistic_net_gradient` on the batch.
#
# Here we measure what each costs, in time and in memory, as the hidden width $H$ and the number of
# examples $N$ grow, and fit slopes on log-log axes. Times come from this machine, whatever else it is
# doing, so they are noisy: we measure CPU time, take medians of repeats, interleave the routes in
# random order, and print and plot the times without asserting them (a timed assertion fails whenever
# the machine is busy; the side-by-side speed figures of the site are on the benchmark page). Memory
# and arithmetic are deterministic: we assert them tightly.

# %%
import contextlib
import functools
import os
import random
import time
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np

import matgrad

try:  # one BLAS thread, so that all the work happens in this thread (threadpoolctl is optional)
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = threadpool_limits(limits=1)
    clock = time.thread_time  # CPU time of this thread
    print(
        "BLAS:", ", ".join(f"{i['internal_api']} {i.get('architecture', '?')}" for i in threadpool_info()), "(1 thread)"
    )
except ImportError:
    blas = contextlib.nullcontext()
    clock = time.process_time  # CPU time of all threads of this process
    print("threadpoolctl not installed: BLAS runs with its default threads")
print("clock:", clock.__name__)

rng = np.random.default_rng(3)
D = 8  # input dimension, fixed throughout


def make_problem(N, H):
    """Random data (N rows, labels y of -1/+1) and parameters of a net with H hidden units."""
    X = rng.standard_normal((N, D))
    y = np.where(rng.random(N) < 0.5, -1, 1)
    params = (
        rng.standard_normal((D, H)) / np.sqrt(D),
        0.1 * rng.standard_normal(H),
        rng.standard_normal(H) / np.sqrt(H),
        0.0,
    )
    return X, y, params


def kronecker_route(X, y, params):
    """Sum over rows of the per-example Kronecker-Jacobian gradient."""
    total = [0.0, 0.0, 0.0, 0.0]
    for x, y_n in zip(X, y, strict=True):
        total = [t + g for t, g in zip(total, matgrad.logistic_net_gradient_kronecker(x, y_n, *params), strict=True)]
    return total


def outer_route(X, y, params):
    """Sum over rows of the per-example outer-product gradient."""
    total = [0.0, 0.0, 0.0, 0.0]
    for x, y_n in zip(X, y, strict=True):
        total = [t + g for t, g in zip(total, matgrad.logistic_net_gradient(x, y_n, *params), strict=True)]
    return total


def batched_route(X, y, params):
    """One call on the whole batch: X^T G."""
    return list(matgrad.logistic_net_gradient(X, y, *params))


routes = {"Kronecker Jacobian": kronecker_route, "outer product": outer_route, "batched (X^T G)": batched_route}

# All three compute the same gradient (the loss is a sum, so the per-example gradients add up).
X, y, params = make_problem(20, 16)
reference = batched_route(X, y, params)
assert [np.shape(g) for g in reference] == [(D, 16), (16,), (16,), ()]
for route in routes.values():
    for g, g_ref in zip(route(X, y, params), reference, strict=True):
        np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12)
print("the three routes agree to rounding")

# %% [markdown]
# ## The measuring tools
#
# *Time* is the **CPU time** of the thread doing the work (`time.thread_time`, with BLAS held to
# that one thread), not the wall-clock time. On a shared machine a call that outlasts the scheduler's
# time slice waits while other processes run, and its wall-clock time then depends on how many of them
# there are, not on the formulation; CPU time does not count the waiting. Every measurement (one route
# at one size) runs once to warm up. Then, in each of several
# rounds, all measurements of a sweep run once each, in a fresh random order; we keep the median over
# the rounds. A burst of activity from something else on the machine then lands on one round of every
# size and route alike, instead of on all repeats of one size, and the median discards it. For the
# per-example routes we time a short loop and divide by its length.
#
# *Memory*: the **largest intermediate array** of each route is known exactly from its formula:
#
# | route | largest intermediate | floats |
# |---|---|---|
# | Kronecker | the Jacobian $I_H \otimes x$ of $z$ by $\mathrm{vec}\, W_i$ ($x$ a row) | $H^2 D$ |
# | outer product | $x^\top g$, the gradient of one $L_n$ ($x$, $g$ rows) | $DH$ |
# | batched | $Z$, $\max(Z, 0)$, $G$ | $NH$ each |
#
# We also *measure* the peak of memory allocated during one call with Python's `tracemalloc` (NumPy
# reports its array buffers to it), and compare the two.


# %%
def median_times(funcs, rounds, seed=0):
    """Median CPU seconds (`clock`) of each zero-argument function over `rounds` rounds.

    Every round calls every function once, in a new random order (after one warm-up call each).
    """
    order = list(funcs)
    for f in funcs.values():
        f()  # warm-up
    samples = {key: [] for key in funcs}
    shuffle = random.Random(seed).shuffle
    for _ in range(rounds):
        shuffle(order)
        for key in order:
            start = clock()
            funcs[key]()
            samples[key].append(clock() - start)
    return {key: float(np.median(s)) for key, s in samples.items()}


def peak_bytes(func):
    """Peak bytes allocated (traced by tracemalloc) while func() runs."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def slope(x, t):
    """Least-squares slope of log t against log x."""
    return float(np.polyfit(np.log(x), np.log(t), 1)[0])


FLOAT = 8  # bytes per float64

# %% [markdown]
# ## Growing the hidden width $H$
#
# Per-example cost of each route for $H = 8 \dots 512$ ($D = 8$; the batched route is timed on
# $N = 256$ rows and divided by $N$).

# %%
H_values = np.array([8, 16, 32, 64, 128, 256, 512])
N_batch = 256
problems_h = {H: make_problem(N_batch, H) for H in H_values}


def n_loop(name, H):
    """How many examples one timing covers."""
    return {"Kronecker Jacobian": 2 if H >= 256 else 8, "outer product": 32, "batched (X^T G)": N_batch}[name]


def timed_call(route, n, problem):
    """One timing's work: the route on the first n examples of the problem."""
    X, y, params = problem
    return route(X[:n], y[:n], params)


funcs = {
    (name, H): functools.partial(timed_call, route, n_loop(name, H), problems_h[H])
    for H in H_values
    for name, route in routes.items()
}
with blas:
    times = median_times(funcs, rounds=5)
    mem_h = {name: [] for name in routes}
    for H in H_values:
        X, y, params = problems_h[H]
        one = (X[0], y[0], *params)
        mem_h["Kronecker Jacobian"].append(peak_bytes(functools.partial(matgrad.logistic_net_gradient_kronecker, *one)))
        mem_h["outer product"].append(peak_bytes(functools.partial(matgrad.logistic_net_gradient, *one)))
        mem_h["batched (X^T G)"].append(peak_bytes(functools.partial(matgrad.logistic_net_gradient, X, y, *params)))
time_h = {name: np.array([times[name, H] / n_loop(name, H) for H in H_values]) for name in routes}
mem_h = {k: np.array(v, dtype=float) for k, v in mem_h.items()}
largest_h = {
    "Kronecker Jacobian": FLOAT * H_values**2 * D,
    "outer product": FLOAT * H_values * D,
    "batched (X^T G)": FLOAT * N_batch * H_values,
}

print(f"{'H':>5s} " + " ".join(f"{name:>22s}" for name in routes) + "   (time per example)")
for i, H in enumerate(H_values):
    print(f"{H:5d} " + " ".join(f"{time_h[name][i] * 1e6:19.1f} us" for name in routes))

big = H_values >= 128  # fit where the arithmetic, not the per-call overhead, should dominate
slopes_time_h = {name: slope(H_values[big], time_h[name][big]) for name in routes}
slopes_mem_h = {name: slope(H_values[big], mem_h[name][big]) for name in routes}
for name in routes:
    print(
        f"{name:>20s}: time slope in H {slopes_time_h[name]:5.2f}, "
        f"measured peak-memory slope in H {slopes_mem_h[name]:5.2f}"
    )

# %%
colours = dict(zip(routes, ("tab:red", "tab:blue", "tab:green"), strict=True))
fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.5))
for name in routes:
    ax_t.loglog(
        H_values,
        time_h[name],
        "o-",
        color=colours[name],
        label=f"{name} (fit slope {slopes_time_h[name]:.2f} for H >= 128)",
    )
    ax_m.loglog(H_values, largest_h[name], "-", color=colours[name], label=f"{name}: largest array (exact)")
    ax_m.loglog(H_values, mem_h[name], "o", color=colours[name], mfc="none", label=f"{name}: measured peak")
ref = H_values[big]
t0 = time_h["Kronecker Jacobian"][big][0]
ax_t.loglog(ref, 0.4 * t0 * (ref / ref[0]) ** 2, "k:", label="slope 2 guide")
ax_t.set_title(f"Time per example vs hidden width (D = {D})")
ax_t.set_xlabel("hidden units H")
ax_t.set_ylabel("CPU time per example (s)")
ax_m.set_title(f"Memory of one gradient vs hidden width (D = {D}, batched N = {N_batch})")
ax_m.set_xlabel("hidden units H")
ax_m.set_ylabel("bytes")
for ax in (ax_t, ax_m):
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7.5)
fig.tight_layout()
# alt: Two log-log panels against the hidden width H: left, CPU time per example of each formulation with its fitted
#      slope and a slope-2 guide; right, the bytes of one gradient, the largest array (exact) as lines and the
#      measured peak as circles.
plt.show()

# %% [markdown]
# **What the plot shows.** Left: the Kronecker route's time per example grows roughly like $H^2$ (the
# fitted slope is printed above; at the largest sizes its Jacobian of $H^2 D$ floats, 16 MB at
# $H = 512$, no longer fits in cache and is paged in afresh at every call, which on a busy machine
# moves the slope either way). The outer-product route barely moves: its $O(HD)$
# arithmetic is a few microseconds, far below the fixed cost of a Python-level call that checks its
# arguments and allocates a few small arrays. The batched route shares that fixed cost among all $N$
# rows; in the runs we made it was ten to a few hundred times cheaper per example (measured, not
# asserted; this run's figures are printed above).
#
# Right: memory is where the formulas show exactly. The Kronecker route's peak follows $H^2 D$ floats
# (slope 2), the per-example outer product $HD$ (slope 1), and the batched route $NH$ (slope 1 in $H$,
# and, below, in $N$). Each measured peak is a small multiple of the largest array: a route holds a few
# arrays of that size at once (the Jacobian and the diagonal matrix of the ReLU mask; $Z$, the mask and
# $G$).

# %%
# Memory, deterministic: asserted tightly.
for name, lo, hi in (("Kronecker Jacobian", 1.9, 2.1), ("outer product", 0.8, 1.2), ("batched (X^T G)", 0.9, 1.1)):
    assert lo <= slopes_mem_h[name] <= hi, (name, slopes_mem_h[name])
ratio_kron = mem_h["Kronecker Jacobian"][big] / largest_h["Kronecker Jacobian"][big]
assert np.all((ratio_kron >= 1.0) & (ratio_kron <= 2.0)), ratio_kron  # the H x DH Jacobian really is built
ratio_batch = mem_h["batched (X^T G)"][big] / largest_h["batched (X^T G)"][big]
assert np.all((ratio_batch >= 1.0) & (ratio_batch <= 6.0)), ratio_batch
# Time, noisy: printed above and plotted, not asserted.

# %% [markdown]
# ## Growing the number of examples $N$
#
# Now $H = 64$ is fixed and we time the gradient of the summed loss over $N$ examples, for the
# per-example routes up to $N = 128$ and for the batched route up to $N = 8192$.

# %%
H = 64
N_loop = np.array([2, 8, 32, 128])
N_batched = np.array([2, 8, 32, 128, 512, 2048, 8192])
problems_n = {N: make_problem(int(N), H) for N in N_batched}
sizes_of = {name: N_loop for name in routes} | {"batched (X^T G)": N_batched}
funcs = {(name, N): (lambda route=routes[name], P=problems_n[N]: route(*P)) for name in routes for N in sizes_of[name]}
with blas:
    times = median_times(funcs, rounds=5)
    mem_n_batched = np.array([peak_bytes(lambda P=problems_n[N]: batched_route(*P)) for N in N_batched], dtype=float)
    X, y, params = problems_n[N_batched[-1]]
    mem_kron_64 = peak_bytes(lambda: matgrad.logistic_net_gradient_kronecker(X[0], y[0], *params))
time_n = {name: np.array([times[name, N] for N in sizes_of[name]]) for name in routes}

large = N_batched >= 512
slopes_time_n = {
    "Kronecker Jacobian": slope(N_loop, time_n["Kronecker Jacobian"]),
    "outer product": slope(N_loop, time_n["outer product"]),
    "batched (X^T G)": slope(N_batched[large], time_n["batched (X^T G)"][large]),
}
slope_mem_n = slope(N_batched[large], mem_n_batched[large])
speedup = time_n["outer product"][-1] / time_n["batched (X^T G)"][N_batched == N_loop[-1]][0]
for name in routes:
    print(f"{name:>20s}: time slope in N {slopes_time_n[name]:.2f}")
print(f"batched route, measured peak-memory slope in N (N >= 512): {slope_mem_n:.2f}")
print(f"N = {N_loop[-1]}: batched is {speedup:.0f} times faster than the loop of outer products")
print(
    "allocator settings:", {k: os.environ.get(k, "unset") for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
)
print(
    "batched time (ms):",
    ", ".join(f"N={N}: {t * 1e3:.2f}" for N, t in zip(N_batched, time_n["batched (X^T G)"], strict=True)),
)

# %%
fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.5))
for name in routes:
    Ns = N_batched if name == "batched (X^T G)" else N_loop
    ax_t.loglog(Ns, time_n[name], "o-", color=colours[name], label=f"{name} (fit slope {slopes_time_n[name]:.2f})")
ax_t.set_title(f"Time of the whole gradient vs number of examples (H = {H}, D = {D})")
ax_t.set_xlabel("examples N")
ax_t.set_ylabel("CPU time (s)")
ax_m.loglog(N_batched, mem_n_batched, "o", color=colours["batched (X^T G)"], mfc="none", label="batched: measured peak")
ax_m.loglog(
    N_batched, FLOAT * N_batched * H, "-", color=colours["batched (X^T G)"], label="batched: largest array, N H floats"
)
ax_m.axhline(mem_kron_64, color=colours["Kronecker Jacobian"], ls="--", label="Kronecker loop: measured peak (any N)")
ax_m.axhline(
    FLOAT * H * H * D, color=colours["Kronecker Jacobian"], ls="-", label="Kronecker loop: Jacobian, H^2 D floats"
)
ax_m.set_title(f"Memory vs number of examples (H = {H}, D = {D})")
ax_m.set_xlabel("examples N")
ax_m.set_ylabel("bytes")
for ax in (ax_t, ax_m):
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7.5)
fig.tight_layout()
# alt: Two log-log panels against the number of examples N: left, CPU time of the whole gradient for each formulation
#      with its fitted slope; right, memory: the batched form's measured peak and its N H floats, against the
#      Kronecker loop's constant peak and its H squared D floats.
plt.show()

# %% [markdown]
# **What the plot shows.** Left: every route is linear in $N$ in the end; what differs is the
# constant. The two per-example loops pay a Python call per row (the Kronecker loop also builds a
# $64 \times 512$ Jacobian per row), while the batched route pays one call for the whole batch: for
# small $N$ its time hardly changes, and it grows with $N$ only once the matrix products themselves
# take longer than the call. Its fitted slope is the least reliable number in this notebook: in
# theory 1, it came out between about 1 and 2 in our runs on a busy 2-core machine, because the
# $N \times H$ temporaries outgrow the caches and, being large, are handed back to the operating
# system after each call and paged in afresh at the next one (the kernel's work on those page faults
# counts as CPU time of this thread), which costs more the busier the machine is (the allocator's
# thresholds can be raised with the environment variables `MALLOC_MMAP_THRESHOLD_`
# and `MALLOC_TRIM_THRESHOLD_`; the line printed above says whether they were set). The speed-up of
# batching per example is printed above; like every time in this notebook it is not asserted.
#
# Right: that speed has a price in memory. The batched route keeps $N \times H$ arrays ($Z$, the
# mask, $G$), so its memory grows with the batch, while a per-example loop needs the same memory for
# any $N$. This is the trade-off behind minibatches: large enough to amortise the per-call cost,
# small enough for the $N \times H$ activations of every layer to fit.

# %%
assert 0.9 <= slope_mem_n <= 1.1, slope_mem_n  # memory, deterministic; times are only printed

# %% [markdown]
# ## Operation counts
#
# The leading operation counts (flops = 2 per multiply-add) per example, worked out by hand from the
# formulas above; they are arithmetic, not measurements, and are printed, not asserted:
#
# * Kronecker: the product $(1 \times H)(H \times DH)$ costs $2H^2 D$, plus $2H^2$ for the diagonal mask;
# * outer product: $2HD$ for $x W_i$ in the forward pass and $HD$ for $x^\top g$;
# * batched: $2NHD$ for $X W_i$ and $2NHD$ for $X^\top G$, that is $4HD$ per example.


# %%
def flops_per_example(name, H):
    return {
        "Kronecker Jacobian": 2 * H * H * D + 2 * H * H + 3 * H * D,
        "outer product": 3 * H * D,
        "batched (X^T G)": 4 * H * D,
    }[name]


for H in (64, 512):
    print(
        f"H = {H:3d}: " + ", ".join(f"{name} {flops_per_example(name, H):,}" for name in routes) + " flops per example"
    )
ratio = flops_per_example("Kronecker Jacobian", 512) / flops_per_example("outer product", 512)
print(f"Kronecker / outer product at H = 512: {ratio:.0f} times the arithmetic (about 2H/3)")

# %% [markdown]
# **Takeaways.**
#
# * The Kronecker form is the right way to *derive* $\partial z / \partial (\mathrm{vec}\, W_i)^\top =
#   I_H \otimes x$ ($x$ a row), and the wrong way to *compute* with it: it materialises an
#   $H \times DH$ matrix that is mostly zeros, for $O(H^2 D)$ time and memory per example. The outer
#   product $x^\top g$ gives the same numbers with $O(HD)$.
# * The batched route does the same arithmetic as $N$ outer products, in one call; in NumPy the
#   per-call cost dominates small problems, so batching was ten to a few hundred times faster per
#   example in our runs (measured, not asserted), at the price of $O(NH)$ memory (asserted).
# * Fitted here (the numbers printed above): the Kronecker route's time slope in $H$ near 2 and its
#   memory slope 2 (a little below 2 over $H = 128 \dots 512$, printed above: the small fixed arrays still
#   count), the
#   outer product's memory slope 1 and a time slope near 0 (per-call overhead), the batched route's
#   memory slope 1 in both $H$ and $N$.
