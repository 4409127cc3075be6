"""Guards that keep "every code block on every page is a test" true.

Sybil runs only fences whose info string is exactly ``python`` and silently skips the rest, so:
- a Python-looking fence that is not exactly ``python`` fails here;
- a page whose executed blocks assert nothing fails here (unless listed in NO_CHECKS with a reason);
- the nav and the files must agree, both ways;
- every module that defines a public name of matgrad or a registered function (matgrad.registry),
  and the registry itself, is on the API reference page.
"""

import ast
import re
import sys
import textwrap

import pytest
from sybil import Document
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from tests.site.harness import DOCS, ROOT, executed_blocks, markdown_pages, mkdocs_config, nav_entries, notebooks

# Pages allowed to have no executed check: name -> the reason a reader would accept.
NO_CHECKS: dict[str, str] = {}

PAGES = markdown_pages()

_INFO = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE))


def fences(text, path="page.md"):
    """(line, info string) of every fenced block, found exactly as sybil finds them."""
    document = Document(text, path)
    return [(document.line_column(r.start).split(",")[0], r.lexemes["info"]) for r in _INFO(document)]


def looks_like_python(info):
    """True for an info string that names Python in any spelling (py, pycon, python3, {.python}, ...)."""
    return any(token.startswith(("py", "ipy")) for token in re.findall(r"[a-z0-9]+", info.lower()))


def skipped_python_fences(text):
    """Fences a reader takes for Python but sybil will not run: (line, info) pairs."""
    return [(line, info) for line, info in fences(text) if looks_like_python(info) and info != "python"]


def _checks_in(source):
    """Does this block assert anything? Assert, raise, assert*/check_gradient calls, or doctest output."""
    if source.lstrip().startswith(">>>"):
        return True  # a doctest compares its printed output
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return False  # it cannot run, let alone check; the sybil test of the page reports it
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assert, ast.Raise)):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("assert") or name == "check_gradient":
                return True
    return False


# --- the guards' own detectors can fail (a guard that never fires is no guard) -----------------

# The trailing-space fence is written with {TRAILING_SPACE} so that no editor strips the space.
SAMPLE = """\
```python
ok = 1
```

```py
x = 1
```

??? success "Checked"

    ```pycon
    >>> 1
    ```

```python title="a.py"
y = 2
```

``` {.python}
z = 3
```

~~~python3
w = 4
~~~

```python{TRAILING_SPACE}
trailing = "space"
```

```bash
make test
```

````markdown
```python
nested = True
```
````
""".replace("{TRAILING_SPACE}", " ")


def test_fence_detector_flags_every_python_spelling_sybil_skips():
    flagged = skipped_python_fences(SAMPLE)
    assert [info for _, info in flagged] == [
        "py",
        "pycon",
        'python title="a.py"',
        " {.python}",
        "python3",
        "python ",
    ]
    assert flagged[0][0] == "line 5"


def test_check_detector():
    assert _checks_in("assert x == 1")
    assert _checks_in("np.testing.assert_allclose(a, b)")
    assert _checks_in("check_gradient(f, X, g)")
    assert _checks_in(">>> 1 + 1\n2\n")
    assert not _checks_in("x = 1\nprint(x)")
    assert not _checks_in("# assert nothing\ns = 'assert'")


# --- the guards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_python_fences_are_exactly_python(page):
    bad = skipped_python_fences((DOCS / page).read_text(encoding="utf-8"))
    assert not bad, f"docs/{page}: sybil silently skips these fences; write exactly ```python: " + "; ".join(
        f"{line}: ```{info}" for line, info in bad
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_executes_a_check(page):
    blocks = executed_blocks(DOCS / page)
    if page in NO_CHECKS:
        assert not any(map(_checks_in, blocks)), f"docs/{page} now has checks: remove it from NO_CHECKS"
        return
    assert blocks, f"docs/{page} has no ```python block: every page checks what it states"
    assert any(map(_checks_in, blocks)), (
        f"docs/{page}: its python blocks run but assert nothing (assert, np.testing.assert_*, "
        "check_gradient or a doctest's output)"
    )


def test_no_checks_exceptions_are_pages():
    assert set(NO_CHECKS) <= set(PAGES), set(NO_CHECKS) - set(PAGES)
    assert all(reason.strip() for reason in NO_CHECKS.values())


def test_every_page_and_notebook_is_in_the_nav():
    missing = sorted(set(PAGES + notebooks()) - set(nav_entries()))
    assert not missing, f"not in the nav of mkdocs.yml: {missing}"


def test_every_nav_entry_exists():
    entries = nav_entries()
    assert len(entries) == len(set(entries)), "a page is in the nav twice"
    missing = [e for e in entries if not (DOCS / e).is_file()]
    assert not missing, f"in the nav of mkdocs.yml but no such file under docs/: {missing}"


def test_notebooks_folder_is_linked_into_docs():
    link = DOCS / "derivations"
    assert link.is_symlink() and link.resolve() == (ROOT / "derivations").resolve()


def _public_names_of(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items() if getattr(obj, "__module__", None) == module.__name__]
    return set(names)


def documented_modules():
    """The modules docs/api.md renders, from its ``::: module`` lines."""
    return set(re.findall(r"^::: (\S+)", (DOCS / "api.md").read_text(encoding="utf-8"), re.M))


def modules_to_document():
    """Every module defining a name of ``matgrad.__all__`` or a registered function, and the registry.

    Read off matgrad itself: the names it exports (a module's ``__all__`` or, without one, what it
    defines) and the functions matgrad.registry names, so a new module or layer is found here.
    """
    import matgrad
    from matgrad import registry

    submodules = [
        m
        for name, m in sys.modules.items()
        if name.startswith("matgrad.") and not name.rsplit(".", 1)[-1].startswith("_")
    ]
    defining = {m.__name__ for m in submodules if _public_names_of(m) & set(matgrad.__all__)}
    defining |= {f.__module__ for f in registry.functions().values()}
    return defining | {registry.__name__}


def test_api_page_documents_every_public_module():
    wanted = modules_to_document()
    assert {"matgrad.layers", "matgrad.losses", "matgrad.registry"} <= wanted
    missing = wanted - documented_modules()
    assert not missing, f"docs/api.md lacks '::: module' for {sorted(missing)}"


def test_every_registered_function_is_in_a_documented_module_and_its_all():
    from matgrad import registry

    for name, function in registry.functions().items():
        module = sys.modules[function.__module__]
        assert function.__module__ in documented_modules(), f"{name}: its module is not on docs/api.md"
        assert name in getattr(module, "__all__", ()), f"{name} is missing from {module.__name__}.__all__"


def test_site_settings_that_keep_the_promises():
    """Settings whose silent change would break a promise of the site.

    The promises: the build is strict (a warning, such as a broken link, fails it); a reader's
    browser asks no third party for anything (Material would otherwise fetch Google Fonts, and with
    ``repo_url`` call the GitHub API on every page); and every notebook is executed on every build,
    a notebook that raises failing the build instead of publishing its traceback.
    """
    config = mkdocs_config()
    assert config["strict"] is True
    assert config["theme"]["font"] is False, "Material would load Google Fonts"
    assert "repo_url" not in config, "Material would call a third-party API on every page"
    jupyter = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert jupyter["execute"] is True and jupyter["allow_errors"] is False, "a failing notebook must fail the build"
    assert jupyter["include"] == ["derivations/*.py"], "only the notebooks are notebooks"
    assert "cache" not in jupyter, "caching is decided by hooks/notebook_cache.py (never stale)"
    assert "hooks/notebook_cache.py" in config["hooks"]
