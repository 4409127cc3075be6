"""The notation registry (docs/notation.yml) and the symbol tables rendered from it.

One registry, three readers:

- this mkdocs hook renders ``<!-- symbols: X W b -->`` on a page as that page's table of symbols
  (symbol, meaning, shape, name in code) and ``<!-- notation: all -->`` as the full table of
  docs/notation.md, so no table on the site can disagree with the registry;
- the docs harness (tests/site/harness.py) checks, after a page's blocks have run, that each array
  the page lists exists under its code name with the registered shape;
- tests/site/test_notation.py fails on a page that lists an unknown symbol, writes a registered
  symbol with another shape, or uses a spelling the registry says to avoid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "docs" / "notation.yml"
MARKER = re.compile(r"^<!-- symbols: (?P<ids>[^>]*?) -->[ \t]*$", re.M)
ALL_MARKER = "<!-- notation: all -->"


@dataclass(frozen=True)
class Avoid:
    """A spelling of a registered quantity that the site does not use, and what to write instead."""

    pattern: str
    use: str


@dataclass(frozen=True)
class Symbol:
    """One registry entry. ``shape`` lists size ids ("N", "H_l-1", ...); () is a scalar, None no shape."""

    id: str
    tex: str
    meaning: str
    kind: str
    code: str | None
    shape: tuple[str, ...] | None = None
    avoid: tuple[Avoid, ...] = field(default=())

    def shape_tex(self) -> str:
        """The shape as the tables print it: ``N \\times D``, ``H`` (a vector), ``scalar``."""
        if self.shape is None:
            return ""
        if not self.shape:
            return "scalar"
        return " \\times ".join(size_tex(s) for s in self.shape)


@dataclass(frozen=True)
class Registry:
    sizes: dict[str, Symbol]
    symbols: dict[str, Symbol]

    def __getitem__(self, id: str) -> Symbol:
        return self.symbols[id] if id in self.symbols else self.sizes[id]

    def __contains__(self, id: object) -> bool:
        return id in self.symbols or id in self.sizes


def size_tex(token: str) -> str:
    """A shape token in TeX: ``H_l-1`` -> ``H_{l-1}``, ``1`` -> ``1``."""
    base, _, index = token.partition("_")
    return f"{base}_{{{index}}}" if len(index) > 1 else token


def _symbol(entry: dict, kind: str | None = None) -> Symbol:
    shape = entry.get("shape")
    return Symbol(
        id=str(entry["id"]),
        tex=str(entry["tex"]),
        meaning=str(entry["meaning"]),
        kind=kind or str(entry["kind"]),
        code=None if entry.get("code") is None else str(entry["code"]),
        shape=None if shape is None else tuple(str(s) for s in shape),
        avoid=tuple(Avoid(str(a["pattern"]), str(a["use"])) for a in entry.get("avoid", ())),
    )


@cache
def load_registry(path: Path = REGISTRY) -> Registry:
    """The registry, parsed (sizes and symbols keyed by id, in file order)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sizes = {s.id: s for s in (_symbol(e, "size") for e in data["sizes"])}
    symbols = {s.id: s for s in (_symbol(e) for e in data["symbols"])}
    return Registry(sizes, symbols)


def marker_ids(markdown: str) -> list[list[str]]:
    """The ids of every ``<!-- symbols: ... -->`` marker of a page, one list per marker."""
    return [m.group("ids").split() for m in MARKER.finditer(markdown)]


def _row(s: Symbol) -> str:
    shape = f"${s.shape_tex()}$" if s.shape else s.shape_tex()
    code = f"`{s.code}`" if s.code else ""
    return f"| ${s.tex}$ | {s.meaning} | {shape} | {code} |"


def symbol_table(ids: list[str], registry: Registry) -> str:
    """The Markdown table of the given registry ids (KeyError for an unknown id)."""
    lines = ["| symbol | meaning | shape | in code |", "|---|---|---|---|"]
    return "\n".join(lines + [_row(registry[i]) for i in ids])


def full_tables(registry: Registry) -> str:
    """docs/notation.md's tables: the sizes, then every symbol by kind."""
    out = ["| size | meaning | in code |", "|---|---|---|"]
    out += [f"| ${s.tex}$ | {s.meaning} | `{s.code}` |" for s in registry.sizes.values()]
    out += ["", symbol_table(list(registry.symbols), registry)]
    return "\n".join(out)


def render(markdown: str, registry: Registry) -> str:
    """The page with its markers replaced by tables."""
    markdown = markdown.replace(ALL_MARKER, full_tables(registry))
    return MARKER.sub(lambda m: symbol_table(m.group("ids").split(), registry), markdown)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """mkdocs hook: render the symbol tables from the registry (read afresh on every build)."""
    load_registry.cache_clear()
    return render(markdown, load_registry())
