"""Which code was measured: the checkout's git commit and whether the measured code differs from it.

git is optional: without it (or outside a git checkout) the record says why there is no commit.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from .paths import ROOT

# The code whose uncommitted changes the record flags: key -> (as the report names it, git pathspec).
# The harness's own code only: its committed results change with every --save.
WATCHED = {
    "src_matgrad_modified": ("src/matgrad", "src/matgrad"),
    "benchmarks_modified": ("the harness (benchmarks/*.py)", ":(glob)benchmarks/**/*.py"),
}


def git_state(root: Path = ROOT, timeout: float = 10.0) -> dict[str, Any]:
    """The checkout's HEAD and its uncommitted changes, or why git could not tell.

    Returns ``{"commit": "<40 hex>", "src_matgrad_modified": bool, "benchmarks_modified": bool}``,
    or ``{"commit": None, "unavailable": "<reason>"}`` when git is missing, ``root`` is not a git
    checkout, or git fails or hangs.
    """
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "unavailable": "git not found"}

    def run(*args: str) -> str:
        done = subprocess.run([git, *args], cwd=root, capture_output=True, text=True, timeout=timeout, check=True)
        return done.stdout.strip()

    try:
        state: dict[str, Any] = {"commit": run("rev-parse", "--verify", "HEAD")}
        for key, (_, pathspec) in WATCHED.items():
            state[key] = bool(run("status", "--porcelain", "--", pathspec))
    except subprocess.CalledProcessError as e:
        reason = (e.stderr or "").strip().splitlines()
        return {"commit": None, "unavailable": f"git {e.cmd[1]} failed: {reason[0] if reason else e.returncode}"}
    except subprocess.TimeoutExpired:
        return {"commit": None, "unavailable": f"git did not answer within {timeout:g} s"}
    except OSError as e:
        return {"commit": None, "unavailable": f"git could not run: {e}"}
    return state


def describe(git: dict[str, Any] | None) -> str | None:
    """One Markdown line for the record's git state (None for records made before it was kept)."""
    if not git:
        return None
    if git.get("commit") is None:
        return f"- code: commit not recorded ({git.get('unavailable', 'unknown reason')})"
    changed = [label for key, (label, _) in WATCHED.items() if git.get(key)]
    return f"- code: commit {git['commit'][:10]}" + (
        f" with uncommitted changes in {' and '.join(changed)}" if changed else ""
    )
