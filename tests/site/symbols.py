"""A page's table of symbols is a check: its arrays must exist, with the registered shapes.

A page lists the symbols it uses with a ``<!-- symbols: X W b Z G -->`` marker (rendered as its
table by hooks/notation.py). :class:`SymbolsParser` turns the marker into one more example of the
page, placed at the very end of the page, so it runs after every block: for each listed array or
scalar whose shape is made of plain sizes (N, D, H, C), the page's namespace must hold the
registered code name (``G`` -> ``dZ``) with that shape, the sizes read from the page's own ``N``,
``D``, ... . A row vector of shape 1 x n may be held as a NumPy vector of shape (n,). Indexed
symbols (``W_l``) are checked by the static guards only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sybil import Document, Example, Region

from hooks.notation import MARKER, Registry, Symbol, load_registry


@dataclass(frozen=True)
class SymbolCheck:
    """The parsed marker: the ids the page lists and the line the marker is on."""

    ids: tuple[str, ...]
    line: int


def live_shape(symbol: Symbol, registry: Registry) -> tuple[str, ...] | None:
    """The size code names of a symbol's shape, or None when it is not checked against live arrays."""
    if symbol.kind not in ("array", "scalar") or symbol.shape is None or not (symbol.code or "").isidentifier():
        return None
    names = []
    for token in symbol.shape:
        if token == "1":
            names.append("1")
        elif token in registry.sizes and (registry.sizes[token].code or "").isidentifier():
            names.append(str(registry.sizes[token].code))
        else:
            return None
    return tuple(names)


def problems(check: SymbolCheck, namespace: dict, registry: Registry) -> list[str]:
    """What the page's namespace gets wrong about the symbols its marker lists."""
    out = []
    for id in check.ids:
        if id not in registry:
            out.append(f"{id}: not in docs/notation.yml")
            continue
        symbol = registry[id]
        sizes = live_shape(symbol, registry)
        if sizes is None:
            continue
        assert symbol.code is not None
        if symbol.code not in namespace:
            out.append(f"${symbol.tex}$ is listed, but the page never defines `{symbol.code}`")
            continue
        missing = [s for s in sizes if s != "1" and s not in namespace]
        if missing:
            out.append(f"${symbol.tex}$ has shape {symbol.shape_tex()}: the page must define {', '.join(missing)}")
            continue
        expected = tuple(1 if s == "1" else int(namespace[s]) for s in sizes)
        actual = np.shape(namespace[symbol.code])
        if actual != expected and actual != tuple(e for e, s in zip(expected, sizes, strict=True) if s != "1"):
            out.append(f"`{symbol.code}` (${symbol.tex}$) has shape {actual}, but the registry says {expected}")
    return out


def evaluate(example: Example) -> str | None:
    check = example.parsed
    found = problems(check, example.namespace, load_registry())
    if found:
        return f"the symbols listed at line {check.line} disagree with the page's arrays:\n- " + "\n- ".join(found)
    return None


class SymbolsParser:
    """Sybil parser: one check per page with a symbols marker, evaluated after the page's last block."""

    def __call__(self, document: Document) -> Iterable[Region]:
        ids: list[str] = []
        first = None
        for match in MARKER.finditer(document.text):
            ids += match.group("ids").split()
            first = first if first is not None else document.text.count("\n", 0, match.start()) + 1
        if first is not None:
            end = len(document.text)
            yield Region(end, end, SymbolCheck(tuple(ids), first), evaluate)
