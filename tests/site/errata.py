"""Errata as tests: every correction made to a published result, with the wrong version kept as a plant.

Each :class:`Erratum` is one correction: when and where the wrong statement was published, what it
said, what is correct, and a :class:`Plant`: the wrong statement put back into the CURRENT text of
the page (or notebook) that checks it now, as exact ``old -> new`` text replacements. The check the
page runs today must fail on the planted text, in the block (or notebook cell) holding the plant,
with an ``AssertionError``; and the unplanted text must pass. tests/site/test_errata.py runs both
for every erratum; an erratum whose old text no longer occurs in its page fails there, naming the
erratum and the text, so that it can be refreshed after the page is edited.

docs/errata.md is generated from :data:`ERRATA` at build time (hooks/errata.py, :func:`markdown`):
only an erratum of this module can be listed, and every erratum of this module is tested.

The pages run as the docs harness runs them (tests/site/harness.py: its parsers, one namespace, the
blocks in order, the working directory at the repository root, warnings as errors). A notebook runs
in a fresh Python process, its code cells in order in one namespace, in an empty working directory,
with matplotlib's non-interactive backend (``MPLBACKEND=Agg``: the plots are not what is checked, and
the one warning ``plt.show()`` then gives is ignored), every other warning an error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass

from sybil import Document

from tests.site.harness import PARSERS, ROOT, run_document


@dataclass(frozen=True)
class Plant:
    """The wrong version, put back into the current text of ``target`` (relative to the repository)."""

    target: str  # "docs/<page>.md" or "derivations/<notebook>.py"
    replacements: tuple[tuple[str, str], ...]  # (old, new): each old text occurs exactly once


@dataclass(frozen=True)
class Erratum:
    id: str
    published: str  # date the wrong statement was published (YYYY-MM-DD), and its commit
    published_commit: str
    corrected: str  # date of the correction, and its commit
    corrected_commit: str
    page: str  # where the wrong statement was published, relative to docs/ (notebooks: "derivations/<name>.py")
    title: str
    wrong: str  # Markdown, in the site's notation
    correction: str  # Markdown
    plant: Plant
    plant_reads: str  # what the plant says, in words (Markdown)


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        id="float32-rounding-error",
        published="2026-11-22",
        published_commit="15e82f5",
        corrected="2026-12-01",
        corrected_commit="b2dd05e",
        page="pitfalls.md",
        title="The error of a float32 central difference",
        wrong=(
            r"With $\varepsilon = 10^{-6}$, a central difference of a function evaluated in float32 has an "
            r"error *of order $|\phi| \cdot 0.03$*: the relative rounding error of a value, about "
            r"$6\times 10^{-8}$, divided by $2\varepsilon$."
        ),
        correction=(
            r"Each of the two values differenced is rounded by up to $2^{-24}|\phi|$, so the quotient's "
            r"error is up to $2^{-24}|\phi|/\varepsilon \approx 0.06\,|\phi|$ per entry and about "
            r"$0.01\,|\phi|$ to $0.02\,|\phi|$ on average (the page's example measures it, and asserts it between "
            r"$0.005\,|\phi|$ and $0.03\,|\phi|$); and the step itself is quantised, by up to 6% for "
            r"entries between 1 and 2."
        ),
        plant=Plant(
            "docs/pitfalls.md",
            (
                (
                    r"about $0.01\,|\phi|$ to $0.02\,|\phi|$ on average",
                    r"of order $0.03\,|\phi|$ on average",
                ),
                (
                    "assert 0.005 < err_round.mean() / abs(f64(Wf)) < 0.03",
                    "assert 0.015 < err_round.mean() / abs(f64(Wf)) < 0.06",
                ),
            ),
        ),
        plant_reads=(
            r"the mean error of the rounded-value quotient is within a factor 2 of $0.03\,|\phi|$ "
            r"(between $0.015\,|\phi|$ and $0.06\,|\phi|$)"
        ),
    ),
    Erratum(
        id="logistic-derivative-range",
        published="2026-11-22",
        published_commit="bc69ee9",
        corrected="2026-12-01",
        corrected_commit="b2dd05e",
        page="logistic-loss.md",
        title="The range of the logistic loss's derivative",
        wrong=r"The derivative $\partial L/\partial \hat y_n$ lies *strictly between $-1$ and $1$*.",
        correction=(
            r"In exact arithmetic, yes; in float64, $0 \le |\partial L/\partial \hat y_n| \le 1$ and both "
            r"ends are reached: it is exactly $1$ for margins $y_n \hat y_n \le -36.74$ (where $\sigma$ "
            r"rounds to 1) and exactly $0$ for margins above $745.13$ (where $e^{u}$ underflows)."
        ),
        plant=Plant(
            "docs/logistic-loss.md",
            (
                (
                    r"$0 \le |\partial L/\partial \hat y_n| \le 1$: it is",
                    r"$-1 < \partial L/\partial \hat y_n < 1$: it is",
                ),
                (
                    "assert np.all(np.abs(d_wide) <= 1.0) and np.any(np.abs(d_wide) == 1.0)",
                    "assert np.all(np.abs(d_wide) < 1.0)",
                ),
            ),
        ),
        plant_reads=r"every $|\partial L/\partial \hat y_n|$ of 1000 float64 scores of size about 300 is below 1",
    ),
    Erratum(
        id="quadratic-trace-2bue",
        published="2026-12-01",
        published_commit="d6e3bd4",
        corrected="2026-12-01",
        corrected_commit="14aaeeb",
        page="trace-tricks.md",
        title=r"When the gradient of $\operatorname{tr}(BUEU^\top)$ is $2BUE$",
        wrong=(
            r"The gradient $B^\top U E^\top + BUE$ of $\phi(U) = \operatorname{tr}(BUEU^\top)$ is $2BUE$ "
            r"when $B$ and $E$ are both symmetric, *and only then* (in general)."
        ),
        correction=(
            r"It is $2BUE$ also when $B$ and $E$ are both antisymmetric "
            r"($B^\top U E^\top = (-B)U(-E) = BUE$); with one symmetric and one antisymmetric the "
            r"gradient is $0$."
        ),
        plant=Plant(
            "docs/trace-tricks.md",
            (
                (
                    "are both symmetric, and also when both are antisymmetric",
                    "are both symmetric (and only then, in general), not when both are antisymmetric",
                ),
                ("phi(U, Ba, Ea), U)) < 1e-7", "phi(U, Ba, Ea), U)) > 0.1"),
            ),
        ),
        plant_reads=r"for antisymmetric $B$ and $E$, $2BUE$ is not the gradient (relative error above 0.1)",
    ),
    Erratum(
        id="iris-accuracy-above-095",
        published="2026-11-22",
        published_commit="5ce59fa",
        corrected="2026-12-01",
        corrected_commit="9ec2c39",
        page="derivations/iris_two_layer.py",
        title="The iris net's test accuracy after the jump",
        wrong=(
            "Once the weights have grown, the test accuracy jumps, wobbles for a while, *then stays above "
            "0.95* (stated, not asserted)."
        ),
        correction=(
            "In the notebook's run the accuracy first touches 0.95 and then falls back below 0.9; over the "
            "last 700 of the 1500 epochs it stays at or above 0.95 (asserted)."
        ),
        plant=Plant(
            "derivations/iris_two_layer.py",
            (
                (
                    "assert test_acc[-700:].min() >= 0.95",
                    "assert test_acc[int(np.argmax(test_acc >= 0.95)) :].min() >= 0.95",
                ),
            ),
        ),
        plant_reads="from the first epoch at 0.95 on, the test accuracy stays at or above 0.95",
    ),
    Erratum(
        id="kronecker-orientation-row-x",
        published="2026-11-22",
        published_commit="034103b",
        corrected="2026-12-01",
        corrected_commit="d85e48c",
        page="derivations/formulation_cost.py",
        title=r"The orientation of the Kronecker factor for a row $x$",
        wrong=(
            r"For one example $x$, a row ($z = xW_i + b_i^\top$), the Jacobian "
            r"$\partial z/\partial \operatorname{vec} W_i$ is $I_H \otimes x^\top$, of shape $H \times DH$."
        ),
        correction=(
            r"With $x$ a row and vec column-major it is $I_H \otimes x$ ($H \times DH$); "
            r"$I_H \otimes x^\top$, with the column $x^\top$, is its $DH \times H$ transpose, the "
            r"denominator-layout factor. The [Jacobian layout](jacobian-layout.md) page checks the right "
            "one against finite differences."
        ),
        plant=Plant(
            "docs/jacobian-layout.md",
            (
                (
                    r"&= I_H\otimes x \quad (x \text{ a row, column-major vec}) && H\times DH",
                    r"&= I_H\otimes x^\top \quad (x \text{ a row, column-major vec}) && H\times DH",
                ),
                ("J_z = np.kron(np.eye(H), x[None, :])", "J_z = np.kron(np.eye(H), x[:, None])"),
            ),
        ),
        plant_reads=r"the Jacobian of $z$ by $\operatorname{vec} W_i$ is built as $I_H \otimes x^\top$ (`x[:, None]`)",
    ),
)


# --- planting -------------------------------------------------------------------------------------------


class OldTextMissing(AssertionError):
    """A plant's old text does not occur exactly once in its target: the page changed; refresh the plant."""


