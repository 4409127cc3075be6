"""Execute every notebook in derivations/ in a Jupyter kernel, once per state of the code.

hooks/notebook_cache.py does the executing, for this test and for every site build alike: the
venv's python3 kernel (nbclient, as mkdocs-jupyter), inline plots, an empty temporary working
directory, errors fatal and every warning a cell raises an error. It stores the executed notebook
in .cache/notebooks/ under a key made of the notebook's text, everything under src/ and the lock
files; the strict build then renders that same execution instead of running the notebook again.
With nothing changed since the last run, this test reads the stored execution; with anything
changed (the notebook, the library, a pinned version), the key changes and it executes again.
"""

import jupytext
import pytest

from tests.site.harness import NOTEBOOKS, hook_module

PATHS = sorted(NOTEBOOKS.glob("*.py"))
CACHE = hook_module("notebook_cache")


def test_there_are_notebooks():
    assert PATHS, "derivations/ has no notebook"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_a_titled_percent_notebook(path):
    notebook = jupytext.read(path)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert "markdown" in kinds and "code" in kinds, f"{path.name}: needs Markdown and code cells"
    first_markdown = next(cell for cell in notebook.cells if cell.cell_type == "markdown")
    assert first_markdown.source.startswith("# "), (
        f"{path.name}: the first Markdown cell must start with '# Title' (the page title)"
    )
    assert "matplotlib.use(" not in path.read_text(encoding="utf-8"), (
        f"{path.name}: do not select a matplotlib backend; Agg removes the plots from the page"
    )


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs(path):
    # Raises nbclient's CellExecutionError (cell, traceback) if a cell raises or warns.
    notebook, key, ran = CACHE.executed(path)
    print(f"{path.name}: {'executed' if ran else 'reused the execution stored'} under key {key}")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    sources = [cell.source for cell in jupytext.read(path).cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == sources, f"{path.name}: the execution is of another version of it"
    unexecuted = [cell.source[:60] for cell in code if cell.source.strip() and cell.execution_count is None]
    assert not unexecuted, f"{path.name}: cells without an execution: {unexecuted}"
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: an error output"
    assert any("image/png" in o.get("data", {}) for o in outputs), (
        f"{path.name}: no plot in the outputs (a non-interactive backend removes them)"
    )
