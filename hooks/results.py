"""Labelled results, their check records on the pages, and the Results page with its dependency graph.

The markup (read by this hook and by tests/site/test_results.py):

- ``<!-- result: softmax-jacobian uses: lse, p-row -->`` on the line before a displayed result
  (``$$ ... $$``) or before the paragraph that states it; ``<!-- definition: rel-error -->`` for a
  display that defines rather than claims. Ids are lower-case slugs, unique site-wide, so ``uses``
  names them bare, whichever page they are on.
- ``# checks: softmax-jacobian, softmax-jacobian-properties`` as the first line of each python block
  of a ``??? success "Checked..."`` box: the labels that block asserts (on its own page).

What the build does with it:

- each marker becomes a small line above its result: its kind, its id (an anchor, ``#<id>``), what
  it uses (links) and a link to its entry on the Results page;
- each Checked box shows its record in its title, unopened: ``passed · FD 3.1e-10 · matgrad 2.2e-16``
  (the largest relative error of its agreements with finite differences and with matgrad; details
  in the tooltip), and its ``<details>`` carries ``data-check-status="passed"`` (or ``"failed"``);
- ``docs/results.md``: every labelled result with its page, statement, status, errors, what it uses
  and what it rests on (the transitive ``uses``), and the dependency graph, drawn by Graphviz
  (``dot -Tsvg``) at build time and inlined, each node a link to its result, coloured by status.

The records come from tests/site/ledger.py: one run of the page's checks, cached per state of the
page, src/ and the toolchain, and shared with the test run. A record is shown only when it was made
from exactly the page text being built. A failed block, a Checked box without a record, or a label
that a link cannot reach is a warning, so the strict build fails.
"""

from __future__ import annotations

import hashlib
import html
import logging
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.results")

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PAGE = "results.md"

ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
MARKER = re.compile(
    rf"^(?P<indent>[ \t]*)<!-- (?P<kind>result|definition): (?P<id>{ID})"
    rf"(?: uses: (?P<uses>{ID}(?:, {ID})*))? -->[ \t]*$"
)
# Anything a writer may have meant as a marker: a line that matches this but not MARKER is an error.
MARKER_LIKE = re.compile(r"^[ \t]*<!--\s*(?:results?|definitions?|uses|checks?)\s*:", re.I)
CHECKS = re.compile(rf"^# checks: (?P<ids>{ID}(?:, {ID})*)[ \t]*$")
CHECKS_LIKE = re.compile(r"^\s*#\s*checks?\s*:", re.I)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
BOX = re.compile(r'^(?P<indent>[ \t]*)\?\?\?\+? (?P<type>[\w-]+)(?: "(?P<title>[^"]*)")?[ \t]*$')
TOKEN = "@@ledger-{}@@"
TOKEN_RE = re.compile(r"@@ledger-(\d+)@@")
GRAPH_TOKEN = "@@ledger-graph@@"
STATUS_COLOURS = {  # fill, border: readable with dark text in light and dark mode
    "passed": ("#c8e6c9", "#2e7d32"),
    "failed": ("#ffcdd2", "#c62828"),
    "unchecked": ("#fff3e0", "#ef6c00"),
    "definition": ("#e3f2fd", "#1565c0"),
}


# --- the markup of a page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    kind: str  # "result" | "definition"
    id: str
    uses: tuple[str, ...]
    line: int  # of the marker, 1-based
    statement: str  # the display (``$$ ... $$``, dedented) or the paragraph after the marker
    display: bool


@dataclass(frozen=True)
class Block:
    line: int  # of its opening fence (sybil's example line)
    source: str  # dedented
    checks: tuple[str, ...] | None  # the ids of its ``# checks:`` line, None without one
    box: int | None  # line of the ``??? success`` box holding it, if any


@dataclass(frozen=True)
class Box:
    line: int
    type: str
    title: str
    blocks: tuple[int, ...]  # fence lines of its python blocks