def current_text(plant: Plant) -> str:
    return (ROOT / plant.target).read_text(encoding="utf-8")


def missing_old_texts(errata=ERRATA) -> list[str]:
    """One line per plant replacement whose old text does not occur exactly once in its target now."""
    out = []
    for erratum in errata:
        text = current_text(erratum.plant)
        for old, _ in erratum.plant.replacements:
            if text.count(old) != 1:
                out.append(
                    f"erratum {erratum.id!r}: the old text {old!r} occurs {text.count(old)} times in "
                    f"{erratum.plant.target} (expected once): refresh it in tests/site/errata.py"
                )
    return out


def planted_text(erratum: Erratum) -> str:
    """The target's current text with the erratum's wrong version put back; OldTextMissing if it cannot be."""
    missing = missing_old_texts([erratum])
    if missing:
        raise OldTextMissing("\n".join(missing))
    text = current_text(erratum.plant)
    for old, new in erratum.plant.replacements:
        text = text.replace(old, new)
    return text


# --- running a page or a notebook -----------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The first block (page) or cell (notebook) that failed."""

    where: str  # "docs/<page>.md:<line>" or "derivations/<name>.py cell <k>"
    start: int  # character offsets of the failing block or cell in the text that ran
    end: int
    exception: str  # its type name
    message: str
    is_assertion: bool  # a check failed: an AssertionError or a subclass (matgrad's GradientCheckError)

    def holds(self, text: str, fragments) -> bool:
        """Does the failing block or cell contain one of the fragments (a plant's new texts)?"""
        return any((i := text.find(f)) >= 0 and self.start <= i < self.end for f in fragments)


