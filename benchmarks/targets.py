"""The speed targets, read off the records: met or not, per case and dtype."""

from __future__ import annotations

from .implementations import LABELS
from .records import Record, validate_records

TARGET_FLOOR_RATIO = 1.10  # matgrad / floor, at the two largest two-layer cases
TARGET_FLOOR_CASES = ((1024, 784, 256, 10), (8192, 784, 512, 10))
TARGET_JAX = 1.0  # jax.jit / matgrad, at every size
TARGET_TORCH = 1.5  # torch / matgrad, at every size

# (case, dtype, target, value, met)
Check = tuple[str, str, str, float, bool]


def target_checks(records: list[Record]) -> list[Check]:
    """Each target against the records: a list of (case, dtype, target, value, met).

    Targets: matgrad / floor <= 1.10 at the two largest two-layer cases; at every case,
    jax.jit / matgrad >= 1 (matgrad no slower) and torch / matgrad >= 1.5, when those ran.
    """
    groups = validate_records(records)
    out: list[Check] = []
    for (case, dtype), g in groups.items():
        m = g.get("matgrad")
        if m is None:
            continue
        shape = tuple(m["shape"].values()) if "shape" in m else None
        if m.get("net", case.split()[0]) == "two_layer" and shape in TARGET_FLOOR_CASES:
            ratio = m["ratio_to_floor"]
            out.append(
                (case, dtype, f"matgrad / floor <= {TARGET_FLOOR_RATIO:.2f}", ratio, ratio <= TARGET_FLOOR_RATIO)
            )
        if "jax" in g:
            r = g["jax"]["median_s"] / m["median_s"]
            out.append((case, dtype, f"jax.jit / matgrad >= {TARGET_JAX:.2f}", r, r >= TARGET_JAX))
        if "torch" in g:
            r = g["torch"]["median_s"] / m["median_s"]
            out.append((case, dtype, f"torch / matgrad >= {TARGET_TORCH:.2f}", r, r >= TARGET_TORCH))
    return out


def markdown_targets(records: list[Record]) -> str:
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
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for case, dtype, target, value, met in checks:
        p = paired.get((case, dtype, target.split()[0]))
        note = "" if p is None else f" ({p:.2f})"
        rows.setdefault((case, dtype), {})[target] = f"{value:.2f}{note} {'yes' if met else '**no**'}"
    lines = ["| case | dtype | " + " | ".join(targets) + " |", "|" + "---|" * (len(targets) + 2)]
    for (case, dtype), cells in rows.items():
        lines.append(f"| {case.replace('_', ' ')} | {dtype} | " + " | ".join(cells.get(t, "") for t in targets) + " |")
    n_met = sum(1 for c in checks if c[4])
    lines += [
        "",
        f"{n_met} of {len(checks)} targets met (ratios of medians; in brackets the median of the "
        "per-round ratios, which a machine changing speed between rounds disturbs less).",
    ]
    return "\n".join(lines)
