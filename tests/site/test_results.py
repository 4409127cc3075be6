"""Every result a labelled, checked node: the markup guards, the ledger and the hook that shows it.

The markup (hooks/results.py): ``<!-- result: <id> uses: <id>, ... -->`` or ``<!-- definition: <id> -->``
on the line before each displayed result, and ``# checks: <id>, ...`` as the first line of each
python block of a Checked box. On a labelled page:

- a display (``$$ ... $$``) without a marker fails, and so does a malformed marker or ``# checks:``;
- a result that no block of its own page names in ``# checks:`` fails;
- a python block in a Checked box without ``# checks:`` fails;
- a ``# checks:`` target that is not a label of the page, or a ``uses`` target that no page labels, fails;
- ids are unique site-wide, and ``uses`` has no cycle (a result may not rest on itself).

The ledger (tests/site/ledger.py): every page's record passes, every Checked box has one, and every
comparison a page makes was classified. Each detector also runs on a planted example.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import matgrad
from hooks import results
from tests.site import ledger
from tests.site.harness import DOCS, markdown_pages

PAGES = markdown_pages()  # the Results page too: its own claim (that it lists the others) is labelled
# Every page is labelled (a new page is labelled from its first commit: the guards below run on it).
LABELLED = PAGES


def _text(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


MARKUP = {page: results.parse(_text(page)) for page in PAGES}


# --- the detectors -----------------------------------------------------------------------------------


def unlabelled_displays(markup: results.Markup) -> list[int]:
    return markup.unlabelled_displays


def unchecked_results(markup: results.Markup) -> list[str]:
    named = {i for b in markup.blocks if b.checks for i in b.checks}
    return [label.id for label in markup.labels if label.kind == "result" and label.id not in named]


def boxed_blocks_without_checks(markup: results.Markup) -> list[int]:
    boxed = {line for box in results.checked_boxes(markup) for line in box.blocks}
    return [b.line for b in markup.blocks if b.line in boxed and b.checks is None]


def unknown_check_targets(markup: results.Markup) -> list[str]:
    own = {label.id for label in markup.labels}
    return [f"line {b.line}: {i}" for b in markup.blocks if b.checks for i in b.checks if i not in own]


def unknown_uses(markups: dict[str, results.Markup]) -> list[str]:
    ids = {label.id for m in markups.values() for label in m.labels}
    return [
        f"{page}: {label.id} uses {u}"
        for page, m in markups.items()
        for label in m.labels
        for u in label.uses
        if u not in ids
    ]


def repeated_ids(markups: dict[str, results.Markup]) -> list[str]:
    seen: dict[str, str] = {}
    out = []
    for page, m in markups.items():
        for label in m.labels:
            if label.id in seen:
                out.append(f"{label.id}: {seen[label.id]} and {page}")
            seen.setdefault(label.id, page)
    return out


def uses_graph(markups: dict[str, results.Markup]) -> dict[str, tuple[str, ...]]:
    return {label.id: label.uses for m in markups.values() for label in m.labels}


# --- the pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_markup_is_well_formed(page):
    assert not MARKUP[page].problems


@pytest.mark.parametrize("page", LABELLED)
def test_every_display_has_a_marker(page):
    lines = unlabelled_displays(MARKUP[page])
    assert not lines, f"displays without <!-- result: ... --> or <!-- definition: ... --> at lines {lines}"


@pytest.mark.parametrize("page", LABELLED)
def test_every_result_is_checked_on_its_page(page):
    assert not unchecked_results(MARKUP[page]), "name them in a `# checks:` line of a box on this page"


@pytest.mark.parametrize("page", LABELLED)
def test_every_checked_block_names_what_it_checks(page):
    lines = boxed_blocks_without_checks(MARKUP[page])
    assert not lines, f"python blocks in Checked boxes without a `# checks:` first line, at lines {lines}"


@pytest.mark.parametrize("page", PAGES)
def test_checks_name_labels_of_their_own_page(page):
    assert not unknown_check_targets(MARKUP[page])


def test_uses_name_labelled_results():
    assert not unknown_uses(MARKUP)


def test_ids_are_unique_site_wide():
    assert not repeated_ids(MARKUP)


def test_no_result_rests_on_itself():
    assert not results.cycles(uses_graph(MARKUP))


def test_every_page_has_labelled_results():
    """No page is exempt: each one states at least one labelled result or definition."""
    assert [p for p in PAGES if not MARKUP[p].labels] == []


# --- the ledger ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def environment():
    return ledger.environment()


@pytest.mark.parametrize("page", PAGES)
def test_the_record_of_every_check_passed(page, environment):
    """One run of the page's checks, as the build shows it (shared with the build through the cache)."""
    record, _ = ledger.page_record(DOCS / page, env=environment)
    failed = [f"the block at line {b.line} failed: {b.error}" for b in record.blocks if not b.passed]
    assert not failed, failed
    assert results.fresh(record, _text(page))
    missing = [
        line for box in results.checked_boxes(MARKUP[page]) for line in box.blocks if record.block_at(line) is None
    ]
    assert not missing, f"Checked boxes whose blocks have no record: {missing}"
    unclassified = [b.line for b in record.blocks if b.counts.get("unclassified")]
    assert not unclassified, f"comparisons tests/site/ledger.py could not place, in the blocks at {unclassified}"


