"""How close matgrad's hand-derived backprop runs to its matrix products, against autograd.

Run from the repository root::

    python -m matgrad.benchmark --save

It times, side by side in one process, one forward + backward pass (loss and every gradient) of

- the two-layer softmax net, ``two_layer_forward_backward`` at (N, D, H, C) =
  (90, 4, 6, 3), (64, 784, 256, 10), (1024, 784, 256, 10), (8192, 784, 512, 10);
- the logistic net, ``logistic_net_gradient`` at d = 2, h in {100, 1000}, N in {100, 10000};

each in float64 and float32, by four implementations fed the same arrays:

- ``floor``: only the five matrix products that forward + backward must do (for the two-layer net
  ``X W1``, ``H W2``, ``H^T G2``, ``G2 W2^T``, ``X^T G1``; for the logistic net the same five with
  C = 1, where ``g Wo^T`` is an outer product, taken with ``einsum``, the fastest way measured here),
  each written into a preallocated output. No real implementation does less, so ``ratio_to_floor``
  is the cost of everything else;
- ``matgrad``: the library's public function, called as a user would call it (input checks included);
- ``jax``: ``jax.jit(jax.value_and_grad(loss))`` of the same net (optional, when jax is installed);
- ``torch``: PyTorch autograd on the CPU, ``torch.autograd.grad`` (optional, when torch is installed);
- ``torch_floor``: the floor's five products again, with ``torch.mm`` (torch's BLAS is MKL, NumPy's
  is OpenBLAS), so that torch's time can be read against the speed of its own matrix products.

Before timing, the jax and torch gradients are compared with matgrad's (``max_rel_diff_vs_matgrad``
in the records), so every implementation is known to compute the same thing.

How it measures (see ``measure``): a warm-up call per implementation (jax compiles there), then a
number of calls per sample chosen so one sample lasts at least ``--min-time``; then ``--rounds``
rounds, each visiting the implementations in a fresh random order. Before each sample it sleeps
``--pause`` seconds, because on a 2-core machine a BLAS library's worker threads keep spinning for
about 0.1 s after a call and would slow whichever implementation runs next, and makes one untimed
call (which wakes its threads). The garbage collector is off while timing. Each implementation's
figure is the median of its samples; ratios are taken between medians of the same case and dtype.

OpenBLAS reads ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` when NumPy loads it, which is before
this module runs. If either is set, ``python -m matgrad.benchmark`` runs itself again without them
(so OpenBLAS picks the kernel for this CPU) and records what it removed; ``--keep-blas-env``
measures with them as they are. The kernel in use (threadpoolctl), thread counts, ``MALLOC_*``
variables and the load average before and after are recorded with the results.

Outputs: a Markdown report on stdout (or ``--markdown PATH``), ``--json PATH`` (a list of records:
case, dtype, implementation, median_s, ratio_to_floor, ...), ``--machine-json PATH`` and ``--plot PATH``
(an SVG or PNG drawn with matplotlib). ``--save`` writes the committed record:
``benchmarks/results.json``, ``benchmarks/machine.json``, ``benchmarks/results.md`` and
``docs/assets/benchmark.svg``, and refreshes the tables and machine description of the site's
benchmark page ``docs/benchmark.md`` (between its ``<!-- benchmark:... -->`` markers).

Only NumPy is needed; threadpoolctl, torch, jax and matplotlib are used when importable.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import matgrad

__all__ = [
    "DEFAULT_CASES",
    "IMPLEMENTATIONS",
    "Case",
    "build_implementations",
    "machine_info",
    "markdown_report",
    "markdown_tables",
    "markdown_targets",
    "measure",
    "plot_results",
    "run_benchmark",
    "update_page",
    "validate_records",
]

IMPLEMENTATIONS = ("floor", "matgrad", "jax", "torch", "torch_floor")
LABELS = {"floor": "floor", "matgrad": "matgrad", "jax": "jax.jit", "torch": "torch", "torch_floor": "torch floor"}
DTYPES = ("float64", "float32")
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_UNSET_MARKER = "MATGRAD_BENCHMARK_REMOVED_ENV"
SAVE_PATHS = {
    "json": "benchmarks/results.json",
    "machine_json": "benchmarks/machine.json",
    "markdown": "benchmarks/results.md",
    "plot": "docs/assets/benchmark.svg",
    "page": "docs/benchmark.md",
}
COMMAND = "python -m matgrad.benchmark --save"


# ---------------------------------------------------------------------------- cases and data


@dataclass(frozen=True)
class Case:
    """One benchmark case: a net, its sizes and a dtype.

    ``net`` is ``"two_layer"`` with ``shape = (N, D, H, C)`` or ``"logistic"`` with
    ``shape = (N, d, h)``; ``dtype`` is ``"float64"`` or ``"float32"``.
    """

    net: str
    shape: tuple
    dtype: str

    def __post_init__(self):
        sizes = {"two_layer": 4, "logistic": 3}
        if self.net not in sizes:
            raise ValueError(f"net must be 'two_layer' or 'logistic'; got {self.net!r}")
        if len(self.shape) != sizes[self.net] or any(int(s) < 1 for s in self.shape):
            raise ValueError(f"a {self.net} case needs {sizes[self.net]} positive sizes; got {self.shape}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be float64 or float32; got {self.dtype!r}")

    @property
    def symbols(self):
        return ("N", "D", "H", "C") if self.net == "two_layer" else ("N", "d", "h")

    @property
    def name(self):
        """E.g. ``two_layer N=1024 D=784 H=256 C=10`` (the record's ``case``)."""
        return f"{self.net} " + " ".join(f"{s}={n}" for s, n in zip(self.symbols, self.shape, strict=True))


TWO_LAYER_SHAPES = ((90, 4, 6, 3), (64, 784, 256, 10), (1024, 784, 256, 10), (8192, 784, 512, 10))
LOGISTIC_SHAPES = ((100, 2, 100), (10000, 2, 100), (100, 2, 1000), (10000, 2, 1000))
DEFAULT_CASES = tuple(
    [Case("two_layer", s, dt) for s in TWO_LAYER_SHAPES for dt in DTYPES]
    + [Case("logistic", s, dt) for s in LOGISTIC_SHAPES for dt in DTYPES]
)


def make_data(case, seed=0):
    """The arrays every implementation of ``case`` receives (NumPy, in the case's dtype).

    Two-layer: X (N, D) standard normal, integer labels y (N,), W1 (D, H) and W2 (H, C) with He
    scaling, small random biases. Logistic: X (N, d), labels Y (N,) in {-1, +1} in the dtype,
    Wi (d, h), bi (h,), Wo (h,) and a float bo.
    """
    rng = np.random.default_rng(seed)
    dt = np.dtype(case.dtype)

    def normal(shape, std=1.0):
        return (std * rng.standard_normal(shape)).astype(dt)

    if case.net == "two_layer":
        N, D, H, C = case.shape
        return {
            "X": normal((N, D)),
            "y": rng.integers(0, C, size=N),
            "params": {
                "W1": normal((D, H), math.sqrt(2 / D)),
                "b1": normal(H, 0.1),
                "W2": normal((H, C), math.sqrt(2 / H)),
                "b2": normal(C, 0.1),
            },
        }
    N, d, h = case.shape
    return {
        "X": normal((N, d)),
        "Y": rng.choice(np.array([-1.0, 1.0], dtype=dt), size=N),
        "Wi": normal((d, h)),
        "bi": normal(h, 0.5),
        "Wo": normal(h, math.sqrt(2 / h)),
        "bo": float(rng.standard_normal() * 0.1),
    }


# ---------------------------------------------------------------------------- implementations
# Each builder returns a function of no arguments doing one forward + backward pass and returning
# its results, in a form ``_as_numpy`` turns into (loss or None, [gradients]) for the cross-check.


def _floor_two_layer(data):
    X, p = data["X"], data["params"]
    W1, W2 = p["W1"], p["W2"]
    (N, D), (H, C) = X.shape, W2.shape
    dt = X.dtype
    rng = np.random.default_rng(1)
    Z1 = np.empty((N, H), dt)  # X W1, and it serves as H (finite, same shape)
    Z2 = np.empty((N, C), dt)  # H W2
    G2 = (rng.standard_normal((N, C)) / N).astype(dt)  # stands for (P - Y) / N
    dW2 = np.empty((H, C), dt)
    G1 = np.empty((N, H), dt)  # G2 W2^T, and it serves as G1
    dW1 = np.empty((D, H), dt)
    np.matmul(X, W1, out=Z1)
    np.maximum(Z1, 0, out=Z1)

    def floor():
        np.matmul(X, W1, out=Z1)
        np.matmul(Z1, W2, out=Z2)
        np.matmul(Z1.T, G2, out=dW2)
        np.matmul(G2, W2.T, out=G1)
        np.matmul(X.T, G1, out=dW1)
        return None

    return floor


def _floor_logistic(data):
    X, Wi, Wo = data["X"], data["Wi"], data["Wo"]
    (N, d), h = X.shape, Wi.shape[1]
    dt = X.dtype
    rng = np.random.default_rng(1)
    Z = np.empty((N, h), dt)  # X Wi, serves as H
    yhat = np.empty(N, dt)  # H Wo
    g = rng.standard_normal(N).astype(dt)  # stands for dL/dyhat
    dWo = np.empty(h, dt)  # H^T g
    G1 = np.empty((N, h), dt)  # g Wo^T (an outer product: C = 1), serves as G1
    dWi = np.empty((d, h), dt)  # X^T G1
    np.matmul(X, Wi, out=Z)
    np.maximum(Z, 0, out=Z)

    def floor():
        np.matmul(X, Wi, out=Z)
        np.matmul(Z, Wo, out=yhat)
        np.matmul(Z.T, g, out=dWo)
        np.einsum("n,j->nj", g, Wo, out=G1)  # faster here than np.outer or a matmul with K = 1
        np.matmul(X.T, G1, out=dWi)
        return None

    return floor


def _matgrad_two_layer(data):
    params, X, y = data["params"], data["X"], data["y"]
    f = matgrad.two_layer_forward_backward

    def run():
        return f(params, X, y)

    return run


def _matgrad_logistic(data):
    X, Y, Wi, bi, Wo, bo = (data[k] for k in ("X", "Y", "Wi", "bi", "Wo", "bo"))
    f = matgrad.logistic_net_gradient

    def run():
        return f(X, Y, Wi, bi, Wo, bo)

    return run


def _torch_two_layer(data, torch):
    F = torch.nn.functional
    X = torch.from_numpy(data["X"])
    y = torch.from_numpy(data["y"].astype(np.int64))
    params = [torch.from_numpy(data["params"][k].copy()).requires_grad_(True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def run():
        H = torch.relu(torch.addmm(b1, X, W1))  # addmm, as nn.Linear does
        loss = F.cross_entropy(torch.addmm(b2, H, W2), y)
        return loss, torch.autograd.grad(loss, params)

    return run


def _torch_logistic(data, torch):
    F = torch.nn.functional
    X, Y = torch.from_numpy(data["X"]), torch.from_numpy(data["Y"])
    dt = X.dtype
    params = [torch.from_numpy(data[k].copy()).requires_grad_(True) for k in ("Wi", "bi", "Wo")]
    params.append(torch.tensor(data["bo"], dtype=dt, requires_grad=True))
    Wi, bi, Wo, bo = params

    def run():
        H = torch.relu(torch.addmm(bi, X, Wi))
        yhat = torch.mv(H, Wo) + bo
        loss = F.softplus(-Y * yhat).sum()  # sum_n log(1 + exp(-Y_n yhat_n))
        return None, torch.autograd.grad(loss, params)

    return run


def _torch_floor_two_layer(data, torch):
    """The floor's five products with torch.mm (MKL), into preallocated tensors: torch's own floor."""
    X, W1, W2 = (torch.from_numpy(a) for a in (data["X"], data["params"]["W1"], data["params"]["W2"]))
    (N, D), (H, C) = X.shape, W2.shape
    gen = torch.Generator().manual_seed(1)
    Z1, G1 = torch.empty((N, H), dtype=X.dtype), torch.empty((N, H), dtype=X.dtype)
    Z2, dW2, dW1 = (
        torch.empty((N, C), dtype=X.dtype),
        torch.empty((H, C), dtype=X.dtype),
        torch.empty((D, H), dtype=X.dtype),
    )
    G2 = torch.randn((N, C), generator=gen, dtype=X.dtype) / N
    torch.mm(X, W1, out=Z1).clamp_(min=0)

    def floor():
        torch.mm(X, W1, out=Z1)
        torch.mm(Z1, W2, out=Z2)
        torch.mm(Z1.t(), G2, out=dW2)
        torch.mm(G2, W2.t(), out=G1)
        torch.mm(X.t(), G1, out=dW1)
        return None

    return floor


def _torch_floor_logistic(data, torch):
    X, Wi, Wo = (torch.from_numpy(a) for a in (data["X"], data["Wi"], data["Wo"]))
    (N, d), h = X.shape, Wi.shape[1]
    gen = torch.Generator().manual_seed(1)
    Z, G1 = torch.empty((N, h), dtype=X.dtype), torch.empty((N, h), dtype=X.dtype)
    yhat, dWo, dWi = torch.empty(N, dtype=X.dtype), torch.empty(h, dtype=X.dtype), torch.empty((d, h), dtype=X.dtype)
    g = torch.randn(N, generator=gen, dtype=X.dtype)
    torch.mm(X, Wi, out=Z).clamp_(min=0)

    def floor():
        torch.mm(X, Wi, out=Z)
        torch.mv(Z, Wo, out=yhat)
        torch.mv(Z.t(), g, out=dWo)
        torch.outer(g, Wo, out=G1)
        torch.mm(X.t(), G1, out=dWi)
        return None

    return floor


def _jax_two_layer(data, jax):
    jnp = jax.numpy

    def loss(params, X, y):
        H = jax.nn.relu(X @ params["W1"] + params["b1"])
        logp = jax.nn.log_softmax(H @ params["W2"] + params["b2"], axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    f = jax.jit(jax.value_and_grad(loss))
    params = {k: jax.device_put(v) for k, v in data["params"].items()}
    X, y = jax.device_put(data["X"]), jax.device_put(data["y"].astype(np.int32))

    def run():
        value, grads = f(params, X, y)
        return jax.block_until_ready((value, [grads[k] for k in ("W1", "b1", "W2", "b2")]))

    return run


def _jax_logistic(data, jax):
    jnp = jax.numpy

    def loss(params, X, Y):
        Wi, bi, Wo, bo = params
        yhat = jax.nn.relu(X @ Wi + bi) @ Wo + bo
        return jnp.sum(jnp.logaddexp(0, -Y * yhat))

    f = jax.jit(jax.grad(loss))
    dt = data["X"].dtype
    params = [jax.device_put(data[k]) for k in ("Wi", "bi", "Wo")] + [jnp.asarray(data["bo"], dtype=dt)]
    X, Y = jax.device_put(data["X"]), jax.device_put(data["Y"])

    def run():
        return None, jax.block_until_ready(f(params, X, Y))

    return run


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _import_jax():
    try:
        import jax
    except ImportError:
        return None
    # float64 arrays stay float64 (jax's default would silently compute in float32).
    jax.config.update("jax_enable_x64", True)
    return jax


def available_implementations(names=IMPLEMENTATIONS):
    """Those of ``names`` that can run here: floor and matgrad always, jax and torch if importable."""
    importers = {"jax": _import_jax, "torch": _import_torch, "torch_floor": _import_torch}
    return tuple(n for n in names if n not in importers or importers[n]() is not None)


def build_implementations(case, data, implementations=IMPLEMENTATIONS):
    """A dict name -> function of no arguments running one forward + backward pass of ``case``.

    Names whose library is not installed are left out.
    """
    two = case.net == "two_layer"
    built = {}
    for name in implementations:
        if name == "floor":
            built[name] = _floor_two_layer(data) if two else _floor_logistic(data)
        elif name == "matgrad":
            built[name] = _matgrad_two_layer(data) if two else _matgrad_logistic(data)
        elif name == "jax":
            jax = _import_jax()
            if jax is not None:
                built[name] = _jax_two_layer(data, jax) if two else _jax_logistic(data, jax)
        elif name == "torch":
            torch = _import_torch()
            if torch is not None:
                built[name] = _torch_two_layer(data, torch) if two else _torch_logistic(data, torch)
        elif name == "torch_floor":
            torch = _import_torch()
            if torch is not None:
                built[name] = _torch_floor_two_layer(data, torch) if two else _torch_floor_logistic(data, torch)
        else:
            raise ValueError(f"unknown implementation {name!r}; expected some of {IMPLEMENTATIONS}")
    return built


def _as_numpy(case, result):
    """(loss or None, list of float64 gradient arrays) from any implementation's return value."""
    if case.net == "two_layer" and isinstance(result[1], dict):  # matgrad: (loss, grads dict)
        loss, grads = result[0], [result[1][k] for k in ("W1", "b1", "W2", "b2")]
    elif case.net == "logistic" and len(result) == 4:  # matgrad: (dWi, dbi, dWo, dbo)
        loss, grads = None, list(result)
    else:
        loss, grads = result

    def arr(a):
        a = a.detach().numpy() if hasattr(a, "detach") else a
        return np.asarray(a, dtype=np.float64)

    return (None if loss is None else float(arr(loss))), [arr(g) for g in grads]


def cross_check(case, implementations):
    """Largest relative difference of each autograd implementation's loss and gradients from matgrad's.

    Returns a dict name -> float (relative to the size of matgrad's value, over all gradients).
    """
    if "matgrad" not in implementations:
        return {}
    ref_loss, ref_grads = _as_numpy(case, implementations["matgrad"]())
    diffs = {}
    for name, fn in implementations.items():
        if name in ("floor", "matgrad", "torch_floor"):
            continue
        loss, grads = _as_numpy(case, fn())
        worst = 0.0
        for g, r in zip(grads, ref_grads, strict=True):
            if g.shape != r.shape:
                raise AssertionError(f"{name} gradient shape {g.shape} differs from matgrad's {r.shape}")
            worst = max(worst, float(np.max(np.abs(g - r))) / max(float(np.max(np.abs(r))), 1e-300))
        if loss is not None and ref_loss is not None:
            worst = max(worst, abs(loss - ref_loss) / max(abs(ref_loss), 1e-300))
        diffs[name] = worst
    return diffs


# ---------------------------------------------------------------------------- timing


def _time_calls(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def _cpu_stall_seconds():
    """Seconds, since boot, in which some runnable task waited for a CPU (Linux PSI), or None."""
    try:
        with open("/proc/pressure/cpu") as f:
            return int(f.readline().rsplit("total=", 1)[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return None


def measure(
    implementations,
    *,
    rounds=21,
    min_time=0.05,
    pause=0.15,
    rng=None,
    max_number=100_000,
    max_stall=0.05,
    max_retries=5,
    stats=None,
):
    """Interleaved timing of several functions; returns (samples, numbers).

    Parameters
    ----------
    implementations : dict name -> function of no arguments
    rounds : number of samples per function
    min_time : seconds; each sample times ``numbers[name]`` consecutive calls, chosen after a
        warm-up call so that a sample lasts at least this long, and reports the time per call
    pause : seconds slept before each sample, so another library's spinning threads go idle; an
        untimed call then wakes this function's own threads
    rng : random.Random for the order within each round (a fresh random order every round)
    max_stall, max_retries : on a shared machine, a sample during which some task waited for a CPU
        (Linux pressure stall information) for more than ``max_stall`` of the sample's duration is
        taken again, up to ``max_retries`` times; the last attempt is kept whatever happened. With
        a BLAS library on every core, such a wait stalls all its threads, not just one.
    stats : optional dict, filled with name -> {"retried": samples taken again,
        "kept_disturbed": samples kept although disturbed beyond max_stall}

    Returns
    -------
    samples : dict name -> list of ``rounds`` seconds per call
    numbers : dict name -> calls per sample
    """
    rng = rng or random.Random()
    names = list(implementations)
    counts = {name: {"retried": 0, "kept_disturbed": 0} for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        numbers = {}
        for name in names:
            fn = implementations[name]
            fn()  # warm-up: jit compilation, first allocations, thread start
            if min_time > 0:
                once = min(_time_calls(fn, 1), _time_calls(fn, 1))
                numbers[name] = int(min(max_number, max(1, math.ceil(min_time / max(once, 1e-9)))))
            else:
                numbers[name] = 1
        samples = {name: [] for name in names}
        for _ in range(rounds):
            order = names[:]
            rng.shuffle(order)
            for name in order:
                fn = implementations[name]
                for attempt in range(max_retries + 1):
                    if pause > 0:
                        time.sleep(pause)
                    fn()
                    stall = _cpu_stall_seconds()
                    elapsed = _time_calls(fn, numbers[name])
                    if stall is None:
                        break
                    disturbed = _cpu_stall_seconds() - stall > max_stall * elapsed
                    if not disturbed:
                        break
                    if attempt == max_retries:
                        counts[name]["kept_disturbed"] += 1
                    else:
                        counts[name]["retried"] += 1
                samples[name].append(elapsed / numbers[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    if stats is not None:
        stats.update(counts)
    return samples, numbers


def _quantile(values, q):
    return float(np.quantile(np.asarray(values, dtype=np.float64), q))


def run_case(
    case,
    *,
    implementations=IMPLEMENTATIONS,
    rounds=21,
    min_time=0.05,
    pause=0.15,
    seed=0,
    rng=None,
    max_stall=0.05,
    max_retries=5,
):
    """Measure one case; returns its records (one per implementation that ran), floor first."""
    data = make_data(case, seed)
    fns = build_implementations(case, data, implementations)
    diffs = cross_check(case, fns)
    stats = {}
    samples, numbers = measure(
        fns,
        rounds=rounds,
        min_time=min_time,
        pause=pause,
        rng=rng,
        stats=stats,
        max_stall=max_stall,
        max_retries=max_retries,
    )
    medians = {name: float(np.median(s)) for name, s in samples.items()}

    def paired(name, base):
        """Median over rounds of this round's sample / the base's sample in the same round."""
        if base not in samples:
            return None
        return float(np.median(np.asarray(samples[name]) / np.asarray(samples[base])))

    records = []
    for name in IMPLEMENTATIONS:
        if name not in samples:
            continue
        s = samples[name]
        records.append(
            {
                "case": case.name,
                "net": case.net,
                "shape": dict(zip(case.symbols, (int(n) for n in case.shape), strict=True)),
                "dtype": case.dtype,
                "implementation": name,
                "median_s": medians[name],
                "ratio_to_floor": medians[name] / medians["floor"] if "floor" in medians else None,
                "ratio_to_matgrad": medians[name] / medians["matgrad"] if "matgrad" in medians else None,
                "paired_ratio_to_floor": paired(name, "floor"),
                "paired_ratio_to_matgrad": paired(name, "matgrad"),
                "min_s": float(min(s)),
                "q1_s": _quantile(s, 0.25),
                "q3_s": _quantile(s, 0.75),
                "rounds": len(s),
                "calls_per_sample": numbers[name],
                "samples_retried": stats[name]["retried"],
                "samples_kept_disturbed": stats[name]["kept_disturbed"],
                "max_rel_diff_vs_matgrad": diffs.get(name, 0.0 if name == "matgrad" else None),
            }
        )
    return records


def run_benchmark(
    cases=DEFAULT_CASES,
    *,
    implementations=IMPLEMENTATIONS,
    rounds=21,
    min_time=0.05,
    pause=0.15,
    seed=0,
    progress=None,
    max_stall=0.05,
    max_retries=5,
):
    """Measure every case (cases in the given order, implementations interleaved within a case).

    Returns the list of records; ``progress`` (e.g. ``print``) is called with a line per case.
    """
    rng = random.Random(seed)
    records = []
    for case in cases:
        case_records = run_case(
            case,
            implementations=implementations,
            rounds=rounds,
            min_time=min_time,
            pause=pause,
            seed=seed,
            rng=rng,
            max_stall=max_stall,
            max_retries=max_retries,
        )
        records.extend(case_records)
        if progress is not None:
            progress(
                f"{case.name} {case.dtype}: "
                + ", ".join(
                    f"{r['implementation']} {_ms(r['median_s'])} ms ({r['ratio_to_floor']:.2f}x floor)"
                    for r in case_records
                )
            )
    return records


# ---------------------------------------------------------------------------- records

REQUIRED_KEYS = ("case", "dtype", "implementation", "median_s", "ratio_to_floor")


def validate_records(records):
    """Check a list of records is well formed; raise ValueError naming the first problem.

    Every record has the keys case, dtype, implementation, median_s (> 0) and ratio_to_floor; every
    (case, dtype) has exactly one floor record and at most one record per implementation; and
    ``ratio_to_floor == median_s / floor's median_s`` (and ``ratio_to_matgrad`` likewise, when present).
    """
    if not isinstance(records, list) or not records:
        raise ValueError("records must be a non-empty list")
    groups = {}
    for i, r in enumerate(records):
        missing = [k for k in REQUIRED_KEYS if k not in r]
        if missing:
            raise ValueError(f"record {i} lacks {missing}: {r}")
        if r["implementation"] not in IMPLEMENTATIONS:
            raise ValueError(f"record {i}: unknown implementation {r['implementation']!r}")
        if r["dtype"] not in DTYPES:
            raise ValueError(f"record {i}: dtype {r['dtype']!r} is not float64 or float32")
        if not (isinstance(r["median_s"], float) and math.isfinite(r["median_s"]) and r["median_s"] > 0):
            raise ValueError(f"record {i}: median_s must be a positive float; got {r['median_s']!r}")
        group = groups.setdefault((r["case"], r["dtype"]), {})
        if r["implementation"] in group:
            raise ValueError(f"record {i}: a second {r['implementation']} record for {r['case']} {r['dtype']}")
        group[r["implementation"]] = r
    for (case, dtype), group in groups.items():
        if "floor" not in group:
            raise ValueError(f"{case} {dtype} has no floor record")
        for base, key in (("floor", "ratio_to_floor"), ("matgrad", "ratio_to_matgrad")):
            if base not in group:
                continue
            for name, r in group.items():
                if key not in r:
                    continue
                expected = r["median_s"] / group[base]["median_s"]
                if not math.isclose(r[key], expected, rel_tol=1e-12):
                    raise ValueError(
                        f"{case} {dtype} {name}: {key} is {r[key]!r}, but median_s / {base} median_s = {expected!r}"
                    )
    return groups


# ---------------------------------------------------------------------------- machine


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_pressure():
    """Linux PSI: the share of the last 10 s / 60 s in which some runnable task waited for a CPU."""
    try:
        with open("/proc/pressure/cpu") as f:
            fields = dict(kv.split("=") for kv in f.readline().split()[1:])
    except (OSError, ValueError):
        return None
    return {"avg10": float(fields["avg10"]), "avg60": float(fields["avg60"])}


def _git_state():
    """HEAD commit and whether src/matgrad differs from it (None outside a git checkout)."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src/matgrad"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "src_matgrad_modified": bool(dirty)}


def machine_info(implementations=IMPLEMENTATIONS):
    """What the figures depend on: CPU, cores, BLAS and its kernel, threads, versions, environment."""
    info = {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matgrad": matgrad.__version__,
        "git": _git_state(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "cpu_pressure": _cpu_pressure(),
        "niceness": os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else None,
    }
    env_names = sorted(
        set(BLAS_OVERRIDES)
        | {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS", "GLIBC_TUNABLES"}
        | {k for k in os.environ if k.startswith("MALLOC_")}
    )
    info["env"] = {k: os.environ.get(k) for k in env_names}
    info["env_removed_for_this_run"] = json.loads(os.environ.get(_UNSET_MARKER, "{}"))
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info["threadpools"] = None
    else:
        keys = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads", "threading_layer")
        info["threadpools"] = [{k: p.get(k) for k in keys if k in p} for p in threadpool_info()]
    if "torch" in implementations:
        torch = _import_torch()
        if torch is not None:
            info["torch"] = {
                "version": torch.__version__,
                "num_threads": torch.get_num_threads(),
                "blas": "MKL" if torch.backends.mkl.is_available() else "other",
                "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            }
    if "jax" in implementations:
        jax = _import_jax()
        if jax is not None:
            import jaxlib

            info["jax"] = {
                "version": jax.__version__,
                "jaxlib": jaxlib.__version__,
                "devices": [str(d) for d in jax.devices()],
                "x64": bool(jax.config.jax_enable_x64),
            }
    return info


def blas_summary(machine):
    """One line: NumPy's BLAS, its kernel and threads (from threadpoolctl)."""
    pools = machine.get("threadpools") or []
    blas = [p for p in pools if p.get("user_api") == "blas"]
    if not blas:
        return f"NumPy {machine['numpy']} (BLAS not reported: threadpoolctl missing)"
    parts = [
        f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture', '?')}, "
        f"{p.get('num_threads')} threads"
        for p in blas
    ]
    return f"NumPy {machine['numpy']} with " + "; ".join(parts)


# ---------------------------------------------------------------------------- reports


def _ms(seconds):
    ms = seconds * 1e3
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def _ratio(x):
    return "" if x is None else f"{x:.2f}"


def markdown_tables(records):
    """The results as Markdown tables, one per net, rows in the records' order.

    Columns: the sizes, dtype, the floor's median, matgrad's median and its ratio to the floor, and
    for jax.jit and torch their median and their ratio to matgrad (> 1: slower than matgrad).
    """
    groups = validate_records(records)
    present = {r["implementation"] for r in records}
    others = [n for n in ("jax", "torch") if n in present]
    torch_floor = "torch_floor" in present
    out = []
    titles = {
        "two_layer": "Two-layer softmax net: `two_layer_forward_backward` (loss and all gradients)",
        "logistic": "Logistic net: `logistic_net_gradient` (batched, summed loss)",
    }
    for net in ("two_layer", "logistic"):
        keys = [k for k in groups if next(iter(groups[k].values())).get("net", k[0].split()[0]) == net]
        if not keys:
            continue
        first = next(iter(groups[keys[0]].values()))
        symbols = ", ".join(first["shape"]) if "shape" in first else "case"
        head = [symbols, "dtype", "floor (ms)", "matgrad (ms)", "matgrad / floor"]
        for n in others:
            head += [f"{LABELS[n]} (ms)", f"{LABELS[n]} / matgrad"]
        if torch_floor:
            head += ["torch floor (ms)", "torch floor / floor"]
        out += [f"**{titles[net]}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for key in keys:
            g = groups[key]
            sizes = ", ".join(str(v) for v in g["floor"]["shape"].values()) if "shape" in g["floor"] else key[0]
            row = [sizes, key[1], _ms(g["floor"]["median_s"])]
            m = g.get("matgrad")
            row += [_ms(m["median_s"]), _ratio(m["ratio_to_floor"])] if m else ["", ""]
            for n in others:
                r = g.get(n)
                if r is None:
                    row += ["", ""]
                else:
                    row += [_ms(r["median_s"]), _ratio(r["median_s"] / m["median_s"]) if m else ""]
            if torch_floor:
                r = g.get("torch_floor")
                row += ["", ""] if r is None else [_ms(r["median_s"]), _ratio(r["ratio_to_floor"])]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    return "\n".join(out)


TARGET_FLOOR_RATIO = 1.10  # matgrad / floor, at the two largest two-layer cases
TARGET_FLOOR_CASES = ((1024, 784, 256, 10), (8192, 784, 512, 10))
TARGET_JAX = 1.0  # jax.jit / matgrad, at every size
TARGET_TORCH = 1.5  # torch / matgrad, at every size


def target_checks(records):
    """Each target of the issue against the records: a list of (case, dtype, target, value, met).

    Targets: matgrad / floor <= 1.10 at the two largest two-layer cases; at every case,
    jax.jit / matgrad >= 1 (matgrad no slower) and torch / matgrad >= 1.5, when those ran.
    """
    groups = validate_records(records)
    out = []
    for (case, dtype), g in groups.items():
        m = g.get("matgrad")
        if m is None:
            continue
        shape = tuple(m["shape"].values()) if "shape" in m else None
        if m.get("net", case.split()[0]) == "two_layer" and shape in TARGET_FLOOR_CASES:
            out.append(
                (
                    case,
                    dtype,
                    f"matgrad / floor <= {TARGET_FLOOR_RATIO:.2f}",
                    m["ratio_to_floor"],
                    m["ratio_to_floor"] <= TARGET_FLOOR_RATIO,
                )
            )
        if "jax" in g:
            r = g["jax"]["median_s"] / m["median_s"]
            out.append((case, dtype, f"jax.jit / matgrad >= {TARGET_JAX:.2f}", r, r >= TARGET_JAX))
        if "torch" in g:
            r = g["torch"]["median_s"] / m["median_s"]
            out.append((case, dtype, f"torch / matgrad >= {TARGET_TORCH:.2f}", r, r >= TARGET_TORCH))
    return out


def markdown_targets(records):
    """The targets as a Markdown table: case, dtype, then one column per target (value, met or not)."""
    checks = target_checks(records)
    order = {"matgrad": 0, "jax.jit": 1, "torch": 2}
    targets = sorted(dict.fromkeys(t for _, _, t, _, _ in checks), key=lambda t: order.get(t.split()[0], 3))
    paired = {}
    for r in records:
        if r["implementation"] == "matgrad" and r.get("paired_ratio_to_floor") is not None:
            paired[(r["case"], r["dtype"], "matgrad")] = r["paired_ratio_to_floor"]
        elif r["implementation"] in ("jax", "torch") and r.get("paired_ratio_to_matgrad") is not None:
            paired[(r["case"], r["dtype"], LABELS[r["implementation"]])] = r["paired_ratio_to_matgrad"]
    rows = {}
    for case, dtype, target, value, met in checks:
        p = paired.get((case, dtype, target.split()[0]))
        note = "" if p is None else f" ({p:.2f})"
        rows.setdefault((case, dtype), {})[target] = f"{value:.2f}{note} {'yes' if met else '**no**'}"
    lines = ["| case | dtype | " + " | ".join(targets) + " |", "|" + "---|" * (len(targets) + 2)]
    for (case, dtype), cells in rows.items():
        lines.append(f"| {case.replace('_', ' ')} | {dtype} | " + " | ".join(cells.get(t, "") for t in targets) + " |")
    met = sum(1 for c in checks if c[4])
    lines += [
        "",
        f"{met} of {len(checks)} targets met (ratios of medians; in brackets the median of the "
        "per-round ratios, which a machine changing speed between rounds disturbs less).",
    ]
    return "\n".join(lines)


def machine_summary(machine):
    """Markdown bullet lines describing the machine and the measurement conditions."""
    lines = [
        f"- CPU: {machine['cpu']}, {machine['cores']} cores ({machine['cores_usable']} usable); "
        f"{machine['os']}; Python {machine['python']}",
        f"- BLAS: {blas_summary(machine)}",
    ]
    if "torch" in machine:
        t = machine["torch"]
        lines.append(f"- torch {t['version']} ({t['blas']}, {t['cpu_capability']}, {t['num_threads']} threads)")
    if "jax" in machine:
        j = machine["jax"]
        lines.append(f"- jax {j['version']} / jaxlib {j['jaxlib']} on {', '.join(j['devices'])}, x64 enabled")
    removed = machine.get("env_removed_for_this_run") or {}
    blas_env = ", ".join(
        f"{k}={machine['env'].get(k)!s}" if machine["env"].get(k) is not None else f"{k} unset" for k in BLAS_OVERRIDES
    )
    lines.append(
        f"- OpenBLAS environment: {blas_env}"
        + (
            f" (removed for this run: {', '.join(f'{k}={v}' for k, v in removed.items())})"
            if removed
            else " (none was set)"
        )
    )
    mall = {k: v for k, v in machine["env"].items() if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"}
    set_ = {k: v for k, v in mall.items() if v is not None}
    lines.append(
        "- malloc: "
        + (
            ", ".join(f"{k}={v}" for k, v in set_.items())
            if set_
            else "no MALLOC_* or GLIBC_TUNABLES set (glibc defaults)"
        )
    )
    if machine.get("loadavg_before") is not None:
        lines.append(
            f"- load average (1 min) before / after: {machine['loadavg_before'][0]:.2f} / "
            f"{machine['loadavg_after'][0]:.2f}"
        )
    before, after = machine.get("cpu_pressure_before"), machine.get("cpu_pressure_after")
    if before and after:
        lines.append(
            f"- CPU pressure (share of time another task waited for a CPU, last 60 s) before / after: "
            f"{before['avg60']:.0f}% / {after['avg60']:.0f}%"
        )
    if machine.get("samples"):
        n = machine["samples"]
        lines.append(
            f"- samples: {n['taken']} kept; {n['retried']} retaken because some task waited for a "
            f"CPU during them; {n['kept_disturbed']} kept although disturbed (after the last retry). "
            "jax.jit's samples nearly always count as disturbed: its own threads queue for the two cores"
        )
    if machine.get("git"):
        g = machine["git"]
        lines.append(
            f"- code: commit {g['commit'][:10]}"
            + (" with uncommitted changes in src/matgrad" if g["src_matgrad_modified"] else "")
        )
    if machine.get("niceness"):
        lines.append(
            f"- run at niceness {machine['niceness']} (e.g. `nice -n {machine['niceness']}`), "
            "so that other jobs on the machine yield to it"
        )
    lines.append(f"- measured {machine['date_utc']}; {machine.get('settings', '')}".rstrip("; "))
    return "\n".join(lines)


def markdown_report(records, machine, command=COMMAND):
    """The full Markdown report: tables, machine, conditions and the command that reproduces it."""
    return "\n".join(
        [
            "# matgrad benchmark results",
            "",
            f"<!-- written by `{command}`; do not edit by hand -->",
            "",
            "Median time of one forward + backward pass; `floor` is only the matrix products that pass must do.",
            "Ratios compare medians measured side by side in one process, interleaved in random order.",
            "",
            markdown_tables(records),
            "## Targets",
            "",
            markdown_targets(records),
            "",
            "## Machine",
            "",
            machine_summary(machine),
            "",
            f"Reproduce: `{command}`",
            "",
        ]
    )


def _tick_label(groups, case):
    """``2-layer`` or ``logistic`` over the sizes, e.g. ``2-layer\n8192,784,512,10``."""
    r = next(g for k, g in groups.items() if k[0] == case)["floor"]
    net = "2-layer" if r.get("net", case.split()[0]) == "two_layer" else "logistic"
    sizes = ",".join(str(v) for v in r["shape"].values()) if "shape" in r else case.split(" ", 1)[1]
    return f"{net}\n{sizes}"


def plot_results(records, path):
    """Draw each implementation's time relative to the floor, per case and dtype, into ``path``.

    One panel per dtype, grouped bars per case on a log scale, a dashed line at the 1.10 target.
    The format follows the suffix (``.svg``, ``.png``); the SVG is written reproducibly (no date,
    fixed ids) so the committed file only changes when the numbers do. Needs matplotlib.
    """
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no backend or global state is touched

    groups = validate_records(records)
    present = [n for n in IMPLEMENTATIONS if any(r["implementation"] == n for r in records)]
    dtypes = [dt for dt in DTYPES if any(k[1] == dt for k in groups)]
    cases = list(dict.fromkeys(k[0] for k in groups))
    colors = {"floor": "#9e9e9e", "matgrad": "#3949ab", "jax": "#43a047", "torch": "#e65100", "torch_floor": "#ffcc80"}
    fig = Figure(figsize=(10, 3.6 * len(dtypes)), layout="constrained")
    axes = fig.subplots(len(dtypes), 1, squeeze=False)[:, 0]
    width = 0.8 / max(len(present), 1)
    for ax, dt in zip(axes, dtypes, strict=True):
        for j, name in enumerate(present):
            xs, ys = [], []
            for i, case in enumerate(cases):
                r = groups.get((case, dt), {}).get(name)
                if r is not None:
                    xs.append(i + (j - (len(present) - 1) / 2) * width)
                    ys.append(r["ratio_to_floor"])
            ax.bar(xs, ys, width, label=LABELS[name], color=colors[name])
        ax.axhline(1.10, color="black", linestyle="--", linewidth=0.8, label="1.10 x floor")
        ax.set_yscale("log")
        ax.set_ylabel("time / floor")
        ax.set_title(f"{dt}: time relative to the floor (lower is faster)", fontsize=10, loc="right")
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([_tick_label(groups, c) for c in cases], fontsize=8)
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, ncols=len(present) + 1, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "matgrad-benchmark", "svg.fonttype": "none"}):
        metadata = {"Date": None} if path.suffix == ".svg" else {}
        fig.savefig(path, metadata=metadata)
    return path


PAGE_SECTIONS = ("tables", "targets", "machine")


def page_section(text, name):
    """The text between ``<!-- benchmark:NAME -->`` and ``<!-- /benchmark:NAME -->`` in ``text``."""
    start, end = f"<!-- benchmark:{name} -->\n", f"<!-- /benchmark:{name} -->"
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"the page must contain {start.strip()} ... {end} exactly once")
    return text.split(start, 1)[1].split(end, 1)[0]


def page_sections(records, machine):
    """What the benchmark page shows between its markers: the tables, the targets, the machine."""
    return {
        "tables": "\n" + markdown_tables(records) + "\n",
        "targets": "\n" + markdown_targets(records) + "\n\n",
        "machine": "\n" + machine_summary(machine) + "\n\n",
    }


def update_page(path, records, machine):
    """Replace the marked sections of the benchmark page with the tables and machine of this run."""
    path = Path(path)
    text = path.read_text()
    for name, body in page_sections(records, machine).items():
        old = page_section(text, name)
        text = text.replace(f"<!-- benchmark:{name} -->\n{old}", f"<!-- benchmark:{name} -->\n{body}", 1)
    path.write_text(text)
    return path


# ---------------------------------------------------------------------------- command line


def _parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python -m matgrad.benchmark",
        description="Time matgrad's forward + backward against its matrix-product floor, jax.jit and torch.",
    )
    p.add_argument("--save", action="store_true", help="write the committed record: " + ", ".join(SAVE_PATHS.values()))
    p.add_argument("--json", metavar="PATH", help="write the records (a JSON list) to PATH")
    p.add_argument("--machine-json", metavar="PATH", help="write the machine description to PATH")
    p.add_argument("--markdown", metavar="PATH", help="write the Markdown report to PATH (default: stdout)")
    p.add_argument("--plot", metavar="PATH", help="draw the ratios to the floor into PATH (.svg or .png)")
    p.add_argument("--page", metavar="PATH", help="refresh the marked tables and machine of this Markdown page")
    p.add_argument(
        "--net", choices=("two_layer", "logistic"), action="append", help="only this net (repeatable; default both)"
    )
    p.add_argument("--dtype", choices=DTYPES, action="append", help="only this dtype (repeatable)")
    p.add_argument(
        "--shape",
        type=lambda s: tuple(int(v) for v in s.split(",")),
        action="append",
        help="custom sizes N,D,H,C (two-layer) or N,d,h (logistic) instead of the defaults",
    )
    p.add_argument(
        "--impl",
        choices=IMPLEMENTATIONS,
        action="append",
        help="only this implementation (repeatable; floor is always included)",
    )
    p.add_argument("--rounds", type=int, default=21, help="samples per implementation (default 21)")
    p.add_argument("--min-time", type=float, default=0.05, help="minimum seconds per sample (default 0.05)")
    p.add_argument("--pause", type=float, default=0.15, help="seconds slept before each sample (default 0.15)")
    p.add_argument(
        "--max-stall",
        type=float,
        default=0.05,
        help="retake a sample if tasks waited for a CPU for more than this share of it (default 0.05)",
    )
    p.add_argument("--max-retries", type=int, default=5, help="retakes per sample at most (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="smoke test: 3 rounds, short samples, no pause")
    p.add_argument(
        "--from-json",
        metavar="PATH",
        help="measure nothing: rewrite the reports from a saved record (and machine.json beside it)",
    )
    p.add_argument(
        "--keep-blas-env", action="store_true", help="do not re-run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE"
    )
    args = p.parse_args(argv)
    if args.save:
        for key, path in SAVE_PATHS.items():
            if getattr(args, key) is None:
                setattr(args, key, path)
    if args.quick:
        args.rounds, args.min_time, args.pause, args.max_retries = 3, 0.002, 0.0, 0
    if args.rounds < 1:
        p.error("--rounds must be >= 1")
    return args


def _selected_cases(args):
    nets = args.net or ["two_layer", "logistic"]
    dtypes = args.dtype or list(DTYPES)
    if args.shape:
        cases = []
        for shape in args.shape:
            net = {4: "two_layer", 3: "logistic"}.get(len(shape))
            if net is None:
                raise SystemExit(f"--shape needs 4 sizes (N,D,H,C) or 3 (N,d,h); got {shape}")
            cases += [Case(net, shape, dt) for dt in dtypes if net in nets]
        return cases
    return [c for c in DEFAULT_CASES if c.net in nets and c.dtype in dtypes]


def _reexec_without_blas_overrides(argv):
    """Run this command again without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (they act at NumPy's import)."""
    removed = {k: os.environ[k] for k in BLAS_OVERRIDES if k in os.environ}
    if not removed or "--keep-blas-env" in argv:
        return
    env = {k: v for k, v in os.environ.items() if k not in removed}
    env[_UNSET_MARKER] = json.dumps(removed)
    print(
        f"re-running without {', '.join(f'{k}={v}' for k, v in removed.items())} (use --keep-blas-env to keep them)",
        file=sys.stderr,
    )
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", "matgrad.benchmark", *argv], env)


def main(argv=None):
    """Run the benchmark as the command line asks; returns the records."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.from_json:
        records = json.loads(Path(args.from_json).read_text())
        machine = json.loads((Path(args.from_json).parent / "machine.json").read_text())
        return _write_outputs(args, records, machine, argv)
    implementations = tuple(n for n in IMPLEMENTATIONS if n == "floor" or not args.impl or n in args.impl)
    implementations = available_implementations(implementations)
    cases = _selected_cases(args)
    machine = machine_info(implementations)
    machine["loadavg_before"] = machine.pop("loadavg")
    machine["cpu_pressure_before"] = machine.pop("cpu_pressure")
    machine["settings"] = (
        f"{args.rounds} rounds, samples of >= {args.min_time} s, "
        f"{args.pause} s pause before each sample, a sample retaken (up to "
        f"{args.max_retries} times) when tasks waited for a CPU during more than "
        f"{args.max_stall:.0%} of it, seed {args.seed}"
    )
    records = run_benchmark(
        cases,
        implementations=implementations,
        rounds=args.rounds,
        min_time=args.min_time,
        pause=args.pause,
        seed=args.seed,
        max_stall=args.max_stall,
        max_retries=args.max_retries,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    machine["loadavg_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    machine["cpu_pressure_after"] = _cpu_pressure()
    machine["samples"] = {
        "taken": sum(r["rounds"] for r in records),
        "retried": sum(r["samples_retried"] for r in records),
        "kept_disturbed": sum(r["samples_kept_disturbed"] for r in records),
    }
    return _write_outputs(args, records, machine, argv)


def _write_outputs(args, records, machine, argv):
    """Write the JSON, Markdown, plot and page that the arguments ask for; returns the records."""
    command = (
        COMMAND if args.save else "python -m matgrad.benchmark " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    report = markdown_report(records, machine, command.strip())
    for key, payload in (("json", records), ("machine_json", machine)):
        path = getattr(args, key)
        if path and not args.from_json:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(payload, indent=1) + "\n")
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(report)
    else:
        print(report)
    if args.plot:
        plot_results(records, args.plot)
    if args.page:
        update_page(args.page, records, machine)
    return records


if __name__ == "__main__":
    _reexec_without_blas_overrides(sys.argv[1:])
    main()
