"""Collect every docs/*.md page as tests: each ```python block runs, in page order, against matgrad.

The harness (parser, page list, in-process runner) lives in tests/site/harness.py.
"""

from tests.site.harness import DOCS_SYBIL

pytest_collect_file = DOCS_SYBIL.pytest()
