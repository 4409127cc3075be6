"""Exact checks with SymPy: matrices of explicit symbolic entries, entrywise derivatives, and one
comparing function that the ledger records as an exact check (docs/certificates.md).

The method: every matrix is an explicit ``sympy.Matrix`` of independent symbols (``matrix("U", 2, 3)``
has the entries ``U_00 ... U_12``); a gradient is the matrix of the partial derivatives of a scalar by
each entry (``gradient``); and two matrices are equal when every entry of their difference cancels to
0 (``assert_exact``: ``sympy.cancel(sympy.together(lhs - rhs))`` entry by entry). This proves an
identity at one size, for every value of the symbols where both sides are defined.

SymPy's own matrix calculus (``MatrixSymbol``) is not used: in SymPy 1.14.0 it is silently wrong in
places. :func:`matrix_symbol_derivatives` returns what it gives, beside the true answers, for the
pitfalls page and for the test that keeps those facts true (tests/site/test_exact.py).
"""

from __future__ import annotations

import sympy as sp


def matrix(name: str, m: int, n: int) -> sp.Matrix:
    """An m x n matrix of independent real symbols ``<name>_<i><j>`` (0-based)."""
    if m < 1 or n < 1:
        raise ValueError(f"a matrix needs at least one row and one column; got {m} x {n}")
    return sp.Matrix(m, n, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def gradient(phi: sp.Expr, U: sp.Matrix) -> sp.Matrix:
    """The gradient of a scalar ``phi`` by the matrix ``U``: entry (i, j) is d phi / d U_ij (U's shape)."""
    if not all(isinstance(u, sp.Symbol) for u in U):
        raise ValueError("the variable must be a matrix of symbols, e.g. matrix('U', 2, 3)")
    return U.applyfunc(lambda u: sp.diff(phi, u))


def vec(U: sp.Matrix) -> sp.Matrix:
    """The column-major vec of U: its columns stacked into one column (mn x 1)."""
    return sp.Matrix([U[i, j] for j in range(U.cols) for i in range(U.rows)])


def _as_matrix(value) -> sp.Matrix:
    """An explicit matrix: a matrix expression's entries, or a scalar as 1 x 1."""
    if isinstance(value, sp.MatrixBase | sp.MatrixExpr):
        return sp.Matrix(value.as_explicit() if isinstance(value, sp.MatrixExpr) else value)
    return sp.Matrix([[sp.sympify(value)]])


def nonzero_entries(lhs, rhs) -> list[tuple[tuple[int, int], sp.Expr]]:
    """((i, j), the cancelled difference) for every entry where lhs - rhs does not cancel to 0."""
    lhs, rhs = _as_matrix(lhs), _as_matrix(rhs)
    if lhs.shape != rhs.shape:
        raise ValueError(
            f"cannot compare a {lhs.shape[0]} x {lhs.shape[1]} matrix with a {rhs.shape[0]} x {rhs.shape[1]} one"
        )
    left = []
    for i in range(lhs.rows):
        for j in range(lhs.cols):
            d = sp.cancel(sp.together(lhs[i, j] - rhs[i, j]))
            if d != 0:
                left.append(((i, j), d))
    return left


def assert_exact(lhs, rhs) -> None:
    """Assert that lhs and rhs (matrices or scalars, of one shape) are equal exactly, entry by entry.

    Raises
    ------
    ValueError
        If the shapes differ.
    AssertionError
        Naming the first entries whose difference does not cancel to 0, and how many there are.
    """
    left = nonzero_entries(lhs, rhs)
    if left:
        shown = "; ".join(f"entry {ij}: {d}" for ij, d in left[:2])
        raise AssertionError(f"not equal exactly: {len(left)} entries do not cancel to 0 ({shown})")


def matrix_symbol_derivatives() -> dict[str, tuple[sp.Basic, sp.Basic]]:
    """What SymPy's MatrixSymbol differentiation returns, beside the true derivative, at size 2 x 2.

    Keys name the derivative; values are (what ``sympy.diff`` returns, the true derivative built from
    explicit entries), both as explicit matrices of the variable's shape. In SymPy 1.14.0 the first is
    the zero matrix in all three cases (a ``ZeroMatrix``, printed ``0``): silently wrong.
    """
    E = sp.MatrixSymbol("E", 2, 2)
    S = sp.MatrixSymbol("S", 2, 2)
    z = sp.MatrixSymbol("z", 1, 3)
    y = sp.MatrixSymbol("y", 1, 3)  # soft targets
    by_entry = lambda phi, M: sp.Matrix(M).applyfunc(lambda u: sp.diff(phi, u))  # noqa: E731
    lse = sp.log(sum(sp.exp(z[0, k]) for k in range(3)))
    ce = -sum(y[0, k] * (z[0, k] - lse) for k in range(3))  # -sum_k y_k log p_k
    explicit = lambda M: sp.Matrix(M.as_explicit() if isinstance(M, sp.MatrixExpr) else M)  # noqa: E731
    found = {
        "d/dE (tr E + 1)": (sp.diff(sp.Trace(E) + 1, E), by_entry(sp.Matrix(E).trace() + 1, E)),
        "d/dS log det S": (sp.diff(sp.log(sp.Determinant(S)), S), by_entry(sp.log(sp.Matrix(S).det()), S)),
        "d/dz softmax cross-entropy": (sp.diff(ce, z), by_entry(ce, z)),
    }
    return {name: (explicit(got), true) for name, (got, true) in found.items()}
