"""Interleaved timing of several functions, side by side in one process."""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import pressure


def time_calls(fn: Callable[[], Any], number: int) -> float:
    """Seconds taken by ``number`` consecutive calls of ``fn``."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def measure(
    implementations: Mapping[str, Callable[[], Any]],
    *,
    rounds: int = 21,
    min_time: float = 0.05,
    pause: float = 0.15,
    rng: random.Random | None = None,
    max_number: int = 100_000,
    max_stall: float = 0.05,
    max_retries: int = 5,
    stats: dict[str, dict[str, int]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, int]]:
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
    max_number : calls per sample at most
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

    The garbage collector is off while timing (and restored afterwards).
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
                once = min(time_calls(fn, 1), time_calls(fn, 1))
                numbers[name] = int(min(max_number, max(1, math.ceil(min_time / max(once, 1e-9)))))
            else:
                numbers[name] = 1
        samples: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(rounds):
            order = names[:]
            rng.shuffle(order)
            for name in order:
                fn = implementations[name]
                for attempt in range(max_retries + 1):
                    if pause > 0:
                        time.sleep(pause)
                    fn()
                    stall = pressure.cpu_stall_seconds()
                    elapsed = time_calls(fn, numbers[name])
                    after = pressure.cpu_stall_seconds()
                    if stall is None or after is None or after - stall <= max_stall * elapsed:
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