def test_the_labelled_pages_reach_the_stated_errors(environment):
    """Every labelled result checked against finite differences stays within the site's 1e-7, and
    against matgrad within 1e-10: the figures a reader sees are the ones the checks assert."""
    for page in LABELLED:
        record, _ = ledger.page_record(DOCS / page, env=environment)
        for block in record.blocks:
            assert block.fd is None or block.fd < 1e-7, (page, block.line, block.fd)
            assert block.matgrad is None or block.matgrad < 1e-10, (page, block.line, block.matgrad)


# --- the detectors fire on planted examples ------------------------------------------------------------

PLANTED = textwrap.dedent(
    """\
    # A page

    <!-- result: good uses: base -->
    $$
    a = b
    $$

    $$
    c = d
    $$

    <!-- definition: base -->
    The base, in prose.

    <!-- result: orphan uses: nowhere -->
    A result no box checks.

    <!-- result:misspelt -->
    <!-- results: good -->

    ??? success "Checked"

        ```python
        # checks: good, ghost
        x = 1
        ```

    ??? success "Checked: no checks line"

        ```python
        y = 2
        ```

    ````markdown
    $$
    e = f
    $$

    ```python
    # checks: fenced
    ```
    ````
    """
)


def test_markup_detectors_fire_on_planted_mistakes_only():
    markup = results.parse(PLANTED)
    assert [label.id for label in markup.labels] == ["good", "base", "orphan"]
    assert markup.labels[0].statement == "$$\na = b\n$$" and markup.labels[0].display
    assert markup.labels[1].statement == "The base, in prose." and not markup.labels[1].display
    assert markup.displays == [4, 8] and unlabelled_displays(markup) == [8]  # the fenced one is code
    assert [p.split(":")[0] for p in markup.problems] == ["line 18", "line 19"]  # the two malformed markers
    assert unchecked_results(markup) == ["orphan"]
    assert boxed_blocks_without_checks(markup) == [30]
    assert unknown_check_targets(markup) == ["line 23: ghost"]
    assert [(b.line, b.box, b.checks) for b in markup.blocks] == [(23, 21, ("good", "ghost")), (30, 28, None)]
    assert unknown_uses({"p.md": markup}) == ["p.md: orphan uses nowhere"]
    assert repeated_ids({"a.md": markup, "b.md": results.parse("<!-- result: good -->\nAgain.\n")}) == [
        "good: a.md and b.md"
    ]
    assert results.cycles({"a": ("b",), "b": ("c",), "c": ("a",), "d": ("a",)})
    assert not results.cycles({"a": ("b",), "b": (), "c": ("a", "b")})
    assert results.rests_on("c", {"a": ("b",), "b": (), "c": ("a",)}) == ["a", "b"]
    malformed = results.parse('??? success "Checked"\n\n    ```python\n    #checks: good\n    ```\n')
    assert malformed.problems == ["line 3: malformed `# checks:` line '#checks: good'"]


