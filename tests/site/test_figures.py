"""The figures show what their pages check: each drawing's content against the page's own arrays.

Every figure is made as the build makes it (hooks/figures.py: the page's blocks before its marker,
then the figure's function), and what it draws is read back from the SVG and compared with values
computed here independently: finite-difference Jacobians, matgrad's layers, index formulas.
"""

from __future__ import annotations

import html
import re
from functools import cache
from xml.etree import ElementTree

import numpy as np
import pytest

from hooks import figure_drawings, figures
from matgrad import (
    affine_backward,
    affine_forward,
    attention_forward,
    batchnorm_forward,
    layernorm_forward,
    numerical_jacobian,
    two_layer_forward_backward,
    vec,
)
from tests.site.harness import DOCS, ROOT

TABLE = figures.figures()


@cache
def made(name: str):
    """(figure, the page's namespace at the figure's marker)."""
    page, make = TABLE[name]
    markdown = (DOCS / page).read_text(encoding="utf-8")
    markers = [m for m in figures.MARKER.finditer(markdown) if m["name"] == name]
    assert len(markers) == 1, f"{page} must place figure {name} exactly once"
    line = markdown.count("\n", 0, markers[0].start()) + 1
    ns = figures.page_namespace(markdown, line, page)
    return make(ns), ns


def cells(svg: str, **match: str) -> list[dict[str, str]]:
    """The data-* attributes of every element whose data attributes include ``match``."""
    out = []
    for tag in re.findall(r"<(?:rect|text)\b[^>]*>", svg):
        data = dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag))
        if data and all(data.get(k) == v for k, v in match.items()):
            out.append(data)
    return out


def texts(svg: str, **match: str) -> list[tuple[dict[str, str], str]]:
    out = []
    for attrs, body in re.findall(r"<text\b([^>]*)>([^<]*)</text>", svg):
        data = dict(re.findall(r'data-([a-z]+)="([^"]*)"', attrs))
        if data and all(data.get(k) == v for k, v in match.items()):
            out.append((data, body))
    return out


# --- every figure ------------------------------------------------------------------------------------


