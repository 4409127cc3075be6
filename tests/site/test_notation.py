"""One symbol, one meaning: the pages against the notation registry (docs/notation.yml).

- the registry itself is consistent (unique ids, symbols and code names; shapes made of sizes);
- every page lists only registered symbols in its ``<!-- symbols: ... -->`` marker, and every
  derivation page has exactly one;
- no derivation page writes a registered symbol with another shape (``W \\in \\mathbb R^{H\\times D}``)
  or a spelling the registry says to avoid (``\\delta`` for G), outside an "In other texts" box;
- the marker's live check (tests/site/symbols.py) fails when an array is missing or misshapen.

Each detector is also run on a planted example, so a guard that never fires is caught.
"""

from __future__ import annotations

import re

import jupytext
import numpy as np
import pytest

from hooks.notation import ALL_MARKER, load_registry, marker_ids, render, size_tex
from tests.site.harness import DOCS, ROOT, markdown_pages, nav_entries, notebooks
from tests.site.symbols import SymbolCheck, problems

REGISTRY = load_registry()
PLACEHOLDER_SIZES = {"m", "n", "p", "q"}

# Pages about the site rather than a derivation: no symbols table of their own.
NOT_DERIVATIONS = {
    "api.md",
    "benchmark.md",
    "contributing.md",
    "errata.md",
    "notation.md",
    "reliability.md",
    "results.md",
}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```|~~~).*?^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
OTHER_TEXTS = re.compile(
    r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?) \w+ "In other texts[^"]*"\n(?:(?P=indent)[ \t]+.*\n|[ \t]*\n)*', re.M
)
IN_SET = re.compile(
    r"(?<![\\\w])(?P<symbol>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*\\in\s*\\mathbb\s*\{?R\}?\^\{(?P<dims>[^{}]+)\}"
)


def prose(markdown: str) -> str:
    """The page without its code fences and its "In other texts" boxes (where other notations may appear)."""
    return OTHER_TEXTS.sub("", FENCE.sub("", markdown))


def avoided_spellings(markdown: str) -> list[str]:
    """Every avoided spelling of a registered symbol in the page's prose, with what to write instead."""
    text = prose(markdown)
    return [
        f"{match.group(0)!r} for ${s.tex}$: write {a.use}"
        for s in REGISTRY.symbols.values()
        for a in s.avoid
        for match in re.finditer(a.pattern, text)
    ]


def wrong_shapes(markdown: str) -> list[str]:
    """Every ``S \\in \\mathbb R^{a \\times b}`` of the prose whose S is registered with another shape."""
    by_tex = {s.tex: s for s in REGISTRY.symbols.values() if s.kind in ("array", "scalar") and s.shape is not None}
    out = []
    for match in IN_SET.finditer(prose(markdown)):
        symbol = by_tex.get(match.group("symbol"))
        if symbol is None:
            continue
        dims = [d.strip().replace(" ", "") for d in re.split(r"\\times", match.group("dims"))]
        expected = [size_tex(t).replace(" ", "") for t in symbol.shape or ()]
        if dims != expected and dims != [e for e in expected if e != "1"]:
            out.append(f"{match.group(0)!r}: ${symbol.tex}$ is {symbol.shape_tex()} on every page")
    return out


def unknown_ids(markdown: str) -> list[str]:
    return [i for ids in marker_ids(markdown) for i in ids if i not in REGISTRY]


# --- the registry ---------------------------------------------------------------------------------


def test_registry_ids_symbols_and_code_names_are_unique():
    entries = [*REGISTRY.sizes.values(), *REGISTRY.symbols.values()]
    for field in ("id", "tex"):
        values = [getattr(s, field) for s in entries]
        assert len(values) == len(set(values)), f"repeated {field}: {sorted(v for v in values if values.count(v) > 1)}"
    codes = [s.code for s in entries if s.code and s.kind != "operator"]
    assert len(codes) == len(set(codes)), f"one code name, one symbol: {sorted(c for c in codes if codes.count(c) > 1)}"


def test_registry_shapes_are_made_of_sizes():
    indexed = {f"{base}-1" for base in REGISTRY.sizes if "_" in base}
    allowed = set(REGISTRY.sizes) | indexed | PLACEHOLDER_SIZES | {"1"}
    for s in REGISTRY.symbols.values():
        bad = [t for t in s.shape or () if t not in allowed]
        assert not bad, f"{s.id}: shape tokens {bad} are not sizes of the registry"
        assert (s.shape is None) == (s.kind in ("operator", "placeholder")), f"{s.id}: a {s.kind} with shape {s.shape}"


def test_registry_avoid_patterns_compile_and_say_what_to_use():
    for s in REGISTRY.symbols.values():
        for a in s.avoid:
            re.compile(a.pattern)
            assert a.use.strip(), f"{s.id}: avoid {a.pattern!r} says nothing about what to write instead"


# --- the pages ------------------------------------------------------------------------------------


def test_notation_page_is_in_the_nav_and_shows_the_whole_registry():
    assert "notation.md" in nav_entries()
    assert ALL_MARKER in (DOCS / "notation.md").read_text(encoding="utf-8")


def test_the_pages_exempt_from_a_symbols_table_are_real_pages():
    assert set(markdown_pages()) >= NOT_DERIVATIONS


@pytest.mark.parametrize("page", markdown_pages())
def test_page_lists_only_registered_symbols(page):
    assert not unknown_ids((DOCS / page).read_text(encoding="utf-8")), "add them to docs/notation.yml first"


DERIVATION_PAGES = sorted(set(markdown_pages()) - NOT_DERIVATIONS)


@pytest.mark.parametrize("page", DERIVATION_PAGES)
def test_derivation_page_has_one_table_and_the_registry_notation(page):
    markdown = (DOCS / page).read_text(encoding="utf-8")
    assert len(marker_ids(markdown)) == 1, "a derivation page lists its symbols once: <!-- symbols: ... -->"
    assert not avoided_spellings(markdown)
    assert not wrong_shapes(markdown)


# --- the detectors fire on planted examples -------------------------------------------------------

PLANTED = r"""
The upstream gradient $\delta = \partial L/\partial Z$ and $W \in \mathbb R^{H \times D}$.
Fine: $W \in \mathbb R^{D\times H}$, $X\in\mathbb R^{N \times D}$, $x \in \mathbb R^{D}$,
and $U \in \mathbb R^{m\times n}$.

```python
delta = r"\delta in code is not prose"
```

??? note "In other texts"

    Many texts write $\delta$ for $G$ and $W \in \mathbb R^{H\times D}$.

<!-- symbols: X W G nonsense -->
"""


def test_detectors_fire_on_planted_mistakes_only():
    assert avoided_spellings(PLANTED) == [r"'\\delta' for $G$: write G, or g for one row"]
    assert [w.split(":")[0] for w in wrong_shapes(PLANTED)] == [r"'W \\in \\mathbb R^{H \\times D}'"]
    assert unknown_ids(PLANTED) == ["nonsense"]
    assert "| $G$ | $\\partial L/\\partial Z$" in render(PLANTED.replace(" nonsense", ""), REGISTRY)


def test_live_check_fails_for_missing_or_misshapen_arrays():
    check = SymbolCheck(("X", "W", "G", "L"), line=1)
    N, D, H = 4, 3, 2
    good = {"N": N, "D": D, "H": H, "X": np.zeros((N, D)), "W": np.zeros((D, H)), "dZ": np.zeros((N, H)), "loss": 0.5}
    assert problems(check, good, REGISTRY) == []
    transposed = {**good, "W": np.zeros((H, D))}
    assert [p.split(" ")[0] for p in problems(check, transposed, REGISTRY)] == ["`W`"]
    missing = {k: v for k, v in good.items() if k != "dZ"}
    assert "never defines `dZ`" in problems(check, missing, REGISTRY)[0]
    no_size = {k: v for k, v in good.items() if k != "H"}
    assert "must define H" in problems(check, no_size, REGISTRY)[0]
    row = SymbolCheck(("x",), line=1)
    assert problems(row, {"D": 3, "x": np.zeros(3)}, REGISTRY) == []  # a row held as a vector
    assert problems(row, {"D": 3, "x": np.zeros((1, 3))}, REGISTRY) == []
    assert problems(row, {"D": 3, "x": np.zeros((3, 1))}, REGISTRY) != []  # a column is not a row


@pytest.mark.parametrize("notebook", notebooks())
def test_notebook_text_uses_the_registry_notation(notebook):
    cells = jupytext.read(ROOT / notebook).cells
    text = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert not avoided_spellings(text)
    assert not wrong_shapes(text)
