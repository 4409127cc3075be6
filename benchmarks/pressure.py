"""Linux pressure stall information (PSI) for the CPU: how long runnable tasks waited for one.

Both readers return None where /proc/pressure/cpu does not exist (not Linux, or PSI disabled).
"""

from __future__ import annotations

PSI_CPU = "/proc/pressure/cpu"


def cpu_stall_seconds() -> float | None:
    """Seconds, since boot, in which some runnable task waited for a CPU, or None."""
    try:
        with open(PSI_CPU) as f:
            return int(f.readline().rsplit("total=", 1)[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return None


def cpu_pressure() -> dict[str, float] | None:
    """The share (in %) of the last 10 s and 60 s in which some runnable task waited for a CPU, or None."""
    try:
        with open(PSI_CPU) as f:
            fields = dict(kv.split("=") for kv in f.readline().split()[1:])
        return {"avg10": float(fields["avg10"]), "avg60": float(fields["avg60"])}
    except (OSError, KeyError, ValueError):
        return None