# --- the ledger on planted pages --------------------------------------------------------------------------

LEDGER_PAGE = textwrap.dedent(
    """\
    # Planted

    ```python
    import numpy as np

    from matgrad import affine_backward, affine_forward, numerical_gradient, relative_error

    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    dZ = rng.standard_normal((4, 2))
    ```

    ??? success "Checked: finite differences, matgrad, a wrong version"

        ```python
        dW = X.T @ dZ
        dW_fd = numerical_gradient(lambda V: np.sum(dZ * (X @ V + b)), W)
        assert relative_error(dW, dW_fd) < 1e-7
        _, dW_mg, _ = affine_backward(dZ, affine_forward(X, W, b)[1])
        np.testing.assert_allclose(dW_mg, dW, rtol=1e-10)
        err = relative_error(dW.T @ np.ones((3, 3)), dW_fd.T @ np.eye(3) * 3)
        assert err > 0.1
        np.testing.assert_allclose(dW_fd - dW_fd, 0.0, atol=1e-12)
        np.testing.assert_allclose(dW, X.T @ dZ, rtol=1e-12)
        ```

    ??? success "Checked: a wrong formula"

        ```python
        assert relative_error(dW * 1.01, dW_fd) < 1e-7, "wrong by 1%"
        ```
    """
)


@pytest.fixture
def planted(tmp_path, monkeypatch):
    monkeypatch.delenv(ledger.LEDGER_ENV, raising=False)
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "planted.md"
    page.write_text(LEDGER_PAGE, encoding="utf-8")
    return tmp_path, page


def test_ledger_counts_what_each_comparison_compares(planted):
    root, page = planted
    record = ledger.run_page(page, root)
    setup, checked, wrong = record.blocks
    assert (setup.status, checked.status, wrong.status) == ("passed", "passed", "failed")
    assert 1e-12 < checked.fd < 1e-8  # relative_error against numerical_gradient
    assert checked.matgrad < 1e-15  # assert_allclose against affine_backward's dW
    assert checked.counts == {"fd": 1, "matgrad": 1, "apart": 1, "absolute": 1, "formula": 1}
    assert wrong.error == "line 30: AssertionError: wrong by 1%"
    assert wrong.counts == {"fd": 1} and 1e-3 < wrong.fd < 1e-1  # the error it reached, above the bound
    assert relative_error_is_restored()


def relative_error_is_restored() -> bool:
    return not hasattr(matgrad.relative_error, "__matgrad_ledger__") and not hasattr(
        __import__("numpy").testing.assert_allclose, "__matgrad_ledger__"
    )


