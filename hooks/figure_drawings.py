"""The site's figures, drawn as SVG from the arrays and functions the pages check.

Each figure function returns a :class:`Figure`: the SVG (lines and text in ``currentColor``, fills
translucent, so it reads on Material's light and dark schemes alike), its alt text and caption. The
SVG's elements carry what they encode in data-* attributes (the numbers in a grid, the cells of a
sparsity pattern, the shapes of the boxes), which tests/site/test_figures.py reads back and compares
with the arrays themselves.
Nothing here is fetched from elsewhere: text uses the page's own font, there are no scripts.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from matgrad import vec

# Translucent fills: on white they are light tints, on Material's dark slate dark tints; text and
# lines are currentColor (the page's text colour) in both.
FILLS = {"blue": "#3f51b5", "green": "#2e7d32", "orange": "#ef6c00", "red": "#c62828", "grey": "#888888"}
CELL = 16  # px per matrix entry in the shape figures


@dataclass
class Figure:
    name: str
    svg: str
    alt: str
    caption: str


class Canvas:
    """A few SVG primitives, collected in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        colour: str = "grey",
        opacity: float = 0.3,
        stroke: bool = True,
        **data: object,
    ) -> None:
        attrs = "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in data.items())
        outline = ' stroke="currentColor" stroke-width="1"' if stroke else ""
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" fill="{FILLS[colour]}" fill-opacity="{opacity:g}"'
            f"{outline}{attrs}/>"
        )

    def text(
        self, x: float, y: float, s: str, anchor: str = "middle", size: int = 12, italic: bool = False, **data: object
    ) -> None:
        attrs = "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in data.items())
        style = ' font-style="italic"' if italic else ""
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" dominant-baseline="central" font-family="inherit"'
            f' font-size="{size}" fill="currentColor"{style}{attrs}>{html.escape(s)}</text>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, dash: bool = False) -> None:
        d = ' stroke-dasharray="4 3"' if dash else ""
        self.parts.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="currentColor"{d}/>')

    def svg(self, width: float, height: float, title: str) -> str:
        body = "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}"'
            f' style="max-width:100%;height:auto;color:inherit" role="img" aria-label="{html.escape(title)}">'
            f"<title>{html.escape(title)}</title>{body}</svg>"
        )


def _matrix(c: Canvas, x: float, y: float, rows: int, cols: int, name: str, colour: str) -> tuple[float, float]:
    """A matrix as a box of rows x cols cells, its name inside and its dimensions on two sides."""
    w, h = cols * CELL, rows * CELL
    c.rect(x, y, w, h, colour, name=name, rows=rows, cols=cols)
    c.text(x + w / 2, y + h / 2, name, italic=True, size=13)
    c.text(x + w / 2, y - 9, str(cols), size=11)
    c.text(x - 8, y + h / 2, str(rows), size=11)
    return w, h


# --- batch-extension.md: the three backward products of an affine layer, to scale -----------------------


