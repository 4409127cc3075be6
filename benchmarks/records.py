"""The record format: one dict per (case, dtype, implementation), and its validation.

A record has at least ``case`` (e.g. ``two_layer N=90 D=4 H=6 C=3``), ``dtype``,
``implementation``, ``median_s`` (seconds per call) and ``ratio_to_floor`` (its median over the
floor's, in the same case and dtype); :func:`benchmarks.run.run_case` documents the rest.
"""

from __future__ import annotations

import math
from typing import Any

from .cases import DTYPES
from .implementations import IMPLEMENTATIONS

Record = dict[str, Any]
# (case, dtype) -> implementation -> record
Groups = dict[tuple[str, str], dict[str, Record]]

REQUIRED_KEYS = ("case", "dtype", "implementation", "median_s", "ratio_to_floor")


def validate_records(records: Any) -> Groups:
    """Check a list of records is well formed and group it by (case, dtype), in the records' order.

    Every record has the keys case, dtype, implementation, median_s (> 0) and ratio_to_floor; every
    (case, dtype) has exactly one floor record and at most one record per implementation; and
    ``ratio_to_floor == median_s / floor's median_s`` (and ``ratio_to_matgrad`` likewise, when present).

    Raises ValueError naming the first problem.
    """
    if not isinstance(records, list) or not records:
        raise ValueError("records must be a non-empty list")
    groups: Groups = {}
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
