"""The plot of the site's benchmark page: each implementation's time relative to the floor (matplotlib)."""

from __future__ import annotations

from pathlib import Path

from .cases import DTYPES
from .implementations import IMPLEMENTATIONS, LABELS
from .records import Groups, Record, validate_records
from .targets import TARGET_FLOOR_RATIO

COLORS = {"floor": "#9e9e9e", "matgrad": "#3949ab", "jax": "#43a047", "torch": "#e65100", "torch_floor": "#ffcc80"}


def tick_label(groups: Groups, case: str) -> str:
    """``2-layer`` or ``logistic`` over the sizes, e.g. ``2-layer\\n8192,784,512,10``."""
    r = next(g for k, g in groups.items() if k[0] == case)["floor"]
    net = "2-layer" if r.get("net", case.split()[0]) == "two_layer" else "logistic"
    sizes = ",".join(str(v) for v in r["shape"].values()) if "shape" in r else case.split(" ", 1)[1]
    return f"{net}\n{sizes}"


def plot_results(records: list[Record], path: str | Path) -> Path:
    """Draw each implementation's time relative to the floor, per case and dtype, into ``path``.

    One panel per dtype, grouped bars per case on a log scale, a dashed line at the 1.10 target.
    The format follows the suffix (``.svg``, ``.png``); the SVG is written reproducibly (no date,
    fixed ids) so the committed file only changes when the numbers do. Needs matplotlib; returns
    the path written. Raises ValueError for malformed records (:func:`validate_records`).
    """
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no backend or global state is touched

    groups = validate_records(records)
    present = [n for n in IMPLEMENTATIONS if any(r["implementation"] == n for r in records)]
    dtypes = [dt for dt in DTYPES if any(k[1] == dt for k in groups)]
    cases = list(dict.fromkeys(k[0] for k in groups))
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
            ax.bar(xs, ys, width, label=LABELS[name], color=COLORS[name])
        ax.axhline(TARGET_FLOOR_RATIO, color="black", linestyle="--", linewidth=0.8, label="1.10 x floor")
        ax.set_yscale("log")
        ax.set_ylabel("time / floor")
        ax.set_title(f"{dt}: time relative to the floor (lower is faster)", fontsize=10, loc="right")
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([tick_label(groups, c) for c in cases], fontsize=8)
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, ncols=len(present) + 1, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "matgrad-benchmark", "svg.fonttype": "none"}):
        metadata = {"Date": None} if path.suffix == ".svg" else {}
        fig.savefig(path, metadata=metadata)
    return path