def test_comparison_sites_read_the_direction_and_the_provenance():
    source = textwrap.dedent(
        """\
        ```python
        import numpy as np
        from matgrad import check_gradient, numerical_jacobian, relative_error, softmax
        J = numerical_jacobian(softmax, np.zeros(3))
        a = relative_error(J, J.T) < 1e-7
        b = 300e-7 < relative_error(J, 2 * J) < 500e-7
        c = relative_error(J, J) == 0.0
        d = not relative_error(J, J) > 1e-3
        e = max(relative_error(J, J) for _ in range(2)) < 1e-7
        P = softmax(np.zeros((2, 3)))
        f = relative_error(P, P + 1) < 1e-7
        g = relative_error(P * 2, P)
        err = relative_error(J, J)
        h = err > 0.5
        np.testing.assert_allclose(relative_error(P, P), 0.0)
        from matgrad import l2_penalty
        penalty, grads = l2_penalty({"W1": np.ones((2, 2))}, 0.1)
        np.testing.assert_allclose(grads["W1"], 0.2 * np.ones((2, 2)))
        ```
        """
    )
    from sybil import Document

    document = Document(source, "planted.md")
    for region in ledger.DOCS_SYBIL.parsers[0](document):
        document.add(region)
    sites = sorted(ledger.comparison_sites(document).values(), key=lambda s: (s.line, s.function))
    got = [(s.line, s.function, s.against, s.expects) for s in sites]
    assert got == [
        (5, "relative_error", "fd", "close"),
        (6, "relative_error", "fd", "apart"),
        (7, "relative_error", "fd", "equal"),
        (8, "relative_error", "fd", "close"),  # not (... > tol): an upper bound
        (9, "relative_error", "fd", "close"),
        (11, "relative_error", "matgrad", "close"),
        (12, "relative_error", "matgrad", "unasserted"),  # no comparison: not a figure
        (13, "relative_error", "fd", "apart"),  # err > 0.5, two lines later
        (15, "assert_allclose", "formula", "raises"),  # a relative error is a measurement, not a value
        (15, "relative_error", "matgrad", "unasserted"),
        (18, "assert_allclose", "matgrad", "raises"),  # a part of an unpacked matgrad result
    ]


