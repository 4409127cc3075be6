"""Errata as tests (tests/site/errata.py): every correction's wrong version, planted in the current
page, must fail that page's checks, in the block holding the plant; the page must pass without it.

A failure here names the erratum. "old text ... occurs 0 times" means the page was edited since the
plant was written: find the same claim or check in the page and update the plant's old and new text.
"""

from __future__ import annotations

import functools
import re

import pytest

from tests.site import errata
from tests.site.errata import ERRATA, Erratum, Plant

IDS = [e.id for e in ERRATA]


@functools.cache
def control(target: str) -> errata.Failure | None:
    """The target's current text, unplanted (once per target and process)."""
    return errata.run(target, (errata.ROOT / target).read_text(encoding="utf-8"))


def test_the_corrections_of_the_notation_issue_are_listed():
    assert len(ERRATA) >= 5
    assert len(set(IDS)) == len(IDS)
    for e in ERRATA:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e.id), e.id
        assert re.fullmatch(r"2\d{3}-\d\d-\d\d", e.published) and re.fullmatch(r"2\d{3}-\d\d-\d\d", e.corrected)
        assert e.published <= e.corrected, e.id
        assert (errata.ROOT / "docs" / e.page).is_file(), e.page
        assert any(new.strip() for _, new in e.plant.replacements), e.id


@pytest.mark.parametrize("erratum", ERRATA, ids=IDS)
def test_old_text_of_the_plant_is_in_the_current_page(erratum):
    missing = errata.missing_old_texts([erratum])
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("erratum", ERRATA, ids=IDS)
def test_planted_error_fails_the_current_checks(erratum: Erratum):
    target = erratum.plant.target
    clean = control(target)
    assert clean is None, (
        f"erratum {erratum.id!r}: {target} fails without the plant, so its failure proves nothing: {clean}"
    )
    text = errata.planted_text(erratum)  # OldTextMissing names the erratum and the text
    failure = errata.run(target, text)
    assert failure is not None, f"erratum {erratum.id!r}: the wrong version is planted in {target} and its checks pass"
    news = [new for _, new in erratum.plant.replacements]
    assert failure.holds(text, news), (
        f"erratum {erratum.id!r}: {target} failed at {failure.where}, not in the block holding the plant: {failure}"
    )
    assert failure.is_assertion, (
        f"erratum {erratum.id!r}: the planted block failed with {failure.exception}, not a check's assertion "
        f"(a plant that breaks the code proves nothing): {failure.message}"
    )


# --- the machinery, on planted examples ----------------------------------------------------------------

PAGE = """\
# A page

```python
value = 2 + 2
```

The sum is 4.

```python
assert value == 4  # the check
```
"""


def test_run_markdown_reports_the_failing_block(tmp_path):
    assert errata.run_markdown("docs/x.md", PAGE) is None
    wrong = PAGE.replace("value == 4", "value == 5")
    failure = errata.run_markdown("docs/x.md", wrong)
    assert failure.where == "docs/x.md:9" and failure.exception == "AssertionError" and failure.is_assertion
    assert failure.holds(wrong, ["value == 5"]) and not failure.holds(wrong, ["2 + 2"])
    broken = PAGE.replace("value == 4", "valu == 4")
    assert not errata.run_markdown("docs/x.md", broken).is_assertion  # a NameError is no check failing


def test_run_notebook_reports_the_failing_cell():
    notebook = "# %% [markdown]\n# # T\n\n# %%\nx = 2 + 2\n\n# %%\nassert x == 4\n"
    assert errata.run_notebook("derivations/x.py", notebook) is None
    wrong = notebook.replace("x == 4", "x == 5")
    failure = errata.run_notebook("derivations/x.py", wrong)
    assert failure.where == "derivations/x.py cell 1" and failure.exception == "AssertionError" and failure.is_assertion
    assert failure.holds(wrong, ["x == 5"]) and not failure.holds(wrong, ["2 + 2"])
    warns = notebook.replace("x = 2 + 2", "import warnings\nwarnings.warn('w')\nx = 4")
    assert errata.run_notebook("derivations/x.py", warns).exception == "UserWarning"  # warnings are errors


def test_a_missing_old_text_names_the_erratum():
    stale = Erratum(
        "stale",
        "2026-01-01",
        "abc",
        "2026-01-02",
        "def",
        "pitfalls.md",
        "t",
        "w",
        "c",
        Plant("docs/pitfalls.md", (("this text is on no page", "x"),)),
        "r",
    )
    assert errata.missing_old_texts([stale]) == [
        "erratum 'stale': the old text 'this text is on no page' occurs 0 times in docs/pitfalls.md "
        "(expected once): refresh it in tests/site/errata.py"
    ]
    with pytest.raises(errata.OldTextMissing, match="erratum 'stale'"):
        errata.planted_text(stale)


def test_the_page_lists_every_erratum_with_its_plant():
    text = errata.markdown()
    assert text.count("\n## ") + text.startswith("## ") == len(ERRATA)
    for e in ERRATA:
        assert f"{{ #{e.id} }}" in text and e.published in text and e.corrected in text
        assert e.wrong in text and e.correction in text
        for old, new in e.plant.replacements:
            assert f"    - {old}\n    + {new}" in text
    page = (errata.ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    assert page.count(errata.PLACEHOLDER) == 1


def test_hook_fills_the_placeholder_and_warns_without_it(caplog):
    from types import SimpleNamespace

    from tests.site.harness import hook_module

    hook = hook_module("errata")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="errata.md"))
    filled = hook.on_page_markdown(f"# Errata\n\n{errata.PLACEHOLDER}\n", page, None, None)
    assert errata.PLACEHOLDER not in filled and filled == f"# Errata\n\n{errata.markdown()}\n"
    other = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    assert hook.on_page_markdown(errata.PLACEHOLDER, other, None, None) == errata.PLACEHOLDER
    with caplog.at_level("WARNING", logger="mkdocs.hooks.errata"):
        assert hook.on_page_markdown("# Errata\n", page, None, None) == "# Errata\n"
    assert "needs the placeholder" in caplog.text  # a warning: the strict build fails