@dataclass
class Markup:
    labels: list[Label] = field(default_factory=list)
    displays: list[int] = field(default_factory=list)  # first line of every display
    unlabelled_displays: list[int] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line N: ..." for malformed markup

    def label(self, id: str) -> Label | None:
        return next((label for label in self.labels if label.id == id), None)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _dedent(lines: list[str]) -> list[str]:
    width = min((_indent(x) for x in lines if x.strip()), default=0)
    return [x[width:] for x in lines]


def parse(text: str) -> Markup:
    """The labels, displays, boxes and python blocks of a page (code fences are never markup)."""
    lines = text.split("\n")
    out = Markup()
    fence: tuple[str, int] | None = None  # the open fence's character run and its line
    fence_start = 0
    info = ""
    boxes: list[tuple[int, int, str, str]] = []  # (line, indent, type, title) of the boxes still open
    box_blocks: dict[int, list[int]] = {}
    pending_marker: tuple[int, re.Match] | None = None
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        if fence is not None:  # inside a code fence: only its end matters
            stripped = line.strip()
            run = fence[0]
            if stripped and set(stripped) == {run[0]} and len(stripped) >= len(run):
                if info == "python":
                    source = "\n".join(_dedent(lines[fence_start:i]))
                    first = source.split("\n", 1)[0]
                    checks = CHECKS.match(first)
                    if checks is None and CHECKS_LIKE.match(first):
                        out.problems.append(f"line {fence[1]}: malformed `# checks:` line {first!r}")
                    box = boxes[-1][0] if boxes else None
                    out.blocks.append(
                        Block(fence[1], source, tuple(checks["ids"].split(", ")) if checks else None, box)
                    )
                    if box is not None:
                        box_blocks.setdefault(box, []).append(fence[1])
                fence = None
            i += 1
            continue
        if line.strip():
            while boxes and _indent(line) <= boxes[-1][1]:  # a line at or left of a box's "???" ends it
                closed = boxes.pop()
                out.boxes.append(Box(closed[0], closed[2], closed[3], tuple(box_blocks.get(closed[0], ()))))
        if m := FENCE.match(line):
            fence, fence_start, info = (m["fence"], number), i + 1, m["info"].strip()
            pending_marker = None
            i += 1
            continue
        if m := BOX.match(line):
            boxes.append((number, _indent(line), m["type"], m["title"] or ""))
        if m := MARKER.match(line):
            if pending_marker is not None:
                out.problems.append(f"line {pending_marker[0]}: a marker with no statement after it")
            pending_marker = (number, m)
            i += 1
            continue
        if MARKER_LIKE.match(line):
            out.problems.append(f"line {number}: malformed marker {line.strip()!r}")
        if line.lstrip().startswith("$$"):  # a display: up to the line that closes it
            end = i
            if not (line.strip().endswith("$$") and len(line.strip()) >= 4):
                end = next((k for k in range(i + 1, len(lines)) if lines[k].rstrip().endswith("$$")), len(lines) - 1)
            out.displays.append(number)
            if pending_marker is not None:
                at, m = pending_marker
                statement = "\n".join(_dedent(lines[i : end + 1]))
                out.labels.append(_label(m, at, statement, display=True))
                pending_marker = None
            else:
                out.unlabelled_displays.append(number)
            i = end + 1
            continue
        if pending_marker is not None and line.strip():  # a marker before a paragraph: its statement
            at, m = pending_marker
            end = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
            out.labels.append(_label(m, at, "\n".join(_dedent(lines[i:end])), display=False))
            pending_marker = None
        i += 1
    if pending_marker is not None:
        out.problems.append(f"line {pending_marker[0]}: a marker with no statement after it")
    while boxes:
        closed = boxes.pop()
        out.boxes.append(Box(closed[0], closed[2], closed[3], tuple(box_blocks.get(closed[0], ()))))
    out.boxes.sort(key=lambda b: b.line)
    return out


