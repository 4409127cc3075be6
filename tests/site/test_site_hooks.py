"""hooks/notebook_cache.py: each notebook executes once per state of its inputs, never from a stale entry.

Most tests use a small project in a temporary folder (its own src/, lock files, one notebook and an
mkdocs.yml that loads the real hook), so they change inputs freely. The fast ones replace the
kernel by a counting stand-in; the others run real kernels and real `mkdocs build`s.
"""

import json
import logging
import os
import re
import subprocess
import sys
import time
from types import SimpleNamespace

import jupytext
import nbclient.exceptions
import pytest

from tests.site.harness import ROOT, hook_module

CACHE = hook_module("notebook_cache")

NOTEBOOK = """\
# %% [markdown]
# # A notebook
#
# Some math, $x^2$.

# %%
import matplotlib.pyplot as plt
from pkg import VALUE

print("value", VALUE)

# %%
plt.plot([0, 1], [VALUE, 2])
plt.show()
"""

MKDOCS_YML = """\
site_name: project
strict: true
{hooks}
plugins:
  - mkdocs-jupyter:
      include: ["*.py"]
      execute: true
      allow_errors: false
      kernel_name: python3
      custom_mathjax_url: "data:text/javascript,"
"""


def _write_project(root, notebook=NOTEBOOK, value=1):
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "src" / "pkg" / "__init__.py").write_text(f"VALUE = {value}\n")
    for name in CACHE.LOCK_FILES:
        (root / name).write_text(f"{name} pinned\n")
    (root / "docs" / "index.md").write_text("# Home\n")
    (root / "docs" / "nb.py").write_text(notebook)
    hook = f"hooks:\n  - {ROOT / 'hooks' / 'notebook_cache.py'}"
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=hook))
    return root / "docs" / "nb.py"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("MATGRAD_NOTEBOOK_CACHE", raising=False)
    root = tmp_path / "project"
    root.mkdir()
    return root, _write_project(root)


@pytest.fixture
def counted(monkeypatch):
    """The kernel replaced by a stand-in that records each execution (and runs nothing)."""
    calls = []

    def execute(path, root=None):
        calls.append(path.read_text())
        return jupytext.read(path)

    monkeypatch.setattr(CACHE, "execute", execute)
    return calls


def _stdout(notebook):
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def _edit(path, text):
    path.write_text(path.read_text() + text)


# --- the key ---------------------------------------------------------------------------------


def _each_edit_changes_the_key(paths, notebook, root):
    """Editing any one of ``paths`` changes the notebook's key; restoring it restores the key."""
    before = CACHE.notebook_key(notebook, root)
    for path in paths:
        text = path.read_text()
        _edit(path, "\n# changed\n")
        assert CACHE.notebook_key(notebook, root) != before, f"a change to {path.name} keeps the key"
        path.write_text(text)
        assert CACHE.notebook_key(notebook, root) == before


