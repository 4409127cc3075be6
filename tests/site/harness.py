"""The docs harness: how the pages are parsed, collected and run, and what the site is made of.

Every ```python block of every page in docs/ is a test. ``DOCS_SYBIL`` is the one parser: the root
``conftest.py`` collects the pages with it under pytest (each page one namespace, its blocks in
order, a failure reported as ``docs/<page>.md:<line>``), and :func:`run_pages` evaluates them with
it in this process (the planted-error test). Only fences whose info string is exactly ``python``
run; tests/site/test_docs_guards.py fails on any other Python-looking fence.

The rest reads the site's structure from mkdocs.yml and the files.
"""

from __future__ import annotations

import contextlib
import importlib.util
import traceback
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mkdocs.utils.yaml import yaml_load
from sybil import Document, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

from tests.site.symbols import SymbolCheck, SymbolsParser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "derivations"
# Not pages: third-party assets copied in by the setup, and the site's own scripts and styles.
NOT_PAGES = ("assets", "javascripts", "stylesheets")

# The page's python blocks, then its table of symbols checked against its arrays (tests/site/symbols.py).
PARSERS = [PythonCodeBlockParser(), SymbolsParser()]
DOCS_SYBIL = Sybil(parsers=PARSERS, path=str(DOCS), patterns=["*.md"])


def mkdocs_config():
    """mkdocs.yml as a dict (its !ENV tags resolved), without loading the plugins."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        return yaml_load(f)


def _flatten(nav):
    for item in nav:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from _flatten(value) if isinstance(value, list) else [value]


def nav_entries():
    """Every page the nav names, as paths relative to docs/, in nav order (external links left out)."""
    return [e for e in _flatten(mkdocs_config()["nav"]) if "://" not in e]


def markdown_pages():
    """Every Markdown page under docs/, relative to docs/, sorted."""
    return sorted(
        p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if p.relative_to(DOCS).parts[0] not in NOT_PAGES
    )


def pages_in_reading_order():
    """Every docs/*.md page as a path, in nav order, then any the nav does not name (sorted)."""
    pages = markdown_pages()
    ordered = [p for p in nav_entries() if p in pages]
    return [DOCS / p for p in ordered + sorted(set(pages) - set(ordered))]


def notebooks():
    """Every notebook (jupytext percent .py) in derivations/, as its docs/ path ("derivations/x.py")."""
    return sorted(f"derivations/{p.name}" for p in NOTEBOOKS.glob("*.py"))


def hook_module(name):
    """hooks/<name>.py imported as a fresh module (hooks/ is mkdocs' folder, not a package)."""
    spec = importlib.util.spec_from_file_location(f"hooks_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_url(src):
    """The site URL path of a page (use_directory_urls): index.md -> "", a/b.md or a/b.py -> "a/b/"."""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def executed_blocks(path):
    """The sources of the blocks that the harness executes on this page, in order."""
    document = DOCS_SYBIL.parse(Path(path))
    return [
        e.parsed if isinstance(e.parsed, str) else str(e.parsed.source)
        for e in document
        if not isinstance(e.parsed, SymbolCheck)
    ]


@dataclass(frozen=True)
class BlockFailure:
    """The first block of a page that failed: where, its character offsets, and what it raised."""

    where: str  # "docs/<page>.md:<line>"
    start: int
    end: int
    error: Exception
    trace: str  # the traceback, its last frames

    @property
    def is_assertion(self) -> bool:
        """A check failed (an assert, NumPy's testing functions, matgrad's GradientCheckError)."""
        return isinstance(self.error, AssertionError)

    def __str__(self) -> str:
        return f"{self.where}\n{self.trace}"


def run_document(document: Document, where: str) -> BlockFailure | None:
    """Evaluate a parsed page as pytest would: its blocks in order in one namespace, each under its own
    ``warnings.catch_warnings()`` with warnings as errors, at the repository root. The first failure, or None."""
    assert not DOCS_SYBIL.fixtures and not DOCS_SYBIL.teardown, "the harness has fixtures: run them here too"
    if DOCS_SYBIL.setup:
        DOCS_SYBIL.setup(document.namespace)
    with contextlib.chdir(ROOT), np.errstate():
        for example in document:
            try:
                with warnings.catch_warnings():  # a page's filter changes end with its block
                    warnings.simplefilter("error")  # as pytest's filterwarnings = ["error"]
                    example.evaluate()
            except Exception as exc:
                trace = traceback.format_exc(limit=-8)
                return BlockFailure(f"{where}:{example.line}", example.region.start, example.region.end, exc, trace)
    return None


def run_pages(paths: Iterable[Path] | None = None) -> BlockFailure | None:
    """Evaluate pages in this process (:func:`run_document`), each a fresh namespace; the first failure, or None."""
    for path in pages_in_reading_order() if paths is None else paths:
        failure = run_document(DOCS_SYBIL.parse(Path(path)), Path(path).relative_to(ROOT).as_posix())
        if failure is not None:
            return failure
    return None