def _label(m: re.Match, line: int, statement: str, display: bool) -> Label:
    uses = tuple(m["uses"].split(", ")) if m["uses"] else ()
    return Label(m["kind"], m["id"], uses, line, statement, display)


def checked_boxes(markup: Markup) -> list[Box]:
    """The ``??? success`` boxes: the site's Checked boxes (Material renders them as details.success)."""
    return [b for b in markup.boxes if b.type == "success"]


# --- the site: every page's markup and record -----------------------------------------------------------


@dataclass
class Entry:
    """A label with where it is and how its checks went."""

    label: Label
    page: str  # src path relative to docs/
    blocks: list  # BlockRecords of the blocks that name it
    status: str  # "passed" | "failed" | "unchecked" | "definition"
    fd: float | None
    matgrad: float | None


def status_of(kind: str, records: list) -> str:
    if not records:
        return "definition" if kind == "definition" else "unchecked"
    return "failed" if any(not r.passed for r in records) else "passed"


def rests_on(id: str, uses: dict[str, tuple[str, ...]]) -> list[str]:
    """Every label that ``id`` depends on through ``uses``, nearest first (each once)."""
    seen: list[str] = []
    frontier = list(uses.get(id, ()))
    while frontier:
        nxt = []
        for u in frontier:
            if u not in seen and u != id:
                seen.append(u)
                nxt += uses.get(u, ())
        frontier = nxt
    return seen


