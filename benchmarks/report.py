"""The Markdown report: result tables, the machine and conditions, and the command that reproduces it."""

from __future__ import annotations

from .blas_env import BLAS_OVERRIDES
from .implementations import LABELS
from .machine import Machine
from .paths import COMMAND
from .provenance import describe
from .records import Record, validate_records
from .targets import markdown_targets

TITLES = {
    "two_layer": "Two-layer softmax net: `two_layer_forward_backward` (loss and all gradients)",
    "logistic": "Logistic net: `logistic_net_gradient` (batched, summed loss)",
}


def ms(seconds: float) -> str:
    """Milliseconds, three significant figures below 100 ms, whole above."""
    value = seconds * 1e3
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def ratio(x: float | None) -> str:
    """Two decimals, or an empty cell for None."""
    return "" if x is None else f"{x:.2f}"


def markdown_tables(records: list[Record]) -> str:
    """The results as Markdown tables, one per net, rows in the records' order.

    Columns: the sizes, dtype, the floor's median, matgrad's median and its ratio to the floor, and
    for jax.jit and torch their median and their ratio to matgrad (> 1: slower than matgrad); the
    torch floor's median and its ratio to the floor.
    """
    groups = validate_records(records)
    present = {r["implementation"] for r in records}
    others = [n for n in ("jax", "torch") if n in present]
    torch_floor = "torch_floor" in present
    out: list[str] = []
    for net, title in TITLES.items():
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
        out += [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for key in keys:
            g = groups[key]
            sizes = ", ".join(str(v) for v in g["floor"]["shape"].values()) if "shape" in g["floor"] else key[0]
            row = [sizes, key[1], ms(g["floor"]["median_s"])]
            m = g.get("matgrad")
            row += [ms(m["median_s"]), ratio(m["ratio_to_floor"])] if m else ["", ""]
            for n in others:
                r = g.get(n)
                if r is None:
                    row += ["", ""]
                else:
                    row += [ms(r["median_s"]), ratio(r["median_s"] / m["median_s"]) if m else ""]
            if torch_floor:
                r = g.get("torch_floor")
                row += ["", ""] if r is None else [ms(r["median_s"]), ratio(r["ratio_to_floor"])]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    return "\n".join(out)


def blas_summary(machine: Machine) -> str:
    """One line: NumPy's BLAS, its kernel and threads (from threadpoolctl)."""
    blas = [p for p in machine.get("threadpools") or [] if p.get("user_api") == "blas"]
    if not blas:
        return f"NumPy {machine['numpy']} (BLAS not reported: threadpoolctl missing)"
    parts = [
        f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture', '?')}, "
        f"{p.get('num_threads')} threads"
        for p in blas
    ]
    return f"NumPy {machine['numpy']} with " + "; ".join(parts)


def machine_summary(machine: Machine) -> str:
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
    env = machine["env"]
    removed = machine.get("env_removed_for_this_run") or {}
    blas_env = ", ".join(f"{k}={env[k]!s}" if env.get(k) is not None else f"{k} unset" for k in BLAS_OVERRIDES)
    lines.append(
        f"- OpenBLAS environment: {blas_env}"
        + (
            f" (removed for this run: {', '.join(f'{k}={v}' for k, v in removed.items())})"
            if removed
            else " (none was set)"
        )
    )
    malloc = {k: v for k, v in env.items() if (k.startswith("MALLOC_") or k == "GLIBC_TUNABLES") and v is not None}
    lines.append(
        "- malloc: "
        + (
            ", ".join(f"{k}={v}" for k, v in malloc.items())
            if malloc
            else "no MALLOC_* or GLIBC_TUNABLES set (glibc defaults)"
        )
    )
    if machine.get("loadavg_before") is not None and machine.get("loadavg_after") is not None:
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
    code = describe(machine.get("git"))
    if code:
        lines.append(code)
    if machine.get("matgrad_imported_from"):
        lines.append(f"- matgrad imported from {machine['matgrad_imported_from']}, not from this checkout's src/")
    if machine.get("niceness"):
        lines.append(
            f"- run at niceness {machine['niceness']} (e.g. `nice -n {machine['niceness']}`), "
            "so that other jobs on the machine yield to it"
        )
    lines.append(f"- measured {machine['date_utc']}; {machine.get('settings', '')}".rstrip("; "))
    if machine.get("duration_s") is not None:
        lines.append(f"- the run took {machine['duration_s'] / 60:.1f} min")
    return "\n".join(lines)


def markdown_report(records: list[Record], machine: Machine, command: str = COMMAND) -> str:
    """The full Markdown report: tables, targets, machine, conditions and the command that reproduces it."""
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
