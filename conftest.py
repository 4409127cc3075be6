"""Run every ```python block of every page in docs/ as a test, in page order, against matgrad.

Each page is one namespace: its blocks run top to bottom, and a failure is reported as
``docs/<page>.md:<line>``. Only fences whose info string is exactly ``python`` run; a guard in
tests/test_docs_guards.py fails on any other Python-looking fence so nothing is skipped silently.
tests/test_planted_errors.py evaluates the pages in-process with this same ``DOCS_SYBIL``.
"""

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

DOCS_SYBIL = Sybil(
    parsers=[PythonCodeBlockParser()],
    path="docs",
    patterns=["*.md"],
)

pytest_collect_file = DOCS_SYBIL.pytest()
