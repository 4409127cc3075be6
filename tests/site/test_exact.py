"""The exact checks (tests/site/exact.py), SymPy's MatrixSymbol facts, and how the ledger records them."""

from __future__ import annotations

import sys
import textwrap

import pytest
import sympy as sp

from hooks import results
from tests.site import exact, ledger
from tests.site.exact import assert_exact, gradient, matrix, nonzero_entries, vec


def test_matrix_has_independent_real_symbols():
    U = matrix("U", 2, 3)
    assert U.shape == (2, 3)
    assert [str(u) for u in U] == ["U_00", "U_01", "U_02", "U_10", "U_11", "U_12"]
    assert all(u.is_real for u in U) and len(U.free_symbols) == 6
    with pytest.raises(ValueError, match="0 x 3"):
        matrix("U", 0, 3)


def test_gradient_is_entrywise_and_has_the_variables_shape():
    U = matrix("U", 2, 3)
    phi = U[0, 1] ** 2 + 3 * U[1, 2]
    grad = gradient(phi, U)
    assert grad.shape == (2, 3)
    assert grad == sp.Matrix([[0, 2 * U[0, 1], 0], [0, 0, 3]])
    with pytest.raises(ValueError, match="matrix of symbols"):
        gradient(phi, U * 2)


def test_vec_stacks_columns():
    U = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    assert list(vec(U)) == [1, 4, 2, 5, 3, 6] and vec(U).shape == (6, 1)


def test_assert_exact_cancels_and_refuses_what_differs():
    x = sp.Symbol("x", real=True)
    assert_exact((x**2 - 1) / (x - 1), x + 1)  # equal as rational functions (not at x = 1, undefined there)
    assert_exact(sp.Matrix([[1 / x + 1 / (x + 1)]]), sp.Matrix([[(2 * x + 1) / (x * (x + 1))]]))
    with pytest.raises(AssertionError, match=r"1 entries do not cancel to 0 \(entry \(0, 1\)"):
        assert_exact(sp.Matrix([[x, x]]), sp.Matrix([[x, x + 1e-30]]))  # however small the difference
    with pytest.raises(ValueError, match="2 x 1 matrix with a 1 x 2"):
        assert_exact(sp.Matrix([x, x]), sp.Matrix([[x, x]]))
    assert nonzero_entries(sp.Matrix([[x, 2]]), sp.Matrix([[x, 3]])) == [((0, 1), -1)]
    assert_exact(sp.Identity(2), sp.eye(2))  # matrix expressions are made explicit first


def test_matrix_symbol_differentiation_is_silently_wrong_in_sympy_1_14():
    """The facts the certificates page and the pitfalls page rely on (in SymPy 1.14.0, pinned)."""
    assert sp.__version__ == "1.14.0"
    found = exact.matrix_symbol_derivatives()
    assert set(found) == {"d/dE (tr E + 1)", "d/dS log det S", "d/dz softmax cross-entropy"}
    for name, (got, true) in found.items():
        assert got == sp.zeros(*true.shape), name  # SymPy's answer: the zero matrix, no warning
        assert true != sp.zeros(*true.shape), name
    assert found["d/dE (tr E + 1)"][1] == sp.eye(2)
    S = sp.Matrix(sp.MatrixSymbol("S", 2, 2))
    assert_exact(found["d/dS log det S"][1], S.inv().T)
    z, y = sp.Matrix(sp.MatrixSymbol("z", 1, 3)), sp.Matrix(sp.MatrixSymbol("y", 1, 3))
    p = z.applyfunc(sp.exp) / sum(z.applyfunc(sp.exp))
    assert_exact(found["d/dz softmax cross-entropy"][1], p * sum(y) - y)  # p - y when y sums to 1
    E = sp.MatrixSymbol("E", 2, 2)
    assert sp.diff(sp.Trace(E), E) == sp.Identity(2)  # right without the constant


# --- the ledger records an exact check as exact ------------------------------------------------------

EXACT_PAGE = textwrap.dedent(
    """\
    # Planted

    ```python
    import sympy as sp

    from tests.site.exact import assert_exact, gradient, matrix

    U, B = matrix("U", 2, 2), matrix("B", 2, 2)
    assert_exact(gradient((B * U).trace(), U), B.T)
    ```

    ??? success "Checked: exact, SymPy"

        ```python
        assert_exact(gradient((U.T * B * U).trace(), U), (B + B.T) * U)
        try:
            assert_exact(gradient((U.T * B * U).trace(), U), 2 * B * U)
            raise RuntimeError("accepted")
        except AssertionError:
            pass
        ```

    ??? success "Checked: a wrong identity"

        ```python
        assert_exact(gradient((B * U).trace(), U), B)
        ```
    """
)


@pytest.fixture
def exact_page(tmp_path, monkeypatch):
    monkeypatch.delenv(ledger.LEDGER_ENV, raising=False)
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "planted.md"
    page.write_text(EXACT_PAGE, encoding="utf-8")
    return tmp_path, page


def test_ledger_records_exact_equalities_as_exact(exact_page, monkeypatch):
    root, page = exact_page
    monkeypatch.delitem(sys.modules, ledger.EXACT_MODULE, raising=False)  # as in a fresh build process
    original = exact.assert_exact
    record = ledger.run_page(page, root)
    first, checked, wrong = record.blocks
    # measured even in the block that imports it (the ledger loads the module before the page runs)
    assert first.passed and first.counts == {"exact": 1}
    assert checked.passed and checked.counts == {"exact": 1, "apart": 1}  # the refused 2BU: a wrong version
    assert first.fd is checked.fd is first.matgrad is checked.matgrad is None  # never an FD or matgrad figure
    assert not wrong.passed and wrong.counts == {"apart": 1}
    assert "AssertionError: not equal exactly: 2 entries" in wrong.error
    restored = sys.modules[ledger.EXACT_MODULE].assert_exact
    assert not hasattr(restored, "__matgrad_ledger__")
    assert original is exact.assert_exact or not hasattr(exact.assert_exact, "__matgrad_ledger__")


def test_comparison_sites_classify_assert_exact_as_exact(exact_page):
    _, page = exact_page
    sites = ledger.comparison_sites(ledger.DOCS_SYBIL.parse(page))
    assert sorted((s.line, s.function, s.against) for s in sites.values()) == [
        (9, "assert_exact", "exact"),
        (15, "assert_exact", "exact"),
        (17, "assert_exact", "exact"),
        (26, "assert_exact", "exact"),
    ]


def test_checked_box_title_shows_the_exact_count():
    record = ledger.BlockRecord(10, "python", "passed", 0.5, None, None, {"exact": 3, "apart": 1})
    status, text, tip = results.block_summary([record])
    assert (status, text) == ("passed", "passed · exact 3")
    assert "3 exact symbolic equalities (SymPy)" in tip and "1 wrong version(s) shown to fail" in tip
