"""Cases measured into records: the data built, the implementations cross-checked, then timed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

import numpy as np

from .cases import DEFAULT_CASES, Case, make_data
from .crosscheck import cross_check
from .implementations import IMPLEMENTATIONS, build_implementations
from .measure import measure
from .records import Record
from .report import ms


def run_case(
    case: Case,
    *,
    implementations: tuple[str, ...] = IMPLEMENTATIONS,
    rounds: int = 21,
    min_time: float = 0.05,
    pause: float = 0.15,
    seed: int = 0,
    rng: random.Random | None = None,
    max_stall: float = 0.05,
    max_retries: int = 5,
) -> list[Record]:
    """Measure one case; returns its records (one per implementation that ran), in IMPLEMENTATIONS order.

    Each record: case, net, shape (symbol -> size), dtype, implementation, median_s;
    ratio_to_floor and ratio_to_matgrad (of medians), paired_ratio_to_floor and
    paired_ratio_to_matgrad (median over rounds of the ratio of the same round's samples);
    min_s, q1_s, q3_s, rounds, calls_per_sample, samples_retried, samples_kept_disturbed, and
    max_rel_diff_vs_matgrad (None for the floors). See :func:`benchmarks.measure.measure` for the
    other arguments.
    """
    data = make_data(case, seed)
    fns = build_implementations(case, data, implementations)
    diffs = cross_check(case, fns)
    stats: dict[str, dict[str, int]] = {}
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

    def paired(name: str, base: str) -> float | None:
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
                "q1_s": float(np.quantile(s, 0.25)),
                "q3_s": float(np.quantile(s, 0.75)),
                "rounds": len(s),
                "calls_per_sample": numbers[name],
                "samples_retried": stats[name]["retried"],
                "samples_kept_disturbed": stats[name]["kept_disturbed"],
                "max_rel_diff_vs_matgrad": diffs.get(name, 0.0 if name == "matgrad" else None),
            }
        )
    return records


def run_benchmark(
    cases: Iterable[Case] = DEFAULT_CASES,
    *,
    implementations: tuple[str, ...] = IMPLEMENTATIONS,
    rounds: int = 21,
    min_time: float = 0.05,
    pause: float = 0.15,
    seed: int = 0,
    progress: Callable[[str], object] | None = None,
    max_stall: float = 0.05,
    max_retries: int = 5,
) -> list[Record]:
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
            progress(progress_line(case, case_records))
    return records


def progress_line(case: Case, records: list[Record]) -> str:
    """One line per measured case, e.g. ``two_layer N=90 ... float64: floor 0.02 ms (1.00x floor), ...``."""
    parts = []
    for r in records:
        ratio = "" if r["ratio_to_floor"] is None else f" ({r['ratio_to_floor']:.2f}x floor)"
        parts.append(f"{r['implementation']} {ms(r['median_s'])} ms{ratio}")
    return f"{case.name} {case.dtype}: " + ", ".join(parts)
