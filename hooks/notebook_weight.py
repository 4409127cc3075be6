"""Notebook pages stay light: their stylesheets and their plots are files, not inline text.

mkdocs-jupyter inlines JupyterLab's stylesheets (about 590 KB, the same on every notebook page) and
every plot, as a base64 PNG, into each notebook page. Here each inline stylesheet becomes a file
named by its content's hash under ``assets/notebooks/`` (one file for all notebook pages, which the
browser then caches), and each plot a PNG file beside it, loaded lazily, with its width and height
(no layout shift) and a real alt text.

The alt text comes from the notebook's source: the cell that draws a plot says what it shows in a
comment ``# alt: ...`` (one per plot, in the order of the plots; the comment lines right below it
continue it). A plot without one, or one
without a plot, is a warning, so the strict build fails: no image goes out with nbconvert's
placeholder ("No description has been provided for this image").
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import struct
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.notebook_weight")

ASSETS = "assets/notebooks"
STYLE = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.S)
PNG = re.compile(
    r'<img\b(?P<before>[^>]*?)\s+src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*?)/?>'
)
ALT_ATTR = re.compile(r'\s*\balt="[^"]*"')
ALT_COMMENT = re.compile(r"^\s*# alt: (?P<text>\S.*?)\s*$")
CONTINUED = re.compile(r"^\s*#\s+(?P<text>\S.*?)\s*$")


def alt_texts(source: str) -> list[str]:
    """The ``# alt: ...`` comments of a notebook's source (with the comment lines that continue
    them), in order."""
    texts: list[str] = []
    lines = iter(source.splitlines())
    for line in lines:
        if m := ALT_COMMENT.match(line):
            words = [m.group("text")]
            for more in lines:
                if not (c := CONTINUED.match(more)):
                    break
                words.append(c.group("text"))
            texts.append(" ".join(words))
    return texts


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _store(site_dir: Path, content: bytes, suffix: str) -> str:
    """Write content once under ASSETS, named by its hash; returns its path from the site root."""
    name = f"{ASSETS}/{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
    target = site_dir / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return name


def lighten(page_html: str, page_url: str, source: str, site_dir: Path) -> tuple[str, list[str]]:
    """The page with its stylesheets and plots moved into files; returns it and the problems found.

    ``page_url`` is the page's URL from the site root (``derivations/iris_two_layer/``), so that
    the links are relative and the site works wherever it is served.
    """
    up = "../" * page_url.count("/")

    def stylesheet(m: re.Match[str]) -> str:
        name = _store(site_dir, m.group("css").encode("utf-8"), ".css")
        return f'<link rel="stylesheet" href="{up}{name}">'

    alts = alt_texts(source)
    problems: list[str] = []
    count = 0

    def plot(m: re.Match[str]) -> str:
        nonlocal count
        data = base64.b64decode(m.group("data"))
        width, height = png_size(data)
        alt = alts[count] if count < len(alts) else ""
        count += 1
        name = _store(site_dir, data, ".png")
        attrs = ALT_ATTR.sub("", m.group("before") + m.group("after"))
        return (
            f'<img src="{up}{name}" alt="{html.escape(alt, quote=True)}" width="{width}" height="{height}"'
            f' loading="lazy" decoding="async"{attrs}>'
        )

    page_html = STYLE.sub(stylesheet, page_html)
    page_html = PNG.sub(plot, page_html)
    if count != len(alts):
        problems.append(f"{count} plot(s) but {len(alts)} '# alt:' line(s) in the notebook's source")
    return page_html, problems


def on_page_content(html_text, page, config, files):
    if not getattr(page, "nb_url", None):  # set by mkdocs-jupyter on notebook pages
        return html_text
    source = Path(page.file.abs_src_path).read_text(encoding="utf-8")
    html_text, problems = lighten(html_text, page.url, source, Path(config["site_dir"]))
    for problem in problems:
        log.warning("%s: %s", page.file.src_uri, problem)
    return html_text
