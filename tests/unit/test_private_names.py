"""Module boundaries of src/matgrad, read from the source with ``ast``.

- No ``_private`` name crosses a module: no ``from .x import _y`` (or ``from matgrad.x import _y``)
  and no ``x._y`` on a name bound to a matgrad module or to something imported from one. A private
  module such as ``_checks`` may be imported from, but only its public names.
- The finite-input policy lives in one place: only ``_checks.py`` calls ``np.isfinite`` (on
  arrays; ``math.isfinite`` of a Python number is not that policy).
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "matgrad"
MODULES = sorted(SRC.glob("*.py"))


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_crossings(source, filename="<source>"):
    """Every use in ``source`` of a private name of another matgrad module, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    found, imported = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").split(".")[0] != "matgrad":
                continue  # numpy, typing, ...
            where = "." * node.level + (node.module or "")
            for alias in node.names:
                if _is_private(alias.name):
                    found.append((node.lineno, f"from {where} import {alias.name}"))
                imported.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "matgrad":
                    imported.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in imported:
                found.append((node.lineno, ast.unparse(node)))
    return [f"{filename}:{line}: {what}" for line, what in sorted(found)]


def test_the_checker_finds_both_forms():
    source = (
        "from .layers import _add_bias_relu, affine_forward\n"
        "from . import losses\n"
        "from ._checks import as_numeric\n"
        "import matgrad\n"
        "x = losses._squared_norm(1)\n"
        "y = matgrad.mlp._validated\n"
        "z = affine_forward._cache\n"
        "ok = (self._own, losses.l2_penalty, matgrad.__version__, as_numeric)\n"
    )
    assert private_crossings(source) == [
        "<source>:1: from .layers import _add_bias_relu",
        "<source>:5: losses._squared_norm",
        "<source>:6: matgrad.mlp._validated",
        "<source>:7: affine_forward._cache",
    ]


def test_the_package_has_modules():
    assert len(MODULES) >= 10, MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_private_name_crosses_a_module(path):
    crossings = private_crossings(path.read_text(encoding="utf-8"), f"src/matgrad/{path.name}")
    assert not crossings, "private names used across modules (give them a plain name in their module):\n" + "\n".join(
        crossings
    )


def _calls_np_isfinite(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "isfinite"
        and isinstance(node.value, ast.Name)
        and node.value.id in ("np", "numpy")
    ]


def test_the_finite_input_policy_has_one_home():
    users = {p.name: _calls_np_isfinite(p) for p in MODULES if p.name not in ("_checks.py", "benchmark.py")}
    assert not {name: lines for name, lines in users.items() if lines}, (
        "check finiteness with matgrad._checks.check_finite, the one finite-input policy"
    )