def test_relative_difference():
    assert ledger.relative_difference([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert ledger.relative_difference([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert ledger.relative_difference([1e-9, 2e-9], 0.0) is None  # against zero: absolute
    assert ledger.relative_difference(3.0, [3.0, 3.0]) == 0.0  # broadcast, as assert_allclose does


def test_ledger_cache_reuses_and_never_serves_a_stale_record(planted, tmp_path):
    root, page = planted
    page.write_text(LEDGER_PAGE.split('??? success "Checked: a wrong formula"')[0], encoding="utf-8")
    first, ran = ledger.page_record(page, root)
    assert ran and first.passed
    again, ran = ledger.page_record(page, root)
    assert not ran and again == first  # the stored record
    assert results.fresh(again, page.read_text(encoding="utf-8"))

    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert not results.fresh(again, page.read_text(encoding="utf-8"))  # the hook would not show it
    changed, ran = ledger.page_record(page, root)
    assert ran and changed.key != first.key  # the page changed: evaluated again

    (root / "src").mkdir()
    (root / "src" / "lib.py").write_text("x = 1\n")  # src/ changed: every key changes
    _, ran = ledger.page_record(page, root)
    assert ran

    data = root / "numbers.json"
    data.write_text("[1, 2]")
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n```python\nimport json, pathlib\nassert json.loads(pathlib.Path('numbers.json').read_text())\n```\n"
    )
    read, _ = ledger.page_record(page, root)
    assert read.files == {"numbers.json": ledger.cache.file_sha256(data)}  # what the page opened
    assert not ledger.page_record(page, root)[1]
    data.write_text("[1, 2, 3]")  # a file the page read changed
    assert ledger.page_record(page, root)[1]


def test_a_failed_record_is_never_stored(planted):
    root, page = planted
    record, ran = ledger.page_record(page, root)
    assert ran and not record.passed
    assert ledger.page_record(page, root)[1]  # evaluated again: a failure fails every run
    assert not list((root / ".cache" / "ledger").glob("*.json"))


# --- the hook on planted pages ------------------------------------------------------------------------------


def _record(blocks):
    return ledger.PageRecord(
        page="p.md", key="k", text_sha256="", blocks=blocks, seconds=0.1, numpy="2", python="3.11",
        commit="abc", committed=True, recorded="now", files={},
    )  # fmt: skip


def _block(line, status="passed", fd=1e-10, mg=2e-16):
    counts = {"fd": 1, "matgrad": 1}
    return ledger.BlockRecord(
        line, "python", status, 0.01, fd, mg, counts, None if status == "passed" else "line 9: boom"
    )


HOOK_PAGE = textwrap.dedent(
    """\
    <!-- result: r uses: d -->
    $$
    x
    $$

    ??? success "Checked: shapes"

        ```python
        # checks: r
        ```

    ??? success "Checked: more"

        ```python
        # checks: r
        ```
    """
)


def test_hook_renders_labels_and_records_and_flags_failures():
    site = results.Site({"p.md": HOOK_PAGE, "q.md": "<!-- definition: d -->\nD.\n"}, {})
    record = _record([_block(8), _block(14, status="failed")])
    markdown, tokens, problems = results.render_page(HOOK_PAGE, "p.md", site, record)
    assert "{: #r .matgrad-label data-search-exclude }" in markdown and "[`d`](q.md#d)" in markdown
    assert '??? success "Checked: shapes @@ledger-0@@"' in markdown
    assert [t[:2] for t in tokens] == [("passed", "passed · FD 1.0e-10 · matgrad 2.0e-16"), ("failed", tokens[1][1])]
    assert tokens[1][1].startswith("failed") and problems == ["p.md:12: the check failed (line 9: boom)"]

    html_in = (
        '<details class="success"><summary>Checked: shapes @@ledger-0@@</summary></details>'
        '<details class="success"><summary>Checked: more @@ledger-1@@</summary></details>'
    )
    html_out, problems = results.render_content(html_in, tokens)
    assert html_out.count('<details data-check-status="passed" class="success">') == 1
    assert html_out.count('<details data-check-status="failed" class="success">') == 1
    assert "@@ledger" not in html_out and not problems
    _, problems = results.render_content(html_in + '<details class="success"><summary>x</summary></details>', tokens)
    assert problems == ["1 Checked box(es) without a check record"]


def test_hook_flags_a_missing_record():
    site = results.Site({"p.md": HOOK_PAGE}, {})
    _, tokens, problems = results.render_page(HOOK_PAGE, "p.md", site, None)
    assert [t[0] for t in tokens] == ["missing", "missing"]
    assert problems == [
        "p.md: r uses d, which no page labels",
        "p.md:6: a Checked box without a check record",
        "p.md:12: a Checked box without a check record",
    ]


def test_results_page_and_graph_from_a_planted_site():
    site = results.Site(
        {"p.md": HOOK_PAGE, "q.md": "<!-- definition: d -->\nD, see [there](#x).\n"},
        {"p.md": _record([_block(8), _block(14, status="failed")])},
    )
    titles = {"q.md": "Q", "p.md": "P"}
    parts = results.results_markdown(site, titles)
    assert "[`r`](p.md#r){#r .matgrad-entry__id} result · **failed**" in parts["entries"]
    assert "D, see [there](q.md#x)." in parts["entries"]  # in-page links point at their page
    assert "| [P](p.md) | 1 | 2 | 1 | 1.0e-10 | 2.0e-16 |" in parts["summary"]
    dot = results.graph_dot(site, titles, lambda src, anchor: f"../{Path(src).stem}/#{anchor}")
    assert '"d" -> "r";' in dot and 'URL="../p/#r"' in dot and 'fillcolor="#ffcdd2"' in dot  # failed: red
    svg, standalone = results.render_svg(dot)
    assert svg.startswith("<svg") and 'xlink:href="../p/#r"' in svg and 'fill="white"' not in svg
    assert standalone.startswith("<?xml") and '<rect width="100%" height="100%" fill="white"/>' in standalone
    assert "DOCTYPE" not in standalone
    for drawn in (svg, standalone):
        hosts = set(re.findall(r"https?://([^/\"]+)", drawn))
        assert hosts <= {"www.w3.org"}, hosts  # XML namespace names only: nothing is requested
