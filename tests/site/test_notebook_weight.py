"""hooks/notebook_weight.py: notebook stylesheets and plots become files, each plot with its alt text."""

import base64
import struct
import zlib

import pytest

from tests.site.harness import DOCS, hook_module

weight = hook_module("notebook_weight")
PLACEHOLDER = "No description has been provided for this image"


def _png(width, height):
    """A valid PNG of the given size (one grey pixel per entry)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _page(*pngs):
    images = "".join(
        f'<div class="jp-RenderedImage"><img alt="{PLACEHOLDER}" class="" src="data:image/png;base64,'
        f'{base64.b64encode(p).decode()}"/></div>'
        for p in pngs
    )
    return f'<style type="text/css">.jp-Cell {{ color: red; }}</style><p>text</p>{images}'


SOURCE = """# %%
plt.plot(x, y)
# alt: The loss falls
#      over the epochs.
plt.show()

# %%
# alt: A confusion matrix.
plt.show()
"""


def test_alt_texts_are_read_in_order_with_their_continuation_lines():
    assert weight.alt_texts(SOURCE) == ["The loss falls over the epochs.", "A confusion matrix."]


def test_stylesheets_and_plots_become_files_with_size_lazy_loading_and_alt(tmp_path):
    first, second = _png(7, 3), _png(2, 5)
    html, problems = weight.lighten(_page(first, second), "derivations/nb/", SOURCE, tmp_path)
    assert problems == []
    assert "<style" not in html and "data:image" not in html and PLACEHOLDER not in html
    (css,) = (tmp_path / "assets" / "notebooks").glob("*.css")
    assert css.read_text() == ".jp-Cell { color: red; }"
    assert f'<link rel="stylesheet" href="../../assets/notebooks/{css.name}">' in html
    pngs = {p.read_bytes(): p.name for p in (tmp_path / "assets" / "notebooks").glob("*.png")}
    assert set(pngs) == {first, second}
    assert (
        f'<img src="../../assets/notebooks/{pngs[first]}" alt="The loss falls over the epochs." width="7" height="3"'
        ' loading="lazy" decoding="async" class="">'
    ) in html
    assert f'src="../../assets/notebooks/{pngs[second]}" alt="A confusion matrix." width="2" height="5"' in html


def test_a_plot_without_its_alt_line_is_a_problem(tmp_path):
    _, problems = weight.lighten(_page(_png(1, 1)), "nb/", "plt.show()\n", tmp_path)
    assert problems == ["1 plot(s) but 0 '# alt:' line(s) in the notebook's source"]
    _, problems = weight.lighten(_page(), "nb/", SOURCE, tmp_path)
    assert problems == ["0 plot(s) but 2 '# alt:' line(s) in the notebook's source"]


def test_png_size_refuses_what_is_not_a_png():
    assert weight.png_size(_png(640, 480)) == (640, 480)
    with pytest.raises(ValueError, match="not a PNG"):
        weight.png_size(b"GIF89a" + bytes(30))


def test_every_plot_of_every_notebook_has_an_alt_line():
    """One '# alt:' comment per plt.show() in each notebook (the build checks the rendered plots)."""
    for notebook in sorted((DOCS / "derivations").glob("*.py")):
        source = notebook.read_text(encoding="utf-8")
        shows = source.count("plt.show()")
        assert shows > 0 and len(weight.alt_texts(source)) == shows, notebook.name
