"""benchmarks.measure: interleaved samples, calls counted, disturbed samples retaken."""

import gc
import math
import random

from benchmarks import pressure
from benchmarks.measure import measure


def test_measure_interleaves_and_counts():
    calls = []
    fns = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    stats = {}
    samples, numbers = measure(fns, rounds=4, min_time=0.0, pause=0.0, max_retries=0, stats=stats)
    assert numbers == {"a": 1, "b": 1}
    assert {k: len(v) for k, v in samples.items()} == {"a": 4, "b": 4}
    assert all(t >= 0 and math.isfinite(t) for v in samples.values() for t in v)
    assert calls.count("a") == calls.count("b") == 1 + 2 * 4  # warm-up, then per round one untimed + one timed
    assert set(stats) == {"a", "b"} and all(v["retried"] == 0 for v in stats.values())


def test_each_round_visits_the_implementations_in_a_fresh_random_order():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abcd"}
    measure(fns, rounds=20, min_time=0.0, pause=0.0, max_retries=0, rng=random.Random(0))
    timed = calls[len(fns) :]  # after the warm-ups: (untimed, timed) pairs
    rounds = ["".join(timed[i : i + 8 : 2]) for i in range(0, len(timed), 8)]
    assert all(sorted(r) == list("abcd") for r in rounds)
    assert len(set(rounds)) > 5


def test_calls_per_sample_fill_min_time():
    samples, numbers = measure({"a": lambda: None}, rounds=1, min_time=0.01, pause=0.0, max_retries=0)
    assert numbers["a"] > 1 and len(samples["a"]) == 1


def test_disturbed_samples_are_taken_again(monkeypatch):
    """A sample during which the CPU-stall counter jumps is retaken, up to max_retries times."""
    clock = iter(range(0, 10**6, 100))  # each reading of the counter: 100 s of stall more than the last
    monkeypatch.setattr(pressure, "cpu_stall_seconds", lambda: next(clock))
    calls = []
    stats = {}
    samples, _ = measure({"a": lambda: calls.append(1)}, rounds=2, min_time=0.0, pause=0.0, max_retries=3, stats=stats)
    assert len(samples["a"]) == 2
    assert stats["a"] == {"retried": 2 * 3, "kept_disturbed": 2}
    assert len(calls) == 1 + 2 * 4 * 2  # warm-up, then 4 attempts per sample of (untimed + timed)


def test_without_pressure_information_no_sample_is_retaken(monkeypatch):
    monkeypatch.setattr(pressure, "cpu_stall_seconds", lambda: None)
    stats = {}
    measure({"a": lambda: None}, rounds=3, min_time=0.0, pause=0.0, max_retries=3, stats=stats)
    assert stats["a"] == {"retried": 0, "kept_disturbed": 0}


def test_the_garbage_collector_is_restored():
    assert gc.isenabled()
    measure({"a": lambda: None}, rounds=1, min_time=0.0, pause=0.0)
    assert gc.isenabled()
