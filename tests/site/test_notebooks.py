"""Run every notebook in derivations/ as a script: fast, and without building the site.

A jupytext percent-format notebook is a valid Python file, so each one runs in its own
interpreter (a fresh process: no state shared between notebooks) with the non-interactive Agg
backend. The site build executes the same files in a Jupyter kernel, with plots.
"""

import os
import subprocess
import sys

import jupytext
import pytest

from tests.site.harness import NOTEBOOKS

PATHS = sorted(NOTEBOOKS.glob("*.py"))

# Runs one notebook file as a script, with the one name a notebook has that a script lacks.
RUNNER = """
import builtins, runpy, sys
from IPython.display import display
builtins.display = display  # as in a notebook
runpy.run_path(sys.argv[1], run_name="__main__")
"""


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
def test_notebook_runs(path, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    # Warnings are errors, as in the rest of the suite; plt.show() under Agg is the one exception.
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-W",
            "ignore:FigureCanvasAgg is non-interactive:UserWarning",
            "-c",
            RUNNER,
            str(path),
        ],
        cwd=tmp_path,  # a notebook must not depend on the working directory or litter it
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{path.name} failed:\n{result.stderr[-4000:]}"
