"""The Errata page, generated from tests/site/errata.py (the list the errata tests run).

docs/errata.md holds the introduction and the placeholder ``<!-- errata: entries -->``; this hook
replaces the placeholder with one entry per erratum (:func:`tests.site.errata.markdown`). A missing
placeholder, or a plant whose old text no longer occurs in its page, is a warning, so the strict
build fails. Whether each plant is caught is the tests' job (tests/site/test_errata.py): running
every plant here would re-run those pages at every build.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.errata")

ROOT = Path(__file__).resolve().parent.parent
ERRATA_PAGE = "errata.md"


def on_config(config):
    for path in (str(ROOT / "src"), str(ROOT)):  # tests/site/errata.py imports the harness
        if path not in sys.path:
            sys.path.insert(0, path)
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != ERRATA_PAGE:
        return markdown
    from tests.site import errata

    if markdown.count(errata.PLACEHOLDER) != 1:
        log.warning("%s: needs the placeholder %s exactly once", ERRATA_PAGE, errata.PLACEHOLDER)
        return markdown
    for problem in errata.missing_old_texts():
        log.warning("%s: %s", ERRATA_PAGE, problem)
    return markdown.replace(errata.PLACEHOLDER, errata.markdown())
