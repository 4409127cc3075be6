"""Figures drawn at build time from the page's own arrays (hooks/figure_drawings.py draws them).

A page asks for a figure with a marker line ``<!-- figure: vec-order -->`` where the figure goes.
The build runs the page's python blocks that come before the marker (in order, in a fresh
namespace, warnings as errors, as the tests run them), hands the namespace to the figure's function
(:data:`FIGURES`), and puts the result in place of the marker: an inline SVG (lines and text in the
page's text colour, so it reads in light and dark mode; its alt text as ``aria-label`` and
``<title>``) in a ``<figure>`` with its caption and a link to the same SVG as a file
(``figures/<name>.svg`` in the built site). A marker naming no figure, a figure on another page than
its own, or a page whose blocks raise is an error, so the strict build fails.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.figures")

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- figure: (?P<name>[a-z0-9]+(?:-[a-z0-9]+)*) -->[ \t]*$", re.M)
COMMENT = re.compile(r"<!-- figure: (?P<name>[a-z0-9]+(?:-[a-z0-9]+)*) -->")


def _drawings():
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    from hooks import figure_drawings

    return figure_drawings


def figures() -> dict[str, tuple[str, Callable[[dict[str, Any]], Any]]]:
    """Each figure's page and how it is made from that page's namespace."""
    d = _drawings()
    return {
        "shape-boxes": ("batch-extension.md", lambda ns: d.shape_boxes(ns["X"], ns["W"], ns["dZ"])),
        "outer-products": ("batch-extension.md", lambda ns: d.outer_products(ns["X"], ns["dZ"])),
        "two-layer-graph": (
            "softmax-cross-entropy.md",
            lambda ns: d.computational_graph(ns["N"], ns["D"], ns["H"], ns["C"]),
        ),
        "vec-order": ("jacobian-layout.md", lambda ns: d.vec_order(3, 4)),
        "kron-sparsity": ("jacobian-layout.md", lambda ns: d.kron_sparsity(ns["X"], ns["H"])),
        "norm-axes": ("normalisation.md", lambda ns: d.normalisation_axes(*ns["X"].shape)),
        "causal-scores": ("attention.md", lambda ns: d.causal_scores(ns["Pi_c"])),
    }


def page_namespace(markdown: str, upto: int, name: str = "page") -> dict[str, Any]:
    """The namespace after running the page's python blocks that open before line ``upto`` (1-based)."""
    from hooks.results import parse

    ns: dict[str, Any] = {"__name__": "__figure__"}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for block in parse(markdown).blocks:
                if block.line < upto:
                    exec(compile(block.source, f"{name}:{block.line}", "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns


def page_figures(markdown: str, src: str) -> tuple[dict[str, Any], list[str]]:
    """The figures a page's markers ask for, made from its namespace, and the problems found."""
    table = figures()
    made, problems = {}, []
    for m in MARKER.finditer(markdown):
        name = m["name"]
        if name not in table:
            problems.append(f"{src}: no figure named {name!r} (hooks/figures.py)")
            continue
        page, make = table[name]
        if page != src:
            problems.append(f"{src}: figure {name!r} is made from the arrays of {page}, not of this page")
            continue
        line = markdown.count("\n", 0, m.start()) + 1
        try:
            made[name] = make(page_namespace(markdown, line, src))
        except Exception as err:
            problems.append(f"{src}: figure {name!r} failed: {type(err).__name__}: {err}")
    return made, problems


def figure_html(figure: Any, url: str) -> str:
    """The ``<figure>``: the inline SVG, its caption, a link to the file (``url``, relative)."""
    return (
        f'<figure class="matgrad-figure" id="figure-{figure.name}">'
        f'<div class="matgrad-figure__drawing" data-search-exclude>{figure.svg}</div>'
        f'<figcaption>{figure.caption} <a href="{url}">Open the figure on its own</a>.</figcaption></figure>'
    )


_made: dict[str, dict[str, Any]] = {}  # page src -> name -> Figure, for this build


def on_pre_build(config):
    _made.clear()


def on_page_markdown(markdown, page, config, files):
    made, problems = page_figures(markdown, page.file.src_uri)
    for problem in problems:
        log.warning(problem)
    _made[page.file.src_uri] = made
    return markdown


def on_page_content(html_text, page, config, files):
    made = _made.get(page.file.src_uri, {})

    def replace(m: re.Match) -> str:
        figure = made.get(m["name"])
        if figure is None:
            return m[0]  # reported in on_page_markdown
        here = posixpath.dirname(page.url.rstrip("/") + "/x") if page.url else "."
        url = posixpath.relpath(f"figures/{figure.name}.svg", here or ".")
        return figure_html(figure, url)

    return COMMENT.sub(replace, html_text)


def on_post_build(config):
    out = Path(config["site_dir"]) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for made in _made.values():
        for figure in made.values():
            (out / f"{figure.name}.svg").write_text(figure.svg, encoding="utf-8")