def cycles(uses: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """The dependency cycles (a result resting on itself), each as a path."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for u in uses.get(node, ()):
            if state.get(u) == "open":
                found.append([*path[path.index(u) :], u] if u in path else [node, u])
            elif u in uses and u not in state:
                visit(u, [*path, u])
        state[node] = "done"

    for node in uses:
        if node not in state:
            visit(node, [node])
    return found


def format_error(value: float | None) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else f"{value:.1e}"


def block_summary(records: list) -> tuple[str, str, str]:
    """(status, visible text, tooltip) of a Checked box from the records of its blocks."""
    status = "failed" if any(not r.passed for r in records) else "passed"
    parts = [status]
    fd = max((r.fd for r in records if r.fd is not None), default=None)
    mg = max((r.matgrad for r in records if r.matgrad is not None), default=None)
    if fd is not None:
        parts.append(f"FD {format_error(fd)}")
    if mg is not None:
        parts.append(f"matgrad {format_error(mg)}")
    counts: dict[str, int] = {}
    for r in records:
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    if counts.get("exact"):  # SymPy equalities (tests/site/exact.py): no error to show, they are exact
        parts.append(f"exact {counts['exact']}")
    tip = [
        f"{counts.get('fd', 0)} agreement(s) with finite differences, largest relative error {format_error(fd) or '-'}",
        f"{counts.get('matgrad', 0)} with matgrad, largest relative difference {format_error(mg) or '-'}",
        f"{counts.get('formula', 0)} between two derivations",
    ]
    if counts.get("exact"):
        tip.append(f"{counts['exact']} exact symbolic equalities (SymPy)")
    if counts.get("apart"):
        tip.append(f"{counts['apart']} wrong version(s) shown to fail")
    tip.append(f"{sum(r.seconds for r in records):.3f} s")
    errors = [r.error for r in records if r.error]
    if errors:
        parts.append(errors[0].split(":", 1)[0] if errors[0].startswith("line") else "error")
        tip.insert(0, errors[0])
    return status, " · ".join(parts), "; ".join(tip)


class Site:
    """Every documentation page's markup and check record, for one build."""

    def __init__(self, docs: dict[str, str], records: dict[str, object]) -> None:
        self.docs = docs  # src path -> text
        self.markup = {src: parse(text) for src, text in docs.items()}
        self.records = records  # src path -> PageRecord (absent when it could not be made)
        self.where: dict[str, str] = {}
        for src, markup in self.markup.items():
            for label in markup.labels:
                self.where.setdefault(label.id, src)
        self.uses = {label.id: label.uses for m in self.markup.values() for label in m.labels}

    def block_records(self, src: str, id: str) -> list:
        record = self.records.get(src)
        lines = [b.line for b in self.markup[src].blocks if b.checks and id in b.checks]
        if record is None:
            return []
        return [r for line in lines if (r := record.block_at(line)) is not None]  # type: ignore[attr-defined]

    def entries(self) -> list[Entry]:
        out = []
        for src, markup in self.markup.items():
            for label in markup.labels:
                records = self.block_records(src, label.id)
                fd = max((r.fd for r in records if r.fd is not None), default=None)
                mg = max((r.matgrad for r in records if r.matgrad is not None), default=None)
                out.append(Entry(label, src, records, status_of(label.kind, records), fd, mg))
        return out


def relative_link(target_src: str, from_src: str, anchor: str = "") -> str:
    """A Markdown link target from one page's source to another's (mkdocs turns it into the built URL)."""
    if target_src == from_src:
        return f"#{anchor}" if anchor else ""
    path = posixpath.relpath(target_src, posixpath.dirname(from_src) or ".")
    return f"{path}#{anchor}" if anchor else path


def label_line(label: Label, src: str, site: Site, indent: str) -> str:
    """The marker rendered: a small line above the result, with its anchor (attr_list)."""
    parts = [f"{label.kind.capitalize()} [`{label.id}`](#{label.id})"]
    if label.uses:
        links = [
            f"[`{u}`]({relative_link(site.where[u], src, u)})" if u in site.where else f"`{u}` (unknown)"
            for u in label.uses
        ]
        parts.append("uses " + ", ".join(links))
    parts.append(f"[status and what it rests on]({relative_link(RESULTS_PAGE, src, label.id)})")
    return f"\n{indent}{' · '.join(parts)}\n{indent}{{: #{label.id} .matgrad-label data-search-exclude }}\n"


def render_page(markdown: str, src: str, site: Site, record, offset: int = 0) -> tuple[str, list, list[str]]:
    """A page's Markdown with its markers rendered and a token in each Checked box's title.

    Returns the Markdown, one (status, text, tooltip) per token, and the problems (missing or
    failed records, unknown labels) for the build to report. ``offset``: lines of the file before
    ``markdown`` (front matter).
    """
    markup = parse(markdown)
    lines = markdown.split("\n")
    problems = []
    by_line = {label.line: label for label in markup.labels}
    for label in markup.labels:
        problems += [f"{src}: {label.id} uses {u}, which no page labels" for u in label.uses if u not in site.where]
    tokens = []
    boxes = {b.line: b for b in checked_boxes(markup) if b.blocks}
    for number in range(len(lines), 0, -1):  # from the end: replacing a line keeps the numbers above
        if number in by_line:
            line = lines[number - 1]
            lines[number - 1] = label_line(by_line[number], src, site, line[: _indent(line)])
    for number, box in sorted(boxes.items()):
        records = [record.block_at(line + offset) for line in box.blocks] if record is not None else []
        if record is None or any(r is None for r in records):
            problems.append(f"{src}:{number + offset}: a Checked box without a check record")
            tokens.append(("missing", "no record", "no check record: the page's checks did not run"))
        else:
            status, text, tip = block_summary(records)
            tip += f"; NumPy {record.numpy}, Python {record.python}, commit {record.commit or 'unknown'}"
            tip += "" if record.committed else " with uncommitted changes"
            if status != "passed":
                problems.append(f"{src}:{number + offset}: the check failed ({tip.split(';')[0]})")
            tokens.append((status, text, tip))
        line = lines[number - 1]
        title = f"{box.title or box.type.capitalize()} {TOKEN.format(len(tokens) - 1)}"
        lines[number - 1] = re.sub(
            r"\?\?\?(\+?) (\S+)(?: \"[^\"]*\")?", lambda m, title=title: f'???{m[1]} {m[2]} "{title}"', line, count=1
        )
    return "\n".join(lines), tokens, problems


def render_content(content: str, tokens: list) -> tuple[str, list[str]]:
    """Each token replaced by its status, and its ``<details>`` given ``data-check-status``."""
    problems = []
    while m := TOKEN_RE.search(content):  # the first token left, searched afresh after each edit
        status, text, tip = tokens[int(m[1])]
        span = (
            f'<span class="matgrad-check matgrad-check--{status}" title="{html.escape(tip)}" data-search-exclude>'
            f"{html.escape(text)}</span>"
        )
        start = content.rfind("<details", 0, m.start())
        content = content[: m.start()] + span + content[m.end() :]
        if start == -1 or not content.startswith('<details class="success"', start):
            problems.append(f"a check record outside a Checked box: {text}")
            continue
        at = start + len("<details")
        content = content[:at] + f' data-check-status="{status}"' + content[at:]
    unmarked = len(re.findall(r'<details class="success"', content))  # marked ones start <details data-...
    if unmarked:
        problems.append(f"{unmarked} Checked box(es) without a check record")
    return content, problems


# --- the Results page -----------------------------------------------------------------------------------


def _anchor_links(text: str, src: str) -> str:
    """A statement's in-page links (``](#x)``) made to point at its own page from the Results page."""
    return re.sub(r"\]\(#", f"]({relative_link(src, RESULTS_PAGE)}#", text)


def _status_text(entry: Entry) -> str:
    if entry.status == "definition":
        return "definition (not checked by itself)"
    parts = [f"**{entry.status}**"]
    if entry.fd is not None:
        parts.append(f"FD {format_error(entry.fd)}")
    if entry.matgrad is not None:
        parts.append(f"matgrad {format_error(entry.matgrad)}")
    if entry.blocks:
        parts.append(f"{len(entry.blocks)} check{'s' if len(entry.blocks) > 1 else ''}")
    return " · ".join(parts)


def results_markdown(site: Site, titles: dict[str, str]) -> dict[str, str]:
    """The Results page's generated parts: "summary", "entries" (and the graph is a token)."""
    entries = site.entries()
    by_id = {e.label.id: e for e in entries}
    pages = [src for src in titles if src in site.markup]
    rows = [
        "| page | labels | Checked boxes | passed | largest FD error | largest matgrad difference |",
        "|---|---|---|---|---|---|",
    ]
    for src in pages:
        record = site.records.get(src)
        boxes = [b for b in checked_boxes(site.markup[src]) if b.blocks]
        blocks = [record.block_at(line) for b in boxes for line in b.blocks] if record else []  # type: ignore[attr-defined]
        passed = sum(1 for b in boxes if record and all((r := record.block_at(x)) and r.passed for x in b.blocks))  # type: ignore[attr-defined]
        fd = max((r.fd for r in blocks if r and r.fd is not None), default=None)
        mg = max((r.matgrad for r in blocks if r and r.matgrad is not None), default=None)
        n = len(site.markup[src].labels)
        labels = f"{n}" if n else "not yet labelled"
        rows.append(
            f"| [{titles[src]}]({relative_link(src, RESULTS_PAGE)}) | {labels} | {len(boxes)} | {passed} | "
            f"{format_error(fd)} | {format_error(mg)} |"
        )
    records = [r for r in site.records.values() if r is not None]
    numpy = sorted({r.numpy for r in records})  # type: ignore[attr-defined]
    commits = sorted(
        {(r.commit or "unknown") + ("" if r.committed else " (with uncommitted changes)") for r in records}
    )
    summary = "\n".join(rows)
    summary += (
        f"\n\nRecorded with NumPy {', '.join(numpy)} and Python {', '.join(sorted({r.python for r in records}))}"  # type: ignore[attr-defined]
        f" at commit {', '.join(commits)}."
    )
    out = []
    for src in pages:
        labels = site.markup[src].labels
        if not labels:
            continue
        out.append(f"## {titles[src]}\n")
        for label in labels:
            e = by_id[label.id]
            link = relative_link(src, RESULTS_PAGE, label.id)
            head = f"[`{label.id}`]({link}){{#{label.id} .matgrad-entry__id}} {label.kind} · {_status_text(e)}"
            statement = _anchor_links(label.statement, src)
            below = rests_on(label.id, site.uses)
            failed = [u for u in below if u in by_id and by_id[u].status == "failed"]
            if not label.uses:
                rests = "Uses no other labelled result."
            else:
                uses = ", ".join(f"[`{u}`](#{u})" for u in label.uses)
                deeper = [u for u in below if u not in label.uses]
                rests = f"Uses {uses}" + (
                    f"; through them it also rests on {', '.join(f'[`{u}`](#{u})' for u in deeper)}." if deeper else "."
                )
                rests += (
                    f" **{len(failed)} of them failed:** {', '.join(f'`{u}`' for u in failed)}."
                    if failed
                    else " None of them failed."
                )
            out.append(
                f'<div class="matgrad-entry matgrad-entry--{e.status}" markdown>\n\n{head}\n\n{statement}\n\n'
                f"{rests}\n\n</div>\n"
            )
    return {"summary": summary, "entries": "\n".join(out)}


def wrap_id(label_id: str, width: int = 16) -> str:
    """An id broken after hyphens into lines of about ``width`` characters (a DOT label, ``\\n``)."""
    lines, line = [], ""
    for part in label_id.split("-"):
        piece = f"{line}-{part}" if line else part
        if line and len(piece) > width:
            lines.append(line + "-")
            line = part
        else:
            line = piece
    return "\\n".join([*lines, line])


def graph_dot(site: Site, titles: dict[str, str], url_of, page: str | None = None) -> str:
    """The dependency graph in DOT: an edge from each used label to each label that uses it.

    ``page=None``: every labelled page, one cluster each. ``page="x.md"``: that page's labels, and
    the labels of other pages they use (dashed, named with their page). ``url_of(src, id)`` is the
    built URL of a label, relative to where the SVG is shown.
    """
    entries = {e.label.id: e for e in site.entries()}

    def q(s: str) -> str:  # a DOT string (labels keep their \\n line breaks)
        return '"' + s.replace('"', '\\"') + '"'

    def node(label_id: str, external: bool = False) -> str:
        e = entries[label_id]
        fill, border = STATUS_COLOURS[e.status]
        errors = [
            f"FD {format_error(e.fd)}" if e.fd is not None else "",
            f"matgrad {format_error(e.matgrad)}" if e.matgrad is not None else "",
        ]
        detail = " · ".join(x for x in errors if x)
        tip = f"{label_id} ({e.label.kind}, {titles.get(e.page, e.page)}): {e.status}" + (
            f" · {detail}" if detail else ""
        )
        text = wrap_id(label_id) + (f"\\n({titles.get(e.page, e.page)})" if external else "")
        style = ', style="rounded,filled,dashed"' if external else ""
        return (
            f"{q(label_id)} [label={q(text)}, URL={q(url_of(e.page, label_id))}, tooltip={q(tip)}, "
            f'fillcolor={q(fill)}, color={q(border)}, fontcolor="#212121", id={q("node-" + label_id)}{style}];'
        )

    lines = [
        "digraph results {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", fontsize=11, nodesep=0.12, '
        'ranksep=0.3, tooltip="Results and what they use"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, height=0.25, '
        'margin="0.06,0.02", penwidth=1.2];',
        "  edge [arrowsize=0.6];",
    ]
    if page is None:
        drawn = set()
        for k, src in enumerate(s for s in titles if s in site.markup and site.markup[s].labels):
            lines.append(f"  subgraph cluster_{k} {{")
            lines.append(f"    label={q(titles[src])}; URL={q(url_of(src, ''))}; tooltip={q(titles[src])};")
            lines.append(f'    id={q("cluster-" + Path(src).stem)}; style="rounded"; color="#9e9e9e";')
            lines += [f"    {node(label.id)}" for label in site.markup[src].labels]
            lines.append("  }")
            drawn |= {label.id for label in site.markup[src].labels}
    else:
        own = [label.id for label in site.markup[page].labels]
        external = sorted({u for i in own for u in site.uses.get(i, ()) if u in entries and u not in own})
        lines += [f"  {node(i)}" for i in own] + [f"  {node(i, external=True)}" for i in external]
        drawn = set(own) | set(external)
    for label_id, uses in site.uses.items():
        if label_id in drawn:
            lines += [f"  {q(u)} -> {q(label_id)};" for u in uses if u in drawn]
    lines.append("}")
    return "\n".join(lines)


def render_svg(dot: str) -> tuple[str, str]:
    """The graph drawn by Graphviz (``dot -Tsvg``): (inline SVG, a standalone SVG file on white).

    The inline one has no XML prolog, DOCTYPE or comments; neither names a DTD (nothing to fetch).
    """
    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError("Graphviz's dot is not installed (apt-get install graphviz; `make setup` does it)")
    done = subprocess.run([executable, "-Tsvg"], input=dot, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.strip()}")
    standalone = re.sub(r"<!DOCTYPE[^>]*>\n?", "", done.stdout)
    # no background on the page (the palette's shows through); white in a file of its own
    at = standalone.index(">", standalone.index("<svg")) + 1
    standalone = standalone[:at] + '\n<rect width="100%" height="100%" fill="white"/>' + standalone[at:]
    inline = re.sub(r"<!--.*?-->\n?", "", done.stdout[done.stdout.index("<svg") :], flags=re.S)
    inline = inline.replace("<svg ", '<svg class="matgrad-graph__svg" role="img" aria-label="dependency graph" ', 1)
    return inline, standalone


# --- mkdocs events -----------------------------------------------------------------------------------------

_state: dict = {}


def _root(config) -> Path:
    return ROOT  # the repository this hook belongs to: its src/ and its harness


def on_config(config):
    root = _root(config)
    for path in (str(root / "src"), str(root)):  # the pages import matgrad from src/, and hooks, tests
        if path not in sys.path:
            sys.path.insert(0, path)
    return config


def on_pre_build(config):
    _state.clear()
    _state["tokens"] = {}
    _state["seconds"] = 0.0
    _state["ran"] = 0


def on_files(files, config):
    _state["files"] = files
    return files


def _titles(config, files) -> dict[str, str]:
    """Markdown pages in nav order, with their nav titles (or their file name)."""
    titles: dict[str, str] = {}

    def walk(items):
        for item in items:
            if isinstance(item, str):
                titles.setdefault(item, Path(item).stem)
            elif isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, list):
                        walk(value)
                    else:
                        titles.setdefault(value, title)

    walk(config.nav or [])
    for f in files.documentation_pages():
        if f.src_uri.endswith(".md"):
            titles.setdefault(f.src_uri, Path(f.src_uri).stem)
    return {src: t for src, t in titles.items() if src.endswith(".md") and src != RESULTS_PAGE}