def run_markdown(target: str, text: str) -> Failure | None:
    """Evaluate a page's text as the harness evaluates the page (harness.run_document); the first failure, or None."""
    document = Document(text, str(ROOT / target))
    for parser in PARSERS:
        for region in parser(document):
            document.add(region)
    failed = run_document(document, target)
    if failed is None:
        return None
    message = (str(failed.error).strip().splitlines() or [""])[0][:300]
    return Failure(failed.where, failed.start, failed.end, type(failed.error).__name__, message, failed.is_assertion)


def _cells(text: str) -> list[tuple[int, int, str]]:
    """(start, end, source) of each code cell of a percent-format notebook text."""
    import jupytext

    notebook = jupytext.reads(text, fmt="py:percent")
    out, position = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        start = text.find(cell.source, position)
        assert start >= 0, "a code cell's source is not in the notebook text"
        position = start + len(cell.source)
        out.append((start, position, cell.source))
    return out


_NOTEBOOK_RUNNER = """
import json, sys, warnings
cells = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for k, source in enumerate(cells):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", "FigureCanvasAgg is non-interactive")  # plt.show() under Agg
            exec(compile(source, f"<cell {k}>", "exec"), namespace)
    except Exception as exc:
        message = (str(exc).strip().splitlines() or [""])[0][:300]
        kind = {"exception": type(exc).__name__, "assertion": isinstance(exc, AssertionError)}
        print(json.dumps({"cell": k, **kind, "message": message}))
        break
else:
    print(json.dumps(None))
"""


def run_notebook(target: str, text: str) -> Failure | None:
    """Run a notebook's code cells in order in a fresh Python process; the first failing cell, or None."""
    cells = _cells(text)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]), "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", _NOTEBOOK_RUNNER],
            input=json.dumps([source for _, _, source in cells]),
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=600,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the notebook runner itself failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result is None:
        return None
    start, end, _ = cells[result["cell"]]
    where = f"{target} cell {result['cell']}"
    return Failure(where, start, end, result["exception"], result["message"], result["assertion"])


def run(target: str, text: str) -> Failure | None:
    """Run a page or notebook text (its kind read off the target's suffix)."""
    try:
        return run_notebook(target, text) if target.endswith(".py") else run_markdown(target, text)
    except (OldTextMissing, RuntimeError):
        raise
    except Exception:  # the runner, not the page
        raise RuntimeError(traceback.format_exc()) from None


# --- the page -------------------------------------------------------------------------------------------

PLACEHOLDER = "<!-- errata: entries -->"


def title(page: str) -> str:
    """The title of a page (its first ``# `` heading) or notebook (its first Markdown cell's ``# # ``)."""
    heading = "# # " if page.endswith(".py") else "# "
    for line in (ROOT / "docs" / page).read_text(encoding="utf-8").splitlines():
        if line.startswith(heading):
            return line.removeprefix(heading).strip()
    return page


def _link(page: str) -> str:
    return f"[{title(page)}]({page})"


def markdown(errata=ERRATA) -> str:
    """The entries of docs/errata.md, newest correction first."""
    parts = []
    for e in sorted(errata, key=lambda e: (e.corrected, e.published), reverse=True):
        target = e.plant.target.removeprefix("docs/")
        lines = [
            f"## {e.title} {{ #{e.id} }}",
            "",
            f"- **Published** {e.published} (commit `{e.published_commit}`) on {_link(e.page)}; "
            f"**corrected** {e.corrected} (commit `{e.corrected_commit}`).",
            f"- **Wrong:** {e.wrong}",
            f"- **Correct:** {e.correction}",
            f"- **Kept as a planted error** in {_link(target)} (`{e.plant.target}`): {e.plant_reads}. "
            "The current checks fail "
            "on it, in the block that holds the plant, and pass without it (`tests/site/test_errata.py`, "
            "on every test run). The plant, as the test applies it:",
            "",
            "    ```diff",
        ]
        for old, new in e.plant.replacements:
            lines += [f"    - {old}", f"    + {new}"]
        lines += ["    ```", ""]
        parts.append("\n".join(lines))
    return "\n".join(parts)
