"""benchmarks.page: the marked sections of the site's page are rewritten, and nothing else."""

import json

import pytest

from benchmarks.page import PAGE_SECTIONS, check_page, page_section, page_sections, updated_page
from benchmarks.paths import ROOT

PAGE = (ROOT / "docs" / "benchmark.md").read_text()
MACHINE = json.loads((ROOT / "benchmarks" / "machine.json").read_text())


def outside_sections(text):
    for name in PAGE_SECTIONS:
        text = text.replace(page_section(text, name), "")
    return text


def test_updated_page_replaces_the_sections_and_keeps_the_rest(records):
    new = updated_page(PAGE, records, MACHINE)
    assert new != PAGE
    for name, body in page_sections(records, MACHINE).items():
        assert page_section(new, name) == body
    assert outside_sections(new) == outside_sections(PAGE)
    assert updated_page(new, records, MACHINE) == new


def test_a_page_without_its_markers_is_refused():
    check_page(PAGE)
    with pytest.raises(ValueError, match="benchmark:targets"):
        check_page(PAGE.replace("<!-- /benchmark:targets -->", ""))
    with pytest.raises(ValueError, match="exactly once"):
        page_section(PAGE + "\n<!-- benchmark:tables -->\n", "tables")