def fresh(record, text: str) -> bool:
    """Was this record made from exactly this page text? Only then may it be shown."""
    return record is not None and record.text_sha256 == hashlib.sha256(text.encode()).hexdigest()


def _site(config) -> Site:
    """Every page's markup and record, made once per build."""
    if "site" in _state:
        return _state["site"]
    import matgrad
    from tests.site import ledger  # the harness's own runner (imported late: it imports matgrad)

    root = _root(config)
    if not Path(matgrad.__file__).resolve().is_relative_to(root / "src"):
        from mkdocs.exceptions import PluginError

        raise PluginError(f"the pages would run another matgrad ({matgrad.__file__}), not {root / 'src'}")
    files = _state["files"]
    docs, records = {}, {}
    env = ledger.environment(root)
    start = time.perf_counter()
    for f in files.documentation_pages():
        if not f.src_uri.endswith(".md"):
            continue
        record, ran = ledger.page_record(Path(f.abs_src_path), root, env)
        _state["ran"] += ran
        fresh_record = record if fresh(record, f.content_string) else None  # never a stale record
        if f.src_uri == RESULTS_PAGE:  # its own check (that it lists the others) is not one of its entries
            _state["results_record"] = fresh_record
            continue
        docs[f.src_uri] = f.content_string
        if fresh_record is not None:
            records[f.src_uri] = fresh_record
    _state["seconds"] = time.perf_counter() - start
    _state["site"] = Site(docs, records)
    _state["titles"] = _titles(config, files)
    log.info("ledger: %d pages, %d evaluated now, %.2f s", len(docs), _state["ran"], _state["seconds"])
    return _state["site"]


