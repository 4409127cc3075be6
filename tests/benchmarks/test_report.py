"""benchmarks.report: the tables, the machine summary and the full report."""

import copy
import json

from benchmarks.paths import ROOT
from benchmarks.report import machine_summary, markdown_report, markdown_tables

COMMITTED_MACHINE = json.loads((ROOT / "benchmarks" / "machine.json").read_text())


def test_markdown_tables_have_one_row_per_case(records):
    text = markdown_tables(records)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "dtype" not in line]
    assert len(rows) == 2
    assert rows[0].startswith("| 6, 4, 5, 3 | float64 |")
    assert rows[1].startswith("| 5, 2, 4 | float32 |")
    assert "| N, D, H, C | dtype | floor (ms) | matgrad (ms) | matgrad / floor |" in text
    assert "| N, D, H | dtype | floor (ms) | matgrad (ms) | matgrad / floor |" in text


def test_machine_summary_states_kernel_environment_and_code():
    text = machine_summary(COMMITTED_MACHINE)
    assert "kernel SkylakeX" in text and "OPENBLAS_CORETYPE unset" in text
    commit = COMMITTED_MACHINE["git"]["commit"][:10]
    clean = {**COMMITTED_MACHINE, "git": {"commit": "0123456789abcdef", "src_matgrad_modified": False}}
    dirty = {**COMMITTED_MACHINE, "git": {"commit": "0123456789abcdef", "src_matgrad_modified": True}}
    assert any(line.startswith(f"- code: commit {commit}") for line in text.splitlines())
    assert "- code: commit 0123456789" in machine_summary(clean).splitlines()
    assert "- code: commit 0123456789 with uncommitted changes in src/matgrad" in machine_summary(dirty).splitlines()
    machine = copy.deepcopy(COMMITTED_MACHINE)
    machine["env"]["OPENBLAS_CORETYPE"] = None
    machine["env_removed_for_this_run"] = {"OPENBLAS_CORETYPE": "Haswell"}
    machine["env"]["MALLOC_TRIM_THRESHOLD_"] = "1000000"
    text = machine_summary(machine)
    assert "(removed for this run: OPENBLAS_CORETYPE=Haswell)" in text
    assert "- malloc: MALLOC_TRIM_THRESHOLD_=1000000" in text


def test_machine_summary_says_when_git_could_not_tell():
    machine = {**COMMITTED_MACHINE, "git": {"commit": None, "unavailable": "git not found"}}
    assert "- code: commit not recorded (git not found)" in machine_summary(machine).splitlines()


def test_machine_summary_without_threadpoolctl_says_the_kernel_is_not_reported():
    machine = {**COMMITTED_MACHINE, "threadpools": None}
    assert "BLAS not reported: threadpoolctl missing" in machine_summary(machine)


def test_report_names_the_command_that_reproduces_it(records):
    text = markdown_report(records, COMMITTED_MACHINE, "python -m benchmarks --quick")
    assert text.startswith("# matgrad benchmark results\n")
    assert markdown_tables(records) in text and "## Targets" in text and "## Machine" in text
    assert text.rstrip().endswith("Reproduce: `python -m benchmarks --quick`")