def test_every_figure_is_placed_once_on_its_page_and_the_hook_is_wired():
    for name in TABLE:
        made(name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "hooks/figures.py" in config
    assert config.index("hooks/figures.py") > config.index("hooks/results.py")  # sees the final page text


@pytest.mark.parametrize("name", sorted(TABLE))
def test_figure_is_accessible_self_hosted_and_follows_the_colour_scheme(name):
    figure, _ = made(name)
    svg = figure.svg
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "\n" not in svg
    ElementTree.fromstring(svg)  # well-formed XML (a standalone file must parse, not only inline HTML)
    assert len(figure.alt) > 80 and "No description" not in figure.alt
    assert f'aria-label="{html.escape(figure.alt)}"' in svg and 'role="img"' in svg
    assert "<title>" in svg and len(figure.caption) > 60
    # nothing fetched, nothing run: no URL but the SVG namespace, no script, no external font
    assert not re.search(r"<script|@import|@font-face|href=\"http|url\(", svg)
    assert set(re.findall(r"https?://[^\"' ]+", svg)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    # lines and text in the page's colour; no opaque black or white that would vanish in one scheme
    assert not re.search(r'(fill|stroke)="(black|white|#000000|#ffffff|#000|#fff)"', svg, re.I)
    for colour in re.findall(r'fill="(#[0-9a-fA-F]{6})"', svg):  # coloured fills are translucent tints
        assert colour in figure_drawings.FILLS.values()
    assert "currentColor" in svg
    html_text = figures.figure_html(figure, f"../figures/{name}.svg")
    assert "<figcaption>" in html_text and f'href="../figures/{name}.svg"' in html_text


# --- what each figure shows --------------------------------------------------------------------------


def test_shape_boxes_are_the_products_the_page_checks_drawn_to_scale():
    figure, ns = made("shape-boxes")
    X, W, dZ = ns["X"], ns["W"], ns["dZ"]
    _, cache_ = affine_forward(X, W, ns["b"])
    dX, dW, db = affine_backward(dZ, cache_)
    boxes = [(b["name"], int(b["rows"]), int(b["cols"])) for b in cells(figure.svg) if "name" in b]
    assert boxes == [
        ("Xᵀ", *X.T.shape), ("G", *dZ.shape), ("∂L/∂W", *dW.shape),
        ("G", *dZ.shape), ("Wᵀ", *W.T.shape), ("∂L/∂X", *dX.shape),
        ("1ᵀ", 1, X.shape[0]), ("G", *dZ.shape), ("∂L/∂bᵀ", 1, db.shape[0]),
    ]  # fmt: skip
    for tag in re.findall(r"<rect\b[^>]*data-name[^>]*>", figure.svg):  # to scale: one cell per entry
        w, h = (float(re.search(rf'{k}="([^"]+)"', tag)[1]) for k in ("width", "height"))
        rows, cols = (int(re.search(rf'data-{k}="([^"]+)"', tag)[1]) for k in ("rows", "cols"))
        assert (w, h) == (cols * figure_drawings.CELL, rows * figure_drawings.CELL)


def test_outer_products_sum_to_the_weight_gradient():
    figure, ns = made("outer-products")
    X, dZ = ns["X"], ns["dZ"]
    N, D = X.shape
    _, cache_ = affine_forward(X, ns["W"], ns["b"])
    dW = affine_backward(dZ, cache_)[1]
    drawn = {}
    for c in cells(figure.svg):
        if "term" in c:
            drawn.setdefault(int(c["term"]), np.zeros((D, dZ.shape[1]), int))[int(c["i"]), int(c["j"])] = int(c["sign"])
    assert sorted(drawn) == list(range(N + 1))
    for n in range(N):  # each term is the outer product of row n of X with row n of G
        np.testing.assert_array_equal(drawn[n], np.sign(X[n][:, None] * dZ[n][None, :]))
    np.testing.assert_array_equal(drawn[N], np.sign(dW))  # and the last grid is matgrad's dL/dW


def test_vec_order_numbers_are_the_positions_in_vec_and_in_the_row_major_reshape():
    figure, _ = made("vec-order")
    rows, cols = 3, 4
    for order, position in (("vec(", lambda i, j: i + j * rows + 1), ("vecᵣ", lambda i, j: i * cols + j + 1)):
        grid = np.zeros((rows, cols), int)
        for data, body in texts(figure.svg, order=order):
            grid[int(data["i"]), int(data["j"])] = int(body)
        expected = np.array([[position(i, j) for j in range(cols)] for i in range(rows)])
        np.testing.assert_array_equal(grid, expected)
    grid = np.zeros((rows, cols), int)
    for data, body in texts(figure.svg, order="vec("):
        grid[int(data["i"]), int(data["j"])] = int(body)
    np.testing.assert_array_equal(vec(grid), np.arange(1, rows * cols + 1))  # read by matgrad's vec: 1, 2, ...


def test_kron_sparsity_is_the_nonzero_pattern_of_the_jacobian_by_finite_differences():
    figure, ns = made("kron-sparsity")
    X, H = ns["X"], ns["H"]
    N, D = X.shape
    W = np.random.default_rng(3).standard_normal((D, H))
    J_col = numerical_jacobian(lambda W_: X @ W_, W)  # vec(XW) by vec(W), column-major
    J_row = numerical_jacobian(lambda w: (X @ w.reshape(D, H)).reshape(-1), W.reshape(-1))  # row-major
    assert J_col.shape == J_row.shape == (N * H, D * H)
    drawn = {}
    for of, J in (("I", J_col), ("X", J_row)):
        drawn[of] = {tuple(int(k) for k in c["nz"].split(",")) for c in cells(figure.svg, of=of)}
        assert drawn[of] == set(zip(*map(list, np.nonzero(np.abs(J) > 1e-6)), strict=True))
    assert drawn["I"] != drawn["X"]  # the same Jacobian, two layouts


def test_two_layer_graph_labels_every_gradient_with_matgrads_shape():
    figure, ns = made("two-layer-graph")
    N, D, H, C = ns["N"], ns["D"], ns["H"], ns["C"]
    rng = np.random.default_rng(5)
    params = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
              "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}  # fmt: skip
    _, grads = two_layer_forward_backward(params, rng.standard_normal((N, D)), rng.integers(0, C, N))
    text = html.unescape(re.sub(r"<[^>]+>", "\n", figure.svg)).replace("\xa0", " ")
    names = {"W1": "W₁", "b1": "b₁", "W2": "W₂", "b2": "b₂"}
    for key, g in grads.items():
        shape = "×".join(map(str, g.shape))
        assert re.search(rf"◀ ∂L/∂{names[key]} = .* {shape}\n", text), (key, shape)
    for a, b, _, _ in figure_drawings.graph_edges(N, D, H, C):  # every edge is drawn, with its id
        assert f'id="tlg_edge_{a}_{b}"' in figure.svg
    assert text.count("rows add") == 2 and text.count(f"sum over the {N} rows") == 2


def test_normalisation_groups_are_what_batch_and_layer_norm_normalise():
    figure, ns = made("norm-axes")
    X = ns["X"]
    N, D = X.shape
    Xb = batchnorm_forward(X, np.ones(D), np.zeros(D))[0]
    Xl = layernorm_forward(X, np.ones(D), np.zeros(D))[0]
    rects = [c for c in cells(figure.svg) if "group" in c]
    assert len(rects) == 2 * N * D
    for out, part in ((Xb, rects[: N * D]), (Xl, rects[N * D :])):
        groups = {}
        for c in part:
            groups.setdefault(int(c["group"]), []).append(out[int(c["i"]), int(c["j"])])
        for values in groups.values():  # each drawn group is one that the layer gives mean 0, variance 1
            assert abs(np.mean(values)) < 1e-12 and abs(np.var(values) - 1) < 1e-3
    assert len({c["group"] for c in rects[: N * D]}) == D and len({c["group"] for c in rects[N * D :]}) == N


def test_causal_scores_mask_is_where_matgrads_causal_weights_vanish():
    figure, ns = made("causal-scores")
    N = ns["N"]
    _, cache_ = attention_forward(ns["Qc"], ns["Kc"], ns["Vc"], causal=True)
    kept = np.zeros((N, N), int)
    for c in cells(figure.svg):
        if "kept" in c:
            kept[int(c["i"]), int(c["j"])] = int(c["kept"])
    np.testing.assert_array_equal(kept, (cache_.Pi != 0).astype(int))
    np.testing.assert_array_equal(kept, np.tril(np.ones((N, N), int)))
    shown = {(int(d["i"]), int(d["j"])): body for d, body in texts(figure.svg) if "i" in d}
    for (i, j), body in shown.items():
        assert body == (f"{cache_.Pi[i, j]:.2f}" if kept[i, j] else "−∞")