def shape_boxes(X: np.ndarray, W: np.ndarray, G: np.ndarray) -> Figure:
    """X^T G (D x N)(N x H), G W^T (N x H)(H x D), 1_N^T G (1 x N)(N x H), each box drawn to scale.

    The shapes drawn are those of the page's own X (N x D), W (D x H) and G (N x H) and of the
    products NumPy forms from them.
    """
    (N, D), H = X.shape, W.shape[1]
    ones = np.ones((1, N))
    products = [
        ("dW", [("Xᵀ", X.T.shape), ("G", G.shape)], ("∂L/∂W", (X.T @ G).shape), "green"),
        ("dX", [("G", G.shape), ("Wᵀ", W.T.shape)], ("∂L/∂X", (G @ W.T).shape), "blue"),
        ("db", [("1ᵀ", ones.shape), ("G", G.shape)], ("∂L/∂bᵀ", (ones @ G).shape), "orange"),
    ]
    c = Canvas()
    y, width = 24.0, 0.0
    for _, factors, (result, rshape), colour in products:
        x = 20.0
        row_h = max(s[0] for _, s in factors) * CELL
        for i, (name, shape) in enumerate(factors):
            w, _ = _matrix(c, x, y, shape[0], shape[1], name, "grey" if name != "G" else "red")
            x += w + (34 if i == 0 else 0)
            if i == 0:
                c.text(x - 21, y + row_h / 2, "·", size=18)
        c.text(x + 14, y + row_h / 2, "=", size=16)
        x += 44
        w, _ = _matrix(c, x, y, rshape[0], rshape[1], result, colour)
        width = max(width, x + w + 20)
        y += row_h + 36
    alt = (
        f"Three matrix products drawn to scale with N = {N}, D = {D}, H = {H}: X transposed ({D} by {N}) times G "
        f"({N} by {H}) gives dL/dW ({D} by {H}); G ({N} by {H}) times W transposed ({H} by {D}) gives dL/dX "
        f"({N} by {D}); a row of {N} ones times G gives dL/db, one row of {H}."
    )
    caption = (
        f"The backward products of an affine layer, each box one entry per cell (N = {N}, D = {D}, H = {H}, this "
        "page's sizes): the inner sizes match and cancel, and each result has the shape of its variable."
    )
    return Figure("shape-boxes", c.svg(width, y - 12, alt), alt, caption)


def outer_products(X: np.ndarray, G: np.ndarray) -> Figure:
    """X^T G as the sum of N rank-one outer products x_n^T g_n, each drawn as its D x H sign pattern."""
    N, D = X.shape
    H = G.shape[1]
    terms = [np.outer(X[n], G[n]) for n in range(N)]
    c = Canvas()
    x, y = 12.0, 30.0
    cell = 10
    for n, T in enumerate([*terms, sum(terms)]):
        last = n == N
        for i in range(D):
            for j in range(H):
                colour = "blue" if T[i, j] > 0 else "red"
                opacity = 0.15 + 0.6 * min(1.0, abs(T[i, j]) / (np.abs(T).max() or 1))
                c.rect(
                    x + j * cell,
                    y + i * cell,
                    cell,
                    cell,
                    colour,
                    opacity,
                    term=n,
                    i=i,
                    j=j,
                    sign=int(np.sign(T[i, j])),
                )
        label = "XᵀG" if last else f"x{n + 1}ᵀg{n + 1}"
        c.text(x + H * cell / 2, y - 12, label, size=11)
        x += H * cell
        if n < N:
            c.text(x + 8, y + D * cell / 2, "=" if n == N - 1 else "+", size=13)
            x += 16
    alt = (
        f"{N} small {D} by {H} grids, the outer products of row n of X with row n of G, joined by plus signs, "
        f"equal one {D} by {H} grid, X transposed G; blue cells are positive entries, red negative, darker larger."
    )
    caption = (
        f"XᵀG = Σₙ xₙᵀgₙ: one rank-one D × H term per example (N = {N}, this page's X and its random G); the weight "
        "gradient is their sum."
    )
    return Figure("outer-products", c.svg(x + 12, y + D * cell + 10, alt), alt, caption)


# --- jacobian-layout.md: vec order and the Kronecker Jacobians' sparsity ---------------------------------