def _offset(page, markdown: str) -> int | None:
    """Lines of the page's file before its Markdown (front matter); None if it is not a suffix."""
    text = page.file.content_string
    return text[: len(text) - len(markdown)].count("\n") if text.endswith(markdown) else None


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if not src.endswith(".md"):
        return markdown
    site = _site(config)
    offset = _offset(page, markdown)
    record = None  # a page whose Markdown is not the end of its file has no lines to match a record's
    if offset is not None:  # the Results page's own record is kept apart from the others' (see _site)
        record = _state.get("results_record") if src == RESULTS_PAGE else site.records.get(src)
    rendered, tokens, problems = render_page(markdown, src, site, record, offset or 0)
    for problem in problems:
        log.warning(problem)
    _state["tokens"][src] = tokens
    if src != RESULTS_PAGE:
        return rendered
    parts = results_markdown(site, _state["titles"])
    rendered = rendered.replace("<!-- results-page: summary -->", parts["summary"])
    rendered = rendered.replace("<!-- results-page: graph -->", GRAPH_TOKEN)
    return rendered.replace("<!-- results-page: entries -->", parts["entries"])


def on_post_build(config):
    if "standalone" in _state:
        target = Path(config.site_dir) / _state["standalone_at"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_state["standalone"], encoding="utf-8")


