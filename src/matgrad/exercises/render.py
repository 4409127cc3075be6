"""Text generated from `matgrad.exercises.EXERCISES`: each page's `## Exercises` section and
its downloadable stub notebook (jupytext percent format, also a plain Python script).

The notebooks are committed as `docs/exercises/<page>.py` (served by the site as they are, next
to the page) and kept equal to `stub_notebook` by a test; `python -m matgrad.exercises
stubs docs/exercises` rewrites them.
"""

from __future__ import annotations

import textwrap

from . import pages
from .core import Exercise

__all__ = ["LEVELS", "PAGE_TITLES", "section", "stub_notebook", "write_stubs"]

LEVELS = {"shape": "a shape", "step": "one step", "full": "a whole backward pass"}
"""How a section names each level of exercise."""


def _ordered(page: str) -> list[Exercise]:
    exercises = pages().get(page)
    if not exercises:
        raise ValueError(f"no exercises for page {page!r}; pages with exercises: {sorted(pages())}")
    return sorted(exercises, key=lambda ex: list(LEVELS).index(ex.level))


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ", lambda line: bool(line.strip()))


def section(page: str) -> str:
    """The `## Exercises` section of a page (Markdown), from a shape question to a full backward pass.

    Each exercise: a heading with its id, the statement, the signature, a folded hint and a folded
    solution whose python block asserts `check(...).correct` and deletes every name it binds (so
    it leaks nothing into the page's later blocks).

    Returns
    -------
    str, ending with a newline.

    Raises
    ------
    ValueError
        If the page has no exercises.
    """
    parts = [
        "## Exercises\n",
        "Each exercise asks for a function; `matgrad.exercises.check` calls yours on random problems "
        "($N = 1$ included), compares it with central finite differences and answers `correct` or names the "
        "mistake (a factor of $N$, a sign, a transpose, ...), without showing the solution. "
        f'[Download them as a notebook](exercises/{page}.py){{ download="{page}-exercises.py" }} '
        "(jupytext percent format; it also runs "
        "as a script) and see the README for installing matgrad from a clone.\n",
    ]
    for i, ex in enumerate(_ordered(page), 1):
        block = (
            "```python\n"
            "from matgrad.exercises import check\n\n\n"
            f"{ex.solution}\n\n"
            f'assert check("{ex.id}", {ex.name}).correct\n'
            f"del check, {ex.name}\n"
            "```\n"
        )
        parts.append(
            f"### {i}. {ex.title} (`{ex.id}`, {LEVELS[ex.level]})\n\n"
            f"{ex.statement}\n\n"
            f"Write `{ex.signature}`, returning {ex.returns}.\n\n"
            f'??? tip "Hint"\n\n{_indent(ex.hint)}\n\n'
            f'??? example "Solution"\n\n{_indent(block)}'
        )
    return "\n".join(parts)


PAGE_TITLES = {
    "jacobian-layout": "Jacobian layout and vec",
    "trace-tricks": "Trace tricks and differentials",
    "softmax-cross-entropy": "Softmax cross-entropy",
    "logistic-loss": "Logistic loss",
    "batch-extension": "Batch extension",
    "deep-mlp": "Deep MLP (M layers)",
    "conventions": "Conventions",
    "regression": "Regression: mean squared error and least squares",
    "activations-dropout": "Activations and dropout",
    "normalisation": "Batch norm and layer norm",
    "attention": "Attention and the transformer block",
}
"""The title of each page with exercises (its first `# ` heading; a test compares them)."""


def _comment(text: str) -> str:
    lines = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(paragraph, 110, break_long_words=False, break_on_hyphens=False) or [""]
        lines += [f"# {line}".rstrip() for line in wrapped]
    return "\n".join(lines)


def _stub(ex: Exercise) -> str:
    return f'def {ex.signature}:\n    """Return {ex.returns}."""\n    raise NotImplementedError("your answer here")\n'


def stub_notebook(page: str) -> str:
    """The page's exercises as a jupytext percent notebook with stubs to fill in.

    Parameters
    ----------
    page : str, the page (without ".md"); its title is `PAGE_TITLES[page]` (default: the page name)

    Returns
    -------
    str, the notebook's text: Python that runs as it is (each check then says "not done yet").

    Raises
    ------
    ValueError
        If the page has no exercises.
    """
    cells = [
        "# %% [markdown]\n"
        + _comment(
            f"# Exercises: {PAGE_TITLES.get(page, page)}\n\n"
            "Fill in each function and run its cell: `check` calls it on random problems, compares it with "
            "finite differences and prints `correct` or the mistake it recognises. Needs matgrad (see the "
            "README: install it from a clone with `pip install -e .`)."
        )
        + "\n",
        # no newline at the end: one blank line after the imports (isort), two between the other cells
        "# %%\nimport numpy as np  # noqa: F401 (for your answers)\n\nfrom matgrad.exercises import check",
    ]
    for ex in _ordered(page):
        cells.append(
            "# %% [markdown]\n"
            + _comment(
                f"## {ex.title} (`{ex.id}`)\n\n{ex.statement}\n\nWrite `{ex.signature}`, returning {ex.returns}.\n\n"
                f"Hint: {ex.hint}"
            )
            + "\n"
        )
        cells.append(f'# %%\n{_stub(ex)}\n\nprint(check("{ex.id}", {ex.name}))\n')
    return "\n\n".join(cells)


def write_stubs(folder: str) -> list[str]:
    """Write every page's stub notebook to `<folder>/<page>.py`.

    Returns
    -------
    list of the paths written.
    """
    from pathlib import Path

    written = []
    for page in pages():
        path = Path(folder) / f"{page}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stub_notebook(page), encoding="utf-8")
        written.append(str(path))
    return written