def vec_order(rows: int = 3, cols: int = 4) -> Figure:
    """A rows x cols grid numbered by each entry's position in vec (column-major) and in vec_r (row-major)."""
    U = np.arange(rows * cols).reshape(rows, cols)  # entry (i, j) holds its own row-major index
    column_major = np.empty_like(U)
    column_major.flat[vec(U)] = np.arange(1, U.size + 1)  # position of each entry in vec(U), 1-based
    row_major = np.empty_like(U)
    row_major.flat[U.reshape(-1)] = np.arange(1, U.size + 1)
    c = Canvas()
    cell = 30
    x0 = 20.0
    for title, grid, colour in (
        ("vec(U): columns stacked", column_major, "blue"),
        ("vecᵣ(U): rows stacked (NumPy)", row_major, "orange"),
    ):
        c.text(x0 + cols * cell / 2, 14, title, size=12)
        for i in range(rows):
            for j in range(cols):
                c.rect(x0 + j * cell, 30 + i * cell, cell, cell, colour, 0.12 + 0.5 * (grid[i, j] - 1) / (U.size - 1))
                c.text(x0 + j * cell + cell / 2, 30 + i * cell + cell / 2, str(grid[i, j]), order=title[:4], i=i, j=j)
        x0 += cols * cell + 60
    alt = (
        f"Two {rows} by {cols} grids. Left, numbered by vec: 1 to {rows} down the first column, then down the next "
        f"columns. Right, numbered by NumPy's default reshape: 1 to {cols} along the first row, then along the "
        "next rows."
    )
    caption = (
        f"The position of each entry of a {rows} × {cols} matrix U in vec(U) (matgrad's vec, column-major) and in "
        "vecᵣ(U) (U.reshape(-1), NumPy's row-major default); darker cells come later."
    )
    return Figure("vec-order", c.svg(x0 - 40, 30 + rows * cell + 10, alt), alt, caption)


def kron_sparsity(X: np.ndarray, H: int) -> Figure:
    """The nonzeros of I_H (x) X (d vec(XW)/d vec(W)) and of X (x) I_H (the same in row-major order)."""
    N, D = X.shape
    col = np.kron(np.eye(H), X)  # NH x DH
    row = np.kron(X, np.eye(H))
    c = Canvas()
    cell = 6
    x0 = 20.0
    for title, J, colour in (("I_H ⊗ X (vec)", col, "blue"), ("X ⊗ I_H (vecᵣ)", row, "orange")):
        c.text(x0 + J.shape[1] * cell / 2, 12, title, size=12)
        c.rect(x0, 24, J.shape[1] * cell, J.shape[0] * cell, "grey", 0.0)
        for i, j in zip(*np.nonzero(J), strict=True):
            c.rect(x0 + j * cell, 24 + i * cell, cell, cell, colour, 0.85, stroke=False, nz=f"{i},{j}", of=title[:1])
        c.text(x0 + J.shape[1] * cell / 2, 24 + J.shape[0] * cell + 12, f"{J.shape[0]} × {J.shape[1]}", size=11)
        x0 += J.shape[1] * cell + 50
    alt = (
        f"Two {N * H} by {D * H} sparsity patterns. Left, I_H kron X: {H} copies of the {N} by {D} block of X along "
        f"the diagonal, zeros elsewhere. Right, X kron I_H: the same nonzeros spread out, each entry of X a "
        f"diagonal {H} by {H} block."
    )
    caption = (
        f"Nonzeros of the Jacobian of vec(XW) by vec(W), I_H ⊗ X, and of the same Jacobian in NumPy's row-major "
        f"order, X ⊗ I_H (this page's X, N = {N}, D = {D}, H = {H}). Both are {N * H} × {D * H} with the same "
        f"{np.count_nonzero(col)} nonzeros, placed differently."
    )
    return Figure("kron-sparsity", c.svg(x0 - 30, 24 + N * H * cell + 24, alt), alt, caption)


# --- softmax-cross-entropy.md: the two-layer net's computational graph (Graphviz) ------------------------

GRAPH_NODES = ["X", "W1", "b1", "Z1", "A1", "W2", "b2", "Z2", "P", "Y", "L"]


