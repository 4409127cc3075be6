"""Guard: the exercises on the pages and matgrad.exercises.EXERCISES agree, page by page.

A page's ``## Exercises`` section names each exercise in a heading ``### n. Title (`id`, level)``;
its ids must be exactly that page's exercises in EXERCISES, and the solutions run and leak nothing
(tests/unit/test_exercises.py checks the generated sections the same way). Every page of the nav's
"Derivations" section has its exercises and its section (``python -m matgrad.exercises section
<page>``), and the section is the page's last ``##`` section but for a closing "Sources" or
"References" list.
"""

import re

import pytest

from matgrad.exercises import pages
from matgrad.exercises.render import section
from tests.site.harness import DOCS, mkdocs_config

CLOSING = ("Sources", "References")  # sections that may follow the exercises


def _section_ids(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    part = text.split("\n## Exercises\n", 1)
    return None if len(part) == 1 else re.findall(r"^### .*\(`([a-z-]+)`", part[1], re.M)


def derivation_pages():
    """The pages of the nav's "Derivations" section, without ".md", in nav order."""
    nav = mkdocs_config()["nav"]
    sections = [item["Derivations"] for item in nav if isinstance(item, dict) and "Derivations" in item]
    assert len(sections) == 1, "the nav has one Derivations section"
    return [next(iter(entry.values())).removesuffix(".md") for entry in sections[0]]


def test_the_nav_lists_the_derivation_pages():
    found = derivation_pages()
    assert len(found) >= 10 and {"jacobian-layout", "attention"} <= set(found), found


def test_every_page_with_an_exercises_section_lists_exactly_its_exercises():
    for md in sorted(DOCS.glob("*.md")):
        ids = _section_ids(md.stem)
        if ids is not None:
            assert ids, f"{md.name}: an Exercises section without exercises"
            assert sorted(ids) == sorted(ex.id for ex in pages().get(md.stem, [])), md.name


@pytest.mark.parametrize("page", sorted(set(pages()) | set(derivation_pages())))
def test_every_derivation_page_and_every_page_of_the_exercises_has_its_section_at_the_end(page):
    assert (DOCS / f"{page}.md").is_file(), page
    assert page in pages(), f"{page} is a derivation page without exercises in matgrad.exercises.EXERCISES"
    assert _section_ids(page) is not None, (
        f"{page}.md lacks its ## Exercises section (python -m matgrad.exercises section {page})"
    )
    assert (DOCS / "exercises" / f"{page}.py").is_file()
    headings = re.findall(r"^## (.+)$", (DOCS / f"{page}.md").read_text(encoding="utf-8"), re.M)
    after = headings[headings.index("Exercises") + 1 :]
    assert all(h in CLOSING for h in after), f"{page}.md: sections after the exercises: {after}"


@pytest.mark.parametrize("page", sorted(pages()))
def test_the_section_on_the_page_is_the_generated_one(page):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    start = text.index("\n## Exercises\n") + 1
    end = min([text.find(f"\n## {h}\n", start) for h in CLOSING if f"\n## {h}\n" in text[start:]] or [len(text)])
    assert text[start:end].rstrip("\n") + "\n" == section(page), (
        f"{page}.md: regenerate its section with python -m matgrad.exercises section {page}"
    )
