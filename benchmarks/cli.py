"""The command line: ``python -m benchmarks [--save] [--json PATH] [--from-json PATH] ...``."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .blas_env import KEEP_FLAG
from .cases import DEFAULT_CASES, DTYPES, Case
from .implementations import IMPLEMENTATIONS, available_implementations
from .machine import Machine, machine_info
from .page import check_page, update_page
from .paths import COMMAND, ROOT, SAVE_PATHS, save_paths
from .plot import plot_results
from .pressure import cpu_pressure
from .records import Record, validate_records
from .report import markdown_report
from .run import run_benchmark

PROG = "python -m benchmarks"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The options, with --save's paths and --quick's settings filled in. Exits on bad options."""
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Time matgrad's forward + backward against its matrix-product floor, jax.jit and torch.",
    )
    p.add_argument("--save", action="store_true", help="write the committed record: " + ", ".join(SAVE_PATHS.values()))
    p.add_argument(
        "--save-dir",
        metavar="DIR",
        type=Path,
        help="with --save: write the record under DIR instead of this checkout (DIR/docs/benchmark.md must exist)",
    )
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
        help="custom sizes N,D,H,C (two-layer) or N,D,H (logistic) instead of the defaults (repeatable)",
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
    p.add_argument(KEEP_FLAG, action="store_true", help="do not re-run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE")
    args = p.parse_args(list(argv))
    if args.save_dir is not None and not args.save:
        p.error("--save-dir needs --save")
    if args.save:
        for key, path in save_paths(args.save_dir or ROOT).items():
            if getattr(args, key) is None:
                setattr(args, key, str(path))
    if args.quick:
        args.rounds, args.min_time, args.pause, args.max_retries = 3, 0.002, 0.0, 0
    if args.rounds < 1:
        p.error("--rounds must be >= 1")
    return args


def selected_cases(args: argparse.Namespace) -> list[Case]:
    """The cases the options ask for: the defaults, or --shape's, filtered by --net and --dtype."""
    nets = args.net or ["two_layer", "logistic"]
    dtypes = args.dtype or list(DTYPES)
    if not args.shape:
        return [c for c in DEFAULT_CASES if c.net in nets and c.dtype in dtypes]
    cases = []
    for shape in args.shape:
        net = {4: "two_layer", 3: "logistic"}.get(len(shape))
        if net is None:
            raise SystemExit(f"--shape needs 4 sizes (N,D,H,C) or 3 (N,D,H); got {shape}")
        cases += [Case(net, shape, dt) for dt in dtypes if net in nets]
    return cases


def preflight(args: argparse.Namespace) -> None:
    """Fail before measuring for what would fail after: no matplotlib for --plot, a page without its markers."""
    if args.plot:
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            raise SystemExit(f"--plot {args.plot} needs matplotlib, which is not installed") from None
    if args.page:
        try:
            check_page(Path(args.page).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SystemExit(f"--page {args.page}: {e}") from None


def main(argv: Sequence[str] | None = None) -> list[Record]:
    """Run the benchmark as the command line asks; returns the records."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    preflight(args)
    if args.from_json:
        records = json.loads(Path(args.from_json).read_text())
        validate_records(records)
        machine = json.loads((Path(args.from_json).parent / "machine.json").read_text())
        return write_outputs(args, records, machine, argv)
    implementations = tuple(n for n in IMPLEMENTATIONS if n == "floor" or not args.impl or n in args.impl)
    implementations = available_implementations(implementations)
    cases = selected_cases(args)
    if not cases:
        raise SystemExit("no case selected: check --net, --dtype and --shape")
    start = time.monotonic()
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
    machine["cpu_pressure_after"] = cpu_pressure()
    machine["samples"] = {
        "taken": sum(r["rounds"] for r in records),
        "retried": sum(r["samples_retried"] for r in records),
        "kept_disturbed": sum(r["samples_kept_disturbed"] for r in records),
    }
    machine["duration_s"] = round(time.monotonic() - start, 1)
    return write_outputs(args, records, machine, argv)


def write_outputs(args: argparse.Namespace, records: list[Record], machine: Machine, argv: list[str]) -> list[Record]:
    """Write the JSON, Markdown, plot and page that the arguments ask for; returns the records."""
    command = COMMAND if args.save else f"{PROG} {shlex.join(argv)}".strip()
    report = markdown_report(records, machine, command)
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