def graph_edges(N: int, D: int, H: int, C: int) -> list[tuple[str, str, str, str]]:
    """(from, to, forward value and shape, backward gradient and shape) for each edge of the net."""
    return [
        ("X", "Z1", f"X  {N}×{D}", ""),
        ("W1", "Z1", f"W₁  {D}×{H}", f"∂L/∂W₁ = XᵀG₁  {D}×{H}\n(sum over the {N} rows)"),
        ("b1", "Z1", f"b₁  {H}", f"∂L/∂b₁ = G₁ᵀ1  {H}\n(broadcast: rows add)"),
        ("Z1", "A1", f"Z₁  {N}×{H}", f"G₁ = ∂L/∂A₁ ⊙ relu′(Z₁)  {N}×{H}"),
        ("A1", "Z2", f"A₁  {N}×{H}", f"∂L/∂A₁ = G₂W₂ᵀ  {N}×{H}"),
        ("W2", "Z2", f"W₂  {H}×{C}", f"∂L/∂W₂ = A₁ᵀG₂  {H}×{C}\n(sum over the {N} rows)"),
        ("b2", "Z2", f"b₂  {C}", f"∂L/∂b₂ = G₂ᵀ1  {C}\n(broadcast: rows add)"),
        ("Z2", "P", f"Z₂  {N}×{C}", f"G₂ = (P − Y)/N  {N}×{C}"),
        ("P", "L", f"P  {N}×{C}", ""),
        ("Y", "L", f"Y  {N}×{C}", ""),
    ]


def graph_dot(N: int, D: int, H: int, C: int) -> str:
    labels = {
        "Z1": "Z₁ = XW₁ + 1b₁ᵀ",
        "A1": "A₁ = relu(Z₁)",
        "Z2": "Z₂ = A₁W₂ + 1b₂ᵀ",
        "P": "P = softmax(Z₂)",
        "L": "L = cross-entropy(P, Y)\n(mean over rows)",
        "W1": "W₁",
        "b1": "b₁",
        "W2": "W₂",
        "b2": "b₂",
        "X": "X",
        "Y": "Y",
    }
    lines = [
        "digraph G {",
        '  rankdir=TB; bgcolor="transparent"; nodesep=0.4; ranksep=0.35;',
        '  node [shape=box, style="rounded", fontname="sans-serif", fontsize=13, color="black", fontcolor="black"];',
        '  edge [fontname="sans-serif", fontsize=11, color="black", fontcolor="black"];',
    ]
    for n in GRAPH_NODES:
        shape = "ellipse" if n in ("X", "Y", "W1", "b1", "W2", "b2") else "box"
        lines.append(f'  {n} [label="{labels[n]}", shape={shape}, id="tlg_node_{n}"];')
    for a, b, fwd, bwd in graph_edges(N, D, H, C):
        label = fwd + ("\\n" + "\\n".join(f"◀ {x}" for x in bwd.split("\n")) if bwd else "")
        lines.append(f'  {a} -> {b} [label="{label}", id="tlg_edge_{a}_{b}"];')
    lines.append("}")
    return "\n".join(lines)


def _theme_svg(svg: str) -> str:
    """Graphviz's black/white made currentColor/none, its header and fixed size dropped."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'(fill|stroke)="black"', r'\1="currentColor"', svg)
    svg = re.sub(r'fill="white"', 'fill="none"', svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', svg)[1])  # its natural width, in px
    style = f'<svg width="{width:g}" style="max-width:100%;height:auto;color:inherit"'
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', style, svg, count=1)
    return " ".join(line.strip() for line in svg.splitlines() if line.strip())


def computational_graph(N: int, D: int, H: int, C: int) -> Figure:
    """The two-layer net's graph: forward values (name, shape) and backward gradients on the edges."""
    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError("Graphviz's dot is not installed (apt-get install graphviz; `make setup` does it)")
    done = subprocess.run(
        [executable, "-Tsvg"], input=graph_dot(N, D, H, C), capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.strip()}")
    alt = (
        f"Computational graph of the two-layer net with N = {N}, D = {D}, H = {H}, C = {C}: X, W1 and b1 feed "
        f"Z1 = X W1 + 1 b1 transposed; relu gives A1; A1, W2 and b2 feed Z2; softmax gives P; P and Y give the loss L. "
        "Each edge carries its forward value with its shape and, marked with a left arrow, the gradient sent back "
        "with its shape; the bias and weight edges note that the gradients of the N rows add up."
    )
    svg = _theme_svg(done.stdout).replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    caption = (
        "The two-layer net of this page as a graph. Forward values run from top to bottom (name, shape); the gradient "
        "each edge carries back is marked ◀, with its shape, the shape of the value. Gradients add where a value "
        "is used more than once: b₁ is broadcast to every row, so ∂L/∂b₁ sums the rows of G₁; W₁ is used by "
        "every row, so XᵀG₁ sums N outer products."
    )
    return Figure("two-layer-graph", svg, alt, caption)