def test_the_key_covers_the_notebook_src_and_the_lock_files(project):
    root, notebook = project
    before = CACHE.notebook_key(notebook, root)
    inputs = [notebook, root / "src" / "pkg" / "__init__.py", *(root / name for name in CACHE.LOCK_FILES)]
    _each_edit_changes_the_key(inputs, notebook, root)
    (root / "src" / "pkg" / "data.csv").write_text("1,2\n")  # a new data file is an input too
    assert CACHE.notebook_key(notebook, root) != before
    (root / "src" / "pkg" / "data.csv").unlink()
    (root / "src" / "pkg" / "__pycache__").mkdir()
    (root / "src" / "pkg" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")  # not an input
    assert CACHE.notebook_key(notebook, root) == before


def test_the_key_covers_both_hook_files(project, monkeypatch):
    """How notebooks are executed and stored (hooks/notebook_cache.py, hooks/cache.py) is in every key."""
    root, notebook = project
    assert sorted(p.name for p in CACHE.HOOK_FILES) == ["cache.py", "notebook_cache.py"]
    assert all(p.is_file() for p in CACHE.HOOK_FILES)
    (root / "hooks").mkdir()
    copies = []
    for path in CACHE.HOOK_FILES:  # copies to edit, in place of the real files
        copies.append(root / "hooks" / path.name)
        copies[-1].write_bytes(path.read_bytes())
    monkeypatch.setattr(CACHE, "HOOK_FILES", tuple(copies))
    _each_edit_changes_the_key(copies, notebook, root)


def test_an_execution_is_reused_until_an_input_changes(project, counted):
    root, notebook = project
    assert CACHE.executed(notebook, root)[2] is True
    assert CACHE.executed(notebook, root)[2] is False and len(counted) == 1  # nothing changed: reused

    _edit(notebook, "print('a new cell')\n")
    run, _, ran = CACHE.executed(notebook, root)
    assert ran and "a new cell" in run.cells[-1].source and len(counted) == 2

    for path in [root / "src" / "pkg" / "__init__.py", *(root / name for name in CACHE.LOCK_FILES)]:
        _edit(path, "\n# changed\n")
        assert CACHE.executed(notebook, root)[2] is True, f"{path.name} changed, the stale execution was reused"
    assert len(counted) == 2 + 1 + len(CACHE.LOCK_FILES)
    stored = sorted(p.name for p in CACHE.cache_dir(root).glob("nb-*.ipynb"))
    assert len(stored) == CACHE.KEEP, f"older states are evicted: {stored}"


def test_eviction_keeps_other_notebooks(project, counted):
    """Old states of nb.py are evicted, never the entries of nb-extra.py (whose name starts alike)."""
    root, notebook = project
    other = root / "docs" / "nb-extra.py"
    other.write_text(notebook.read_text())
    CACHE.executed(other, root)
    for i in range(CACHE.KEEP + 2):
        _edit(notebook, f"print({i})\n")
        CACHE.executed(notebook, root)
    assert CACHE.executed(other, root)[2] is False, "the entry of nb-extra.py was evicted"
    assert len([p for p in CACHE.cache_dir(root).glob("nb-*.ipynb") if "extra" not in p.name]) == CACHE.KEEP


def test_an_interrupted_write_leaves_no_entry(project, counted, monkeypatch):
    """A build killed while storing leaves nothing under the entry's name (write, then rename)."""
    root, notebook = project
    real_fdopen = os.fdopen

    class Killed(BaseException):
        pass

    def half_then_killed(fd, *args, **kwargs):
        f = real_fdopen(fd, *args, **kwargs)
        f.write = lambda text, _write=f.write: (_write(text[: len(text) // 2]), f.flush(), _raise(Killed()))
        return f

    def _raise(error):
        raise error

    monkeypatch.setattr(os, "fdopen", half_then_killed)
    with pytest.raises(Killed):
        CACHE.executed(notebook, root)
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    assert [p.name for p in CACHE.cache_dir(root).iterdir()] == ["nb.lock"], "a partial entry is left"
    assert CACHE.executed(notebook, root)[2] is True  # the next run executes, and stores it whole
    assert CACHE.executed(notebook, root)[2] is False


CONCURRENT_CALLER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.site.harness import hook_module
cache = hook_module("notebook_cache")
import jupytext
project, log, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

def execute(path, root=None):  # stands in for the kernel: records itself, waits for the test's go
    with log.open("a") as f:
        f.write("executing\\n")
    while not go.exists():
        time.sleep(0.01)
    return jupytext.read(path)

cache.execute = execute
notebook, key, ran = cache.executed(project / "docs" / "nb.py", project)
print("ran" if ran else "reused", key)
"""


def _waiters_on(lock):
    """Processes blocked in flock() on this file, from /proc/locks (lines with '->')."""
    inode = os.stat(lock).st_ino
    with open("/proc/locks") as f:
        lines = f.read().splitlines()
    return [line for line in lines if "->" in line and line.split()[-3].endswith(f":{inode}")]


def _wait_for(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_concurrent_callers_execute_once(project, tmp_path):
    """Two processes (as two xdist workers) want the same notebook: one executes, the other waits
    on the lock and reuses what the first stored."""
    root, _ = project
    log, go = tmp_path / "log", tmp_path / "go"
    script = CONCURRENT_CALLER.format(root=str(ROOT))
    command = [sys.executable, "-c", script, str(root), str(log), str(go)]
    callers = []
    try:
        callers.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        _wait_for(lambda: log.exists(), "the first caller to start executing")
        callers.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        _wait_for(lambda: _waiters_on(CACHE.cache_dir(root) / "nb.lock"), "the second caller to wait on the lock")
    finally:
        go.touch()  # whatever happened, the callers finish and are reaped
        outputs = [caller.communicate(timeout=60)[0].split() for caller in callers]
    assert [caller.returncode for caller in callers] == [0, 0]
    assert log.read_text() == "executing\n", "the notebook was executed twice"
    assert outputs[0][0] == "ran" and outputs[1][0] == "reused" and outputs[0][1] == outputs[1][1]


def test_the_hook_turns_the_plugins_own_cache_off(tmp_path):
    plugin = SimpleNamespace(config={"cache": True})
    config = SimpleNamespace(plugins={"mkdocs-jupyter": plugin}, config_file_path=str(tmp_path / "mkdocs.yml"))
    hook = hook_module("notebook_cache")
    hook.on_config(config)
    assert plugin.config["cache"] is False  # it keys on the notebook text only (serve and build alike)


# --- real kernels ----------------------------------------------------------------------------


def test_a_warning_fails_the_notebook_and_nothing_is_stored(project):
    root, notebook = project
    notebook.write_text("# %%\nimport warnings\n\nwarnings.warn('planted warning')\n")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="planted warning"):
        CACHE.executed(notebook, root)
    assert not list(CACHE.cache_dir(root).glob("*.ipynb"))


def _build(root):
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "MATGRAD_NOTEBOOK_CACHE")}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _build_here(root):
    """The same build in this process (mkdocs is imported already: a second or so less than a
    `mkdocs build`); its log is in caplog."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def _without_cell_ids(html):
    return re.sub(r'id="cell-id=[0-9a-f-]+"', 'id="cell-id=?"', html)  # jupytext draws new ids each read


def test_cold_and_warm_builds_and_a_library_change(project, monkeypatch, caplog):
    """A cold build executes (in a kernel that imports the project's own src/), a warm one reuses;
    the HTML is what mkdocs-jupyter renders when it executes the notebook itself; a change to the
    library executes the notebook again, with the plots kept even where MPLBACKEND=Agg is set."""
    root, notebook = project
    cold = _build(root)
    assert cold.returncode == 0, cold.stderr[-3000:]
    assert "nb.py: executed" in cold.stderr
    page = (root / "site" / "nb" / "index.html").read_text()
    assert "value 1" in page and "data:image/png" in page

    entries = {p.name: p.read_bytes() for p in CACHE.cache_dir(root).iterdir()}
    (root / "site" / "nb" / "index.html").unlink()
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        _build_here(root)
    assert "nb.py: reused the execution stored" in caplog.text and "nb.py: executed" not in caplog.text
    assert {p.name: p.read_bytes() for p in CACHE.cache_dir(root).iterdir()} == entries, "the cache was rewritten"
    assert (root / "site" / "nb" / "index.html").read_text() == page

    # What mkdocs-jupyter renders when it executes the notebook itself, with the same settings.
    from mkdocs.utils.yaml import yaml_load
    from mkdocs_jupyter import nbconvert2
    from mkdocs_jupyter.plugin import Plugin

    plugin = Plugin()
    with open(root / "mkdocs.yml") as f:
        errors, warnings = plugin.load_config(yaml_load(f)["plugins"][0]["mkdocs-jupyter"])
    assert not errors and not warnings
    monkeypatch.setenv("PYTHONPATH", str(root / "src"))  # the kernel imports the project's pkg
    monkeypatch.delenv("MPLBACKEND", raising=False)
    options = CACHE.render_options(plugin.config)
    arguments = ["kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt"]
    arguments += ["remove_tag_config", "highlight_extra_classes", "include_requirejs", "custom_mathjax_url"]
    itself = nbconvert2.nb2html(str(notebook), execute=True, **{k: options[k] for k in arguments})
    (stored,) = [json.loads(p.read_text())["content"] for p in CACHE.cache_dir(root).glob("nb-*.json")]
    assert _without_cell_ids(stored) == _without_cell_ids(itself), "the hook renders differently from the plugin"

    (root / "src" / "pkg" / "__init__.py").write_text("VALUE = 2\n")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel must not inherit it
    monkeypatch.delenv("PYTHONPATH")  # the kernel finds pkg through the hook alone
    again, _, ran = CACHE.executed(notebook, root)
    assert ran and _stdout(again) == "value 2\n"
    outputs = [o for c in again.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot was dropped"


def test_a_failing_notebook_fails_the_build(project):
    root, notebook = project
    notebook.write_text("# %% [markdown]\n# # Fails\n\n# %%\nraise ValueError('planted failure')\n")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="planted failure"):
        _build_here(root)  # `mkdocs build` exits with 1 on it
    # Nothing stored: the next run executes it again (and fails again).
    assert not list(CACHE.cache_dir(root).glob("*.ipynb")) and not list(CACHE.cache_dir(root).glob("*.json"))
    assert not (root / "site" / "nb" / "index.html").exists()


SEARCH_TEXT = hook_module("search_text")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\frac{\partial L}{\partial W} = X^\top G", "∂L/∂W = Xᵀ G"),
        (r"\frac1N", "1/N"),
        (r"\operatorname{diag}(p) - p^\top p", "diag(p) - pᵀ p"),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "a = b c = d"),
        (r"\tfrac12\big(1 + \tanh\kappa(t)\big)", "1/2(1 + tanh κ(t))"),
        (r"\log\lvert\det U\rvert", "log |det U|"),
    ],
)
def test_search_text_reads_formulas_as_text(tex, text):
    assert SEARCH_TEXT.tex_to_text(tex) == text


def test_search_text_cleans_an_index_entry():
    entry = r"<p>mean or sum? \(\lambda\) or \(\lambda/2\)?</p> <p>\[G = \frac{P - Y}{N}\]</p>"
    assert SEARCH_TEXT.clean(entry) == "<p>mean or sum? λ or λ/2?</p> <p>G = (P - Y)/N</p>"
    assert SEARCH_TEXT.clean("Anatomy of a gradient check¶") == "Anatomy of a gradient check"
    assert SEARCH_TEXT.clean(r"a notebook's $\gamma$ and $$\frac1N$$") == "a notebook's γ and 1/N"
    assert (
        SEARCH_TEXT.clean(r"<code>W \in \mathbb R</code> costs $5 and $6")
        == r"<code>W \in \mathbb R</code> costs $5 and $6"
    )
