"""What the figures depend on: CPU, cores, BLAS and its kernel, threads, versions, environment, code."""

from __future__ import annotations

import datetime
import importlib
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

import matgrad

from .blas_env import BLAS_OVERRIDES, removed_for_this_run
from .implementations import IMPLEMENTATIONS, jax_jit, torch_autograd
from .paths import ROOT
from .pressure import cpu_pressure
from .provenance import git_state

Machine = dict[str, Any]
# Environment variables recorded (set or not) beside every MALLOC_* that is set.
RECORDED_ENV = (
    *BLAS_OVERRIDES,
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "XLA_FLAGS",
    "GLIBC_TUNABLES",
)
THREADPOOL_KEYS = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads", "threading_layer")


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux, else what platform knows)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def threadpools() -> list[dict[str, Any]] | None:
    """The BLAS and OpenMP libraries loaded, with kernel and threads (threadpoolctl), or None without it."""
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return None
    return [{k: p.get(k) for k in THREADPOOL_KEYS if k in p} for p in threadpoolctl.threadpool_info()]


def matgrad_outside_checkout() -> str | None:
    """Where matgrad was imported from, if not this checkout's src/matgrad (whose git state the record gives)."""
    here = Path(matgrad.__file__).resolve().parent
    return None if here == ROOT / "src" / "matgrad" else str(here)


def machine_info(implementations: tuple[str, ...] = IMPLEMENTATIONS) -> Machine:
    """A dict describing this machine and run; torch and jax are described when among ``implementations``.

    Keys: date_utc, cpu, machine, cores, cores_usable, os, python, numpy, matgrad (its version),
    git (:func:`benchmarks.provenance.git_state`), loadavg, cpu_pressure, niceness, env (the
    variables of RECORDED_ENV and every MALLOC_* set; None when unset), env_removed_for_this_run,
    threadpools, and torch / jax when they are described; matgrad_imported_from when matgrad does
    not come from this checkout.
    """
    info: Machine = {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matgrad": matgrad.__version__,
        "git": git_state(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "cpu_pressure": cpu_pressure(),
        "niceness": os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else None,
    }
    outside = matgrad_outside_checkout()
    if outside is not None:
        info["matgrad_imported_from"] = outside
    names = sorted(set(RECORDED_ENV) | {k for k in os.environ if k.startswith("MALLOC_")})
    info["env"] = {k: os.environ.get(k) for k in names}
    info["env_removed_for_this_run"] = removed_for_this_run()
    info["threadpools"] = threadpools()
    torch = torch_autograd.import_torch() if "torch" in implementations else None
    if torch is not None:
        info["torch"] = {
            "version": torch.__version__,
            "num_threads": torch.get_num_threads(),
            "blas": "MKL" if torch.backends.mkl.is_available() else "other",
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        }
    jax = jax_jit.import_jax() if "jax" in implementations else None
    if jax is not None:
        info["jax"] = {
            "version": jax.__version__,
            "jaxlib": importlib.import_module("jaxlib").__version__,
            "devices": [str(d) for d in jax.devices()],
            "x64": bool(jax.config.jax_enable_x64),
        }
    return info
