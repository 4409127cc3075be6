"""benchmarks.blas_env: OpenBLAS's overrides removed together, for the run only, and recorded."""

import json
import os
import subprocess
import sys

from benchmarks.blas_env import REMOVED_MARKER, removed_for_this_run, without_overrides
from benchmarks.paths import ROOT


def test_both_overrides_are_removed_and_recorded():
    env, removed = without_overrides({"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576", "PATH": "/bin"})
    assert removed == {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576"}
    assert env == {"PATH": "/bin", REMOVED_MARKER: json.dumps(removed)}
    assert removed_for_this_run(env) == removed


def test_nothing_set_nothing_removed():
    assert without_overrides({"PATH": "/bin"}) == ({"PATH": "/bin"}, {})
    assert removed_for_this_run({}) == {}


def test_the_command_reruns_itself_without_them(tmp_path):
    """End to end: ``python -m benchmarks`` with OPENBLAS_CORETYPE set measures without it and says so."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_CORETYPE"] = "Haswell"
    machine = tmp_path / "m.json"
    args = ["--quick", "--impl", "matgrad", "--shape", "5,2,4", "--dtype", "float64"]
    args += ["--machine-json", str(machine), "--markdown", str(tmp_path / "r.md")]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "re-running without OPENBLAS_CORETYPE=Haswell" in done.stderr
    recorded = json.loads(machine.read_text())
    assert recorded["env"]["OPENBLAS_CORETYPE"] is None
    assert recorded["env_removed_for_this_run"] == {"OPENBLAS_CORETYPE": "Haswell"}
    assert "(removed for this run: OPENBLAS_CORETYPE=Haswell)" in (tmp_path / "r.md").read_text()