# --- normalisation.md and attention.md -------------------------------------------------------------------


def normalisation_axes(N: int, D: int) -> Figure:
    """Batch norm's statistics over each column (N entries) beside layer norm's over each row (D entries)."""
    c = Canvas()
    cell = 22
    x0 = 30.0
    for title, axis, colour in (("batch norm: μ, s per column", 0, "blue"), ("layer norm: per row", 1, "orange")):
        c.text(x0 + D * cell / 2, 14, title, size=12)
        for i in range(N):
            for j in range(D):
                group = j if axis == 0 else i
                c.rect(
                    x0 + j * cell, 30 + i * cell, cell, cell, colour, 0.15 + 0.55 * (group % 2), group=group, i=i, j=j
                )
        c.text(x0 + D * cell / 2, 30 + N * cell + 12, f"{N} × {D}", size=11)
        x0 += D * cell + 70
    alt = (
        f"Two {N} by {D} grids of X. Left, batch norm: the cells are shaded by column, each column (one feature over "
        f"the {N} examples) one group with its own mean and standard deviation. Right, layer norm: shaded by row, "
        f"each row (one example over its {D} features) one group."
    )
    caption = (
        f"Which entries share a mean and a standard deviation: batch norm normalises each column of X ({D} groups of "
        f"{N}), layer norm each row ({N} groups of {D}); alternate shading marks the groups."
    )
    return Figure("norm-axes", c.svg(x0 - 40, 30 + N * cell + 24, alt), alt, caption)


def causal_scores(Pi: np.ndarray) -> Figure:
    """The page's causal attention weights (N x N): kept cells shaded by weight, masked ones marked."""
    N = Pi.shape[0]
    kept = Pi != 0
    c = Canvas()
    cell = 30
    x0, y0 = 50.0, 40.0
    c.text(x0 + N * cell / 2, 12, "keys j (S = N)", size=12)
    c.text(20, y0 + N * cell / 2, "queries i", size=12)
    for i in range(N):
        for j in range(N):
            k = bool(kept[i, j])
            c.rect(
                x0 + j * cell,
                y0 + i * cell,
                cell,
                cell,
                "blue" if k else "grey",
                0.1 + 0.8 * Pi[i, j] if k else 0.04,
                kept=int(k),
                i=i,
                j=j,
            )
            c.text(
                x0 + j * cell + cell / 2, y0 + i * cell + cell / 2, f"{Pi[i, j]:.2f}" if k else "−∞", size=9, i=i, j=j
            )
    alt = (
        f"A {N} by {N} grid of attention weights, queries down, keys across. Cells on and below the diagonal hold "
        "positive weights, each row summing to 1 (row 0 has a single weight of 1); cells above the diagonal are "
        "masked: their scores are minus infinity and their weights 0."
    )
    caption = (
        f"The causal mask on this page's {N} × {N} scores Σ: query i attends to keys j ≤ i, and the numbers are the "
        "weights Π of the check above (darker is larger). The masked scores are −∞, so their weights are 0 and "
        "they receive no gradient."
    )
    return Figure("causal-scores", c.svg(x0 + N * cell + 12, y0 + N * cell + 10, alt), alt, caption)
