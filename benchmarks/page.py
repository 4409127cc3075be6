"""The site's benchmark page (docs/benchmark.md): its sections between ``<!-- benchmark:NAME -->`` markers.

The page's own checks compare each marked section with :func:`page_sections` of the committed
record, so a record saved without refreshing the page fails the tests.
"""

from __future__ import annotations

from pathlib import Path

from .machine import Machine
from .records import Record
from .report import machine_summary, markdown_tables
from .targets import markdown_targets

PAGE_SECTIONS = ("tables", "targets", "machine")


def markers(name: str) -> tuple[str, str]:
    """The opening (with its newline) and closing marker of section ``name``."""
    return f"<!-- benchmark:{name} -->\n", f"<!-- /benchmark:{name} -->"


def page_section(text: str, name: str) -> str:
    """The text between ``<!-- benchmark:NAME -->`` and ``<!-- /benchmark:NAME -->`` in ``text``.

    Raises ValueError unless each marker occurs exactly once, the opening one first.
    """
    start, end = markers(name)
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"the page must contain {start.strip()} ... {end} exactly once, in that order")
    return text.split(start, 1)[1].split(end, 1)[0]


def page_sections(records: list[Record], machine: Machine) -> dict[str, str]:
    """What the benchmark page shows between its markers: the tables, the targets, the machine."""
    return {
        "tables": "\n" + markdown_tables(records) + "\n",
        "targets": "\n" + markdown_targets(records) + "\n\n",
        "machine": "\n" + machine_summary(machine) + "\n\n",
    }


def check_page(text: str) -> None:
    """Raise ValueError unless ``text`` has every section's markers (before anything is measured)."""
    for name in PAGE_SECTIONS:
        page_section(text, name)


def updated_page(text: str, records: list[Record], machine: Machine) -> str:
    """``text`` with its marked sections replaced by those of ``records`` and ``machine``; the rest unchanged."""
    for name, body in page_sections(records, machine).items():
        start, _ = markers(name)
        text = text.replace(start + page_section(text, name), start + body, 1)
    return text


def update_page(path: str | Path, records: list[Record], machine: Machine) -> Path:
    """Rewrite the page at ``path`` with :func:`updated_page`; returns the path."""
    path = Path(path)
    path.write_text(updated_page(path.read_text(encoding="utf-8"), records, machine), encoding="utf-8")
    return path
