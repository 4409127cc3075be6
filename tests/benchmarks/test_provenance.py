"""benchmarks.provenance: the checkout's commit, or why there is none (git is optional)."""

import re
import shutil

import pytest

from benchmarks import provenance
from benchmarks.paths import ROOT


def test_without_git_the_record_says_so(monkeypatch):
    monkeypatch.setattr(provenance.shutil, "which", lambda name: None)
    assert provenance.git_state() == {"commit": None, "unavailable": "git not found"}
    assert provenance.describe(provenance.git_state()) == "- code: commit not recorded (git not found)"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_outside_a_checkout_the_record_says_why(tmp_path):
    state = provenance.git_state(tmp_path)
    assert state["commit"] is None and state["unavailable"].startswith("git rev-parse failed: ")


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_in_this_checkout_the_commit_is_recorded():
    state = provenance.git_state()
    assert re.fullmatch("[0-9a-f]{40}", state["commit"])
    assert isinstance(state["src_matgrad_modified"], bool) and isinstance(state["benchmarks_modified"], bool)


def test_describe_names_what_is_modified():
    sha = "0123456789" * 4
    assert provenance.describe({"commit": sha, "src_matgrad_modified": False}) == "- code: commit 0123456789"
    both = {"commit": sha, "src_matgrad_modified": True, "benchmarks_modified": True}
    assert provenance.describe(both) == (
        "- code: commit 0123456789 with uncommitted changes in src/matgrad and the harness (benchmarks/*.py)"
    )
    assert provenance.describe(None) is None
