"""OpenBLAS's kernel overrides, removed together for the benchmark's run only.

OpenBLAS reads ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` when NumPy loads it, before any of
the harness runs, and a forced older kernel makes large products 1.4-1.75x slower. So
``python -m benchmarks`` runs itself again without them (OpenBLAS then picks the kernel for this
CPU) and the record states what was removed; ``--keep-blas-env`` measures with them as they are.
Nothing here imports NumPy: the first process never loads OpenBLAS with the override.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence

BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Set in the re-run's environment: what was removed, as JSON (so the record can say so).
REMOVED_MARKER = "MATGRAD_BENCHMARK_REMOVED_ENV"
KEEP_FLAG = "--keep-blas-env"


def without_overrides(environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the environment for the re-run, the variables removed from it); nothing removed if none is set."""
    removed = {k: environ[k] for k in BLAS_OVERRIDES if k in environ}
    env = {k: v for k, v in environ.items() if k not in removed}
    if removed:
        env[REMOVED_MARKER] = json.dumps(removed)
    return env, removed


def removed_for_this_run(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """What the re-run removed (name -> value), read back in the re-run; empty if nothing was."""
    removed: dict[str, str] = json.loads(environ.get(REMOVED_MARKER, "{}"))
    return removed


def reexec_without_overrides(argv: Sequence[str], module: str = "benchmarks") -> None:
    """Replace this process by ``python -m module argv`` without the overrides, if any is set.

    Returns (and the caller goes on) when none is set or ``--keep-blas-env`` is in ``argv``.
    """
    env, removed = without_overrides(os.environ)
    if not removed or KEEP_FLAG in argv:
        return
    print(
        f"re-running without {', '.join(f'{k}={v}' for k, v in removed.items())} (use {KEEP_FLAG} to keep them)",
        file=sys.stderr,
        flush=True,
    )
    os.execve(sys.executable, [sys.executable, "-m", module, *argv], env)
