"""benchmarks.implementations: the floor does exactly the five products; matgrad is its public call."""

import subprocess
import sys

import numpy as np
import pytest

import matgrad
from benchmarks import implementations
from benchmarks.cases import Case, make_data
from benchmarks.implementations import available_implementations, build_implementations
from benchmarks.implementations import floor as floor_module
from benchmarks.paths import ROOT


def recorded_products(monkeypatch, run):
    """The (left, right) shapes of every np.matmul and np.einsum that ``run()`` calls, in order."""
    calls = []
    matmul, einsum = np.matmul, np.einsum

    def counting_matmul(a, b, **kw):
        calls.append(("matmul", a.shape, b.shape))
        return matmul(a, b, **kw)

    def counting_einsum(spec, a, b, **kw):
        calls.append(("einsum " + spec, a.shape, b.shape))
        return einsum(spec, a, b, **kw)

    monkeypatch.setattr(floor_module.np, "matmul", counting_matmul)
    monkeypatch.setattr(floor_module.np, "einsum", counting_einsum)
    assert run() is None
    return calls


def test_two_layer_floor_does_the_five_products(monkeypatch):
    N, D, H, C = 7, 4, 5, 3
    case = Case("two_layer", (N, D, H, C), "float32")
    run = build_implementations(case, make_data(case), ("floor",))["floor"]
    assert recorded_products(monkeypatch, run) == [
        ("matmul", (N, D), (D, H)),  # X W1
        ("matmul", (N, H), (H, C)),  # H W2
        ("matmul", (H, N), (N, C)),  # H^T G2
        ("matmul", (N, C), (C, H)),  # G2 W2^T
        ("matmul", (D, N), (N, H)),  # X^T G1
    ]


def test_logistic_floor_does_the_five_products(monkeypatch):
    N, D, H = 6, 2, 3
    case = Case("logistic", (N, D, H), "float64")
    run = build_implementations(case, make_data(case), ("floor",))["floor"]
    assert recorded_products(monkeypatch, run) == [
        ("matmul", (N, D), (D, H)),  # X Wi
        ("matmul", (N, H), (H,)),  # A Wo
        ("matmul", (H, N), (N,)),  # A^T g
        ("einsum n,j->nj", (N,), (H,)),  # g Wo^T, an outer product
        ("matmul", (D, N), (N, H)),  # X^T G1
    ]


def test_matgrad_is_timed_on_the_same_function_users_call():
    case = Case("logistic", (6, 2, 3), "float64")
    data = make_data(case)
    got = build_implementations(case, data, ("matgrad",))["matgrad"]()
    want = matgrad.logistic_net_gradient(data["X"], data["y"], data["Wi"], data["bi"], data["Wo"], data["bo"])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    case = Case("two_layer", (6, 4, 5, 3), "float64")
    data = make_data(case)
    loss, grads = build_implementations(case, data, ("matgrad",))["matgrad"]()
    want_loss, want_grads = matgrad.two_layer_forward_backward(data["params"], data["X"], data["y"])
    assert loss == want_loss and grads.keys() == want_grads.keys()
    for k in grads:
        np.testing.assert_array_equal(grads[k], want_grads[k])


def test_a_library_that_is_not_installed_is_left_out(monkeypatch):
    for name in implementations.NEEDS:
        monkeypatch.setitem(implementations.NEEDS, name, lambda: None)
    assert available_implementations() == ("floor", "matgrad")
    case = Case("two_layer", (6, 4, 5, 3), "float64")
    assert set(build_implementations(case, make_data(case))) == {"floor", "matgrad"}


def test_unknown_implementation_is_an_error():
    case = Case("two_layer", (6, 4, 5, 3), "float64")
    with pytest.raises(ValueError, match="unknown implementation 'numba'"):
        build_implementations(case, make_data(case), ("floor", "numba"))


IMPORT_SPY = """
import sys


class Spy:
    asked = set()

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "jax", "jaxlib"):
            cls.asked.add(name.split(".")[0])
        return None


sys.meta_path.insert(0, Spy)
"""


def test_importing_the_harness_imports_neither_torch_nor_jax():
    """The site's page and these tests run without them, so no module may import them at its top."""
    modules = [
        "benchmarks." + p.relative_to(ROOT / "benchmarks").with_suffix("").as_posix().replace("/", ".")
        for p in sorted((ROOT / "benchmarks").rglob("*.py"))
        if p.name not in ("__init__.py", "__main__.py")
    ]
    assert "benchmarks.cli" in modules and "benchmarks.implementations.torch_autograd" in modules
    # Every attempt to import them is recorded, whether or not they are installed here.
    code = IMPORT_SPY + "".join(f"import {m}\n" for m in modules) + "print(sorted(Spy.asked))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = IMPORT_SPY + "from benchmarks.implementations import available_implementations\n"
    code += "available_implementations()\nprint(sorted(Spy.asked))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['jax', 'torch']"  # the spy can see them being asked for
