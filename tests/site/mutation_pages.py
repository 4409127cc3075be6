"""The docs pages as the test suite of the mutation run (``make mutation``, docs/reliability.md).

One test per page: each evaluates its page with the harness (``harness.run_pages``: the page's
sybil document, one fresh namespace, every block in order). Sybil's own collection makes one pytest
item per block, and mutmut runs only the items that reach a mutant, each alone: a block run without
the blocks above it fails with NameError, and every mutant would look killed.

The file name does not match ``test_*.py``, so ``make test`` does not collect it; tests/site/mutation.py
hands it to mutmut explicitly. Run by hand it is the pages' suite once more, page by page:
``python -m pytest tests/site/mutation_pages.py``.
"""

import importlib
from pathlib import Path

import pytest

import matgrad
from tests.site.harness import DOCS, ROOT, pages_in_reading_order, run_pages

# The pages' heavy imports, done once here: mutmut 3 (process_isolation = fork, its default) imports
# this module and runs the clean pages in its main process, then os.fork()s one child per mutant
# from it (mutmut/workers/isolation.py, ForkRunner), so every child inherits these modules already
# imported instead of importing them again (SymPy alone takes about 0.8-1.4 s). matgrad is not
# among them: each child must import mutmut's mutated copy.
HEAVY_IMPORTS = ("sympy", "matplotlib.pyplot", "benchmarks.plot", "benchmarks.cases")
for _name in HEAVY_IMPORTS:
    importlib.import_module(_name)

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
