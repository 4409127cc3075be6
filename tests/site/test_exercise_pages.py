"""Guard: the exercises on the pages and matgrad.exercises.EXERCISES agree, page by page.

A page's ``## Exercises`` section names each exercise in a heading ``### n. Title (`id`, level)``;
its ids must be exactly that page's exercises in EXERCISES, and the solutions run and leak nothing
(tests/unit/test_exercises.py checks the generated sections the same way).

PENDING lists the pages whose section is generated (``python -m matgrad.exercises section <page>``)
but not pasted yet (they were being edited when the exercises landed); the lead empties it as the
sections are added. A pending page must not have a section, so the list cannot go stale.
"""

import re

import pytest

from matgrad.exercises import pages
from tests.site.harness import DOCS

PENDING: set[str] = set()


def _section_ids(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    part = text.split("\n## Exercises\n", 1)
    return None if len(part) == 1 else re.findall(r"^### .*\(`([a-z-]+)`", part[1], re.M)


def test_every_page_with_an_exercises_section_lists_exactly_its_exercises():
    for md in sorted(DOCS.glob("*.md")):
        ids = _section_ids(md.stem)
        if ids is not None:
            assert ids, f"{md.name}: an Exercises section without exercises"
            assert sorted(ids) == sorted(ex.id for ex in pages().get(md.stem, [])), md.name


@pytest.mark.parametrize("page", sorted(pages()))
def test_every_page_of_the_exercises_has_its_section_unless_pending(page):
    assert (DOCS / f"{page}.md").is_file(), page
    ids = _section_ids(page)
    if page in PENDING:
        assert ids is None, f"{page} has its section now: remove it from PENDING"
    else:
        assert ids is not None, f"{page}.md lacks its ## Exercises section (python -m matgrad.exercises section {page})"
        assert (DOCS / "exercises" / f"{page}.py").is_file()
