"""Where the committed record lives, and the command that writes it."""

from __future__ import annotations

from pathlib import Path

# The checkout that holds this package (and, beside it, src/matgrad and docs/).
ROOT = Path(__file__).resolve().parent.parent
COMMAND = "python -m benchmarks --save"
# The committed record, relative to a checkout: what ``--save`` writes.
SAVE_PATHS = {
    "json": "benchmarks/results.json",
    "machine_json": "benchmarks/machine.json",
    "markdown": "benchmarks/results.md",
    "plot": "docs/assets/benchmark.svg",
    "page": "docs/benchmark.md",
}


def save_paths(root: Path = ROOT) -> dict[str, Path]:
    """The committed record's files under ``root`` (by default this checkout), keyed as SAVE_PATHS."""
    return {key: Path(root) / rel for key, rel in SAVE_PATHS.items()}
