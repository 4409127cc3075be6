"""The search index holds plain text: no raw TeX, no pilcrows.

Material's search shows a teaser of each hit from the text of the index, where arithmatex has left
the TeX of every formula (``\\(\\frac{\\partial L}{\\partial W}\\)``) and nbconvert the ``¶`` of each
notebook heading's anchor link. After the search plugin has written ``search/search_index.json``,
this hook rewrites each entry's title and text: formulas become readable text (``∂L/∂W``, ``Xᵀ G``,
``1/N``), so that they also match what a reader types, and pilcrows go. The pages themselves are
unchanged.
"""

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

SYMBOLS = {
    "partial": "∂", "top": "ᵀ", "odot": "⊙", "otimes": "⊗", "times": "×", "cdot": "·", "cdots": "⋯",
    "ldots": "…", "dots": "…", "sum": "Σ", "prod": "Π", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "approx": "≈", "sim": "~", "in": "∈", "to": "→", "mapsto": "↦", "infty": "∞", "pm": "±",
    "Rightarrow": "⇒", "Longrightarrow": "⇒", "iff": "⇔", "circ": "∘", "nabla": "∇", "sqrt": "√",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "mid": "|", "star": "⋆",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "eta": "η",
    "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "φ",
    "psi": "ψ", "Phi": "Φ", "Pi": "Π", "Sigma": "Σ", "ell": "ℓ", "exp": "exp", "log": "log", "ln": "ln",
    "det": "det", "max": "max", "min": "min", "tanh": "tanh", "cos": "cos", "sin": "sin",
}  # fmt: skip
# \( \) and \[ \] from arithmatex (Markdown pages); $$ $$ and $ $ as the notebooks write them.
MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|(?<![\\$\w])\$([^$\n]+?)\$(?![\w$])", re.S)
CODE = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.S)
FRAC = re.compile(r"\\[td]?frac\s*(\{[^{}]*\}|\w)\s*(\{[^{}]*\}|\w)")
WRAPPER = re.compile(r"\\(?:operatorname|mathrm|mathbf|mathbb|mathcal|text|texttt|boxed|hat|tilde|bar)\s*\{([^{}]*)\}")
COMMAND = re.compile(r"\\([A-Za-z]+)")


def _unbrace(group: str) -> str:
    return group[1:-1] if group.startswith("{") else group


def _fraction(m: re.Match) -> str:
    top, bottom = _unbrace(m[1]), _unbrace(m[2])
    top = top if len(top) <= 2 or top.startswith("∂") else f"({top})"
    bottom = bottom if len(bottom) <= 2 or bottom.startswith("∂") else f"({bottom})"
    return f"{top}/{bottom}"


def _symbol(m: re.Match) -> str:
    symbol = SYMBOLS.get(m[1])
    if symbol is None:
        return m[0]
    return f"{symbol} " if symbol.isalpha() and len(symbol) > 1 else symbol  # "tanh κ", not "tanhκ"


def tex_to_text(tex: str) -> str:
    """Readable text for one formula: ``\\frac{\\partial L}{\\partial W} = X^\\top G`` -> ``∂L/∂W = Xᵀ G``."""
    text = re.sub(r"\\(?:begin|end)\{\w+\*?\}(?:\{\d+\})?", " ", tex)  # environments: aligned, pmatrix...
    for _ in range(6):  # innermost braces first: nested wrappers and fractions
        new = WRAPPER.sub(lambda m: m[1], text)
        new = COMMAND.sub(_symbol, new)
        new = FRAC.sub(_fraction, new)
        if new == text:
            break
        text = new
    text = text.replace("^ᵀ", "ᵀ").replace("^{ᵀ}", "ᵀ")
    text = re.sub(r"\\[,;:!> ]|\\\\|&", " ", text)  # spacing, line breaks, alignment
    text = re.sub(r"\\[A-Za-z]+", "", text)  # what is left: sizing (\big), spacing (\quad)
    text = re.sub(r"\{(\w+)\}", r"\1", text).replace("{", "").replace("}", "")
    text = re.sub(r"∂\s+", "∂", text)
    return re.sub(r"\s+", " ", text).strip()


def clean(text: str) -> str:
    """An index entry's title or text with every formula as readable text and no pilcrow."""
    parts = CODE.split(text)  # code keeps its backslashes: odd parts are code
    text = "".join(
        part if k % 2 else MATH.sub(lambda m: tex_to_text(next(g for g in m.groups() if g is not None)), part)
        for k, part in enumerate(parts)
    )
    return text.replace("¶", "").strip() if text.endswith("¶") else text.replace("¶", "")


@event_priority(-100)  # after the search plugin has written the index
def on_post_build(config, **kwargs):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        doc["title"] = clean(doc["title"])
        doc["text"] = clean(doc["text"])
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
