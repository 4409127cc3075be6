"""The docs pages as the test suite of the mutation run (``make mutation``, docs/reliability.md).

One test per page: each evaluates its page with the harness (``harness.run_pages``: the page's
sybil document, one fresh namespace, every block in order). Sybil's own collection makes one pytest
item per block, and mutmut runs only the items that reach a mutant, each alone: a block run without
the blocks above it fails with NameError, and every mutant would look killed.

The file name does not match ``test_*.py``, so ``make test`` does not collect it; tests/site/mutation.py
hands it to mutmut explicitly. Run by hand it is the pages' suite once more, page by page:
``python -m pytest tests/site/mutation_pages.py``.
"""

from pathlib import Path

import pytest

import matgrad
from tests.site.harness import DOCS, ROOT, pages_in_reading_order, run_pages

# Every page but the one that reports this measurement: it reads the previous run's report and
# calls no matgrad, so it could only make one run depend on the last.
PAGES = [p for p in pages_in_reading_order() if p != DOCS / "reliability.md"]


def test_matgrad_is_the_copy_beside_these_pages():
    # In the mutation run ROOT is mutmut's working folder: the pages must exercise its mutated
    # copy of src/matgrad, never an installed or PYTHONPATH one.
    assert Path(matgrad.__file__).resolve().is_relative_to((ROOT / "src").resolve()), matgrad.__file__


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_page(page):
    failure = run_pages([page])
    assert failure is None, failure