def on_page_content(html_text, page, config, files):
    src = page.file.src_uri
    if src == RESULTS_PAGE:
        site = _site(config)

        def url_of(target: str, anchor: str) -> str:
            from mkdocs.utils import get_relative_url

            target_file = files.get_file_from_path(target)
            url = get_relative_url(target_file.url, page.url) if target_file else target
            return f"{url}#{anchor}" if anchor else url

        try:
            svg, _state["standalone"] = render_svg(graph_dot(site, _state["titles"], url_of))
            # the same graph, full size on white, beside the page (so its relative links are the same)
            _state["standalone_at"] = Path(page.file.dest_uri).parent / "graph.svg"
            svg += '<p class="matgrad-graph__full"><a href="graph.svg">The graph at full size</a> (SVG)</p>'
        except RuntimeError as err:
            log.warning("results page: %s", err)
            svg = "<p>The dependency graph could not be drawn here (see the build log).</p>"
        html_text = html_text.replace(f"<p>{GRAPH_TOKEN}</p>", f'<div class="matgrad-graph">{svg}</div>')
    tokens = _state.get("tokens", {}).get(src)
    if tokens is None:
        return html_text
    html_text, problems = render_content(html_text, tokens)
    site = _site(config)
    for label in site.markup.get(src, Markup()).labels:
        if html_text.count(f'id="{label.id}"') != 1:
            problems.append(f"the id {label.id!r} is not unique on the page (a heading with the same slug?)")
    for problem in problems:
        log.warning("%s: %s", src, problem)
    return html_text
