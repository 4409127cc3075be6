"""What the site is made of, read from mkdocs.yml and the files: shared by the docs tests."""

from pathlib import Path

from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "derivations"
# Not pages: third-party assets copied in by the setup, and the site's own scripts and styles.
NOT_PAGES = ("assets", "javascripts", "stylesheets")


def mkdocs_config():
    """mkdocs.yml as a dict (its !ENV tags resolved), without loading the plugins."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        return yaml_load(f)


def _flatten(nav):
    for item in nav:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from _flatten(value) if isinstance(value, list) else [value]


def nav_entries():
    """Every page the nav names, as paths relative to docs/, in nav order (external links left out)."""
    return [e for e in _flatten(mkdocs_config()["nav"]) if "://" not in e]


def markdown_pages():
    """Every Markdown page under docs/, relative to docs/, sorted."""
    return sorted(
        p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if p.relative_to(DOCS).parts[0] not in NOT_PAGES
    )


def notebooks():
    """Every notebook (jupytext percent .py) in derivations/, as its docs/ path ("derivations/x.py")."""
    return sorted(f"derivations/{p.name}" for p in NOTEBOOKS.glob("*.py"))


def page_url(src):
    """The site URL path of a page (use_directory_urls): index.md -> "", a/b.md or a/b.py -> "a/b/"."""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"
