"""The ledger: one run of a page's checks, recorded block by block, cached per state of its inputs.

:func:`run_page` evaluates a page exactly as the docs harness does (``harness.DOCS_SYBIL``: a fresh
namespace, its examples in page order, the working directory at the repository root, every warning
an error as under pytest) and records, for each example: its status, its time, and the largest
relative error it reached **against finite differences** and **against matgrad**. Nothing is
inferred from the page's prose: the figures are the values that the page's own comparisons return
while the block runs. To collect them, the comparing functions are wrapped for the duration of each
block (in the ``matgrad`` and ``numpy.testing`` modules and in the page's namespace, then restored):

- ``relative_error(U, V)`` returns the error itself;
- ``check_gradient(f, X, grad)`` returns it, or raises ``GradientCheckError`` carrying it;
- ``np.testing.assert_allclose(actual, desired)`` and ``assert_array_equal`` pass or raise; the
  wrapper measures ``max|actual - desired| / max(max|actual|, max|desired|)`` (0 for an exact match);
- ``assert_exact(lhs, rhs)`` (tests/site/exact.py: SymPy, every entry of the difference cancelled to
  0) passes or raises; a pass is an exact equality, recorded as such (``"exact"``, value 0), never as
  an error reached against finite differences or matgrad.

Which figure a comparison counts towards is read off the page's code, once per page
(:func:`comparison_sites`), and each measured call is matched to its call site by the exact source
position of the running instruction:

- **against**: ``"exact"`` for ``assert_exact``; else ``"fd"`` if either compared value comes from
  central differences (a call of ``numerical_gradient``, ``numerical_jacobian`` or
  ``check_gradient``, or a name computed from one);
  else ``"matgrad"`` if either value is what a matgrad function returned (directly, or a part of it:
  ``grads["W1"]``, an unpacked tuple, a difference of two such values); else ``"formula"`` (two
  derivations compared with each other). A relative error is a measurement, not a derived value: it
  never makes what it is compared with "fd".
- **expects**: for ``relative_error``, the comparison it sits in: ``< tol`` is an agreement that
  counts (``"close"``); ``> tol`` is a wrong version shown to fail (``"apart"``: never counted as an
  error reached); ``==`` or no comparison at all are neither. A raising comparison that raised inside a
  block that passed was a wrong version shown to fail; one that returned is an agreement. A
  comparison with an all-zero (or non-numeric) value is absolute, not relative, and counts for
  neither figure.

The record of a page is cached (:func:`page_record`) in ``.cache/ledger/`` under a key made of the
page text and :func:`environment` (src/, the lock files, the harness and hooks, docs/notation.yml, the
Python and NumPy versions; hooks/cache.py). Files the page's code opens while it runs (the benchmark
page reads ``benchmarks/results.json``) and repository modules it imports are stored with their
hashes beside the record, and an entry whose files changed is evaluated again. A page with a
failed block is never stored, so it is evaluated (and fails) on every run.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import importlib
import io
import itertools
import json
import os
import platform
import subprocess
import sys
import threading
import time
import traceback
import types
import warnings
from pathlib import Path

import numpy as np
import numpy.testing
from sybil.example import SybilFailure

import matgrad
import matgrad.datasets
import matgrad.gradcheck
from hooks import cache
from tests.site.harness import DOCS_SYBIL, ROOT
from tests.site.symbols import SymbolCheck

LEDGER_ENV = "MATGRAD_LEDGER_CACHE"  # another folder for the cache (an empty one: everything runs)

FD_FUNCTIONS = frozenset({"numerical_gradient", "numerical_jacobian", "check_gradient"})
# matgrad's implementation: every public function but the checking tools and the data sets
IMPLEMENTATION = frozenset(matgrad.__all__) - frozenset(matgrad.gradcheck.__all__) - frozenset(matgrad.datasets.__all__)
COMPARING = {
    ("matgrad", "relative_error"): "relative_error",
    ("matgrad", "check_gradient"): "check_gradient",
    ("numpy.testing", "assert_allclose"): "assert_allclose",
    ("numpy.testing", "assert_array_equal"): "assert_array_equal",
    ("exact", "assert_exact"): "assert_exact",
}
EXACT_MODULE = "tests.site.exact"  # imported only by pages that call it (it imports SymPy)
Position = tuple[int, int, int, int]  # (line, end line, column, end column) of a call, as the code object has it


# --- the page's comparisons, read off its code ------------------------------------------------------


@dataclasses.dataclass
class Site:
    """One call of a comparing function on the page."""

    function: str  # relative_error | check_gradient | assert_allclose | assert_array_equal | assert_exact
    line: int
    against: str  # "fd" | "matgrad" | "formula" | "exact"
    expects: str  # relative_error: "close" | "apart" | "equal" | "unasserted"; the others: "raises"


def block_source(example) -> str:
    """The source of a python example exactly as sybil compiles it (padded to the page's line numbers)."""
    return "\n" * (example.line + example.parsed.line_offset) + example.parsed


class _Analysis:
    """Walks a page's blocks in order, tracking which names hold finite-difference or matgrad values."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # local name -> what it was imported as ("matgrad.vec", "numpy")
        self.fd: set[str] = set()
        self.mg: set[str] = set()
        self.fd_helpers: set[str] = set()  # page functions that compute finite differences
        self.sites: dict[Position, Site] = {}
        self.pending: dict[str, list[Site]] = {}  # err = relative_error(...); the comparison comes later
        self.parents: dict[ast.AST, ast.AST] = {}

    # names
    def qualified(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def callee(self, call: ast.Call) -> tuple[str, str] | None:
        """("matgrad", name) or ("numpy.testing", name) for a call of such a function, else None."""
        q = self.qualified(call.func)
        if q is None:
            return None
        head, _, name = q.rpartition(".")
        if head == "matgrad" or head.startswith("matgrad."):
            return ("matgrad", name)
        if head == "numpy.testing":
            return ("numpy.testing", name)
        if head == EXACT_MODULE:
            return ("exact", name)
        return None

    def imports(self, s: ast.Import | ast.ImportFrom) -> None:
        if isinstance(s, ast.Import):
            for a in s.names:
                if a.asname:
                    self.names[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    self.names[top] = top
        else:
            for a in s.names:
                self.names[a.asname or a.name] = f"{s.module}.{a.name}"

    # what a value is
    def is_fd(self, expr: ast.AST) -> bool:
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.fd:
                return True
            if isinstance(node, ast.Call):
                c = self.callee(node)
                if c in COMPARING:
                    continue  # a relative error is a measurement, not a value derived from differences
                if (c and c[0] == "matgrad" and c[1] in FD_FUNCTIONS) or (
                    isinstance(node.func, ast.Name) and node.func.id in self.fd_helpers
                ):
                    return True
            stack.extend(ast.iter_child_nodes(node))
        return False

    def is_mg(self, expr: ast.AST) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in self.mg
        if isinstance(expr, (ast.Subscript, ast.Attribute, ast.Starred)):
            return self.is_mg(expr.value)
        if isinstance(expr, ast.Call):
            c = self.callee(expr)
            if c and c[0] == "matgrad":
                return c[1] in IMPLEMENTATION
            if isinstance(expr.func, ast.Attribute) and self.is_mg(expr.func.value):
                return True  # a method of a matgrad result (grads.items(), Z.copy())
            q = self.qualified(expr.func) or ""
            return q.startswith("numpy.") and bool(expr.args) and self.is_mg(expr.args[0])  # np.asarray(Z_mg)
        if isinstance(expr, ast.BinOp):
            left, right = self.is_mg(expr.left), self.is_mg(expr.right)
            return (
                (left and right)
                or (left and isinstance(expr.right, ast.Constant))
                or (right and isinstance(expr.left, ast.Constant))
            )
        if isinstance(expr, ast.UnaryOp):
            return self.is_mg(expr.operand)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return any(self.is_mg(e) for e in expr.elts)
        return False

    # assignments
    def bind(self, target: ast.AST, fd: bool, mg: bool) -> None:
        if isinstance(target, ast.Name):
            self.names.pop(target.id, None)
            (self.fd.add if fd else self.fd.discard)(target.id)
            (self.mg.add if mg else self.mg.discard)(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.bind(t, fd, mg)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, fd, mg)
        # a subscript or attribute target changes part of an existing value: it keeps what it was

    def assign(self, target: ast.AST, value: ast.AST) -> None:
        pairs = isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List))
        if pairs and len(target.elts) == len(value.elts):  # type: ignore[union-attr]
            for t, v in zip(target.elts, value.elts, strict=True):  # type: ignore[union-attr]
                self.assign(t, v)
            return
        self.bind(target, self.is_fd(value), self.is_mg(value))

    def loop_target(self, target: ast.AST, iterable: ast.AST) -> None:
        rows = iterable.elts if isinstance(iterable, (ast.List, ast.Tuple)) else None
        if (
            isinstance(target, ast.Tuple)
            and rows
            and all(isinstance(r, ast.Tuple) and len(r.elts) == len(target.elts) for r in rows)
        ):  # for got, want in [(Z1_mg, Z1), ...]: each name takes its column
            for k, t in enumerate(target.elts):
                column = [r.elts[k] for r in rows]  # type: ignore[attr-defined]
                self.bind(t, any(self.is_fd(c) for c in column), any(self.is_mg(c) for c in column))
            return
        self.bind(target, self.is_fd(iterable), self.is_mg(iterable))

    # the comparisons
    def site(self, call: ast.Call, function: str) -> None:
        operands = list(call.args[:2]) + [k.value for k in call.keywords if k.arg in ("actual", "desired", "a", "b")]
        if function == "assert_exact":
            against = "exact"
        elif function == "check_gradient" or any(self.is_fd(o) for o in operands):
            against = "fd"
        elif any(self.is_mg(o) for o in operands):
            against = "matgrad"
        else:
            against = "formula"
        site = Site(function, call.lineno, against, "raises")
        if function == "relative_error":
            site.expects = self.expects(call, site)
        self.sites[(call.lineno, call.end_lineno or call.lineno, call.col_offset, call.end_col_offset or 0)] = site

    def expects(self, node: ast.AST, site: Site | None = None) -> str:
        """What the comparison around a relative error asserts about it (see the module docstring)."""
        while True:
            parent = self.parents.get(node)
            if parent is None or isinstance(parent, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                return "unasserted"
            if isinstance(parent, ast.Compare):
                return self.direction(parent, node)
            if isinstance(parent, ast.Call) and self.callee(parent) in COMPARING:
                return "unasserted"  # the error is itself compared by another check
            if isinstance(parent, ast.stmt):
                targets = parent.targets if isinstance(parent, ast.Assign) else []
                if site is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
                    self.pending.setdefault(targets[0].id, []).append(site)
                return "unasserted"
            node = parent

    def direction(self, compare: ast.Compare, operand: ast.AST) -> str:
        operands = [compare.left, *compare.comparators]
        i = next(k for k, o in enumerate(operands) if o is operand)
        upper = lower = equal = False

        def trivial(bound: ast.AST) -> bool:  # 0 <= error says nothing
            return isinstance(bound, ast.Constant) and bound.value == 0

        if i > 0:  # operands[i-1] op error
            op = compare.ops[i - 1]
            if isinstance(op, (ast.Lt, ast.LtE)):
                lower = lower or not trivial(operands[i - 1])
            elif isinstance(op, (ast.Gt, ast.GtE)):
                upper = True
            else:
                equal = True
        if i < len(compare.ops):  # error op operands[i+1]
            op = compare.ops[i]
            if isinstance(op, (ast.Lt, ast.LtE)):
                upper = True
            elif isinstance(op, (ast.Gt, ast.GtE)):
                lower = lower or not trivial(operands[i + 1])
            else:
                equal = True
        result = "apart" if lower else "close" if upper else "equal" if equal else "unasserted"
        parent = self.parents.get(compare)
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not) and result in ("close", "apart"):
            result = "apart" if result == "close" else "close"
        return result

    def expression(self, expr: ast.AST) -> None:
        for node in ast.walk(expr):
            if isinstance(node, ast.Call) and (function := COMPARING.get(self.callee(node))):  # type: ignore[arg-type]
                self.site(node, function)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.pending:
                direction = self.expects(node)
                if direction != "unasserted":
                    for site in self.pending.pop(node.id):
                        site.expects = direction

    # statements
    def statements(self, body: list[ast.stmt]) -> None:
        for s in body:
            self.statement(s)

    def statement(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            self.imports(s)
            return
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bind(ast.Name(s.name, ast.Store()), False, False)
            if not isinstance(s, ast.ClassDef) and self.is_fd(ast.Module(body=s.body, type_ignores=[])):
                self.fd_helpers.add(s.name)
            saved = (set(self.fd), set(self.mg), dict(self.names), dict(self.pending))
            if not isinstance(s, ast.ClassDef):
                a = s.args
                for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                    if arg is not None:
                        self.bind(ast.Name(arg.arg, ast.Store()), False, False)
            self.statements(s.body)
            self.fd, self.mg, self.names, self.pending = saved
            return
        if isinstance(s, ast.For):
            self.expression(s.iter)
            self.loop_target(s.target, s.iter)
            self.statements(s.body)
            self.statements(s.orelse)
        elif isinstance(s, (ast.While, ast.If)):
            self.expression(s.test)
            self.statements(s.body)
            self.statements(s.orelse)
        elif isinstance(s, ast.With):
            for item in s.items:
                self.expression(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, item.context_expr)
            self.statements(s.body)
        elif isinstance(s, ast.Try):
            self.statements(s.body)
            for handler in s.handlers:
                if handler.name:
                    self.bind(ast.Name(handler.name, ast.Store()), False, False)
                self.statements(handler.body)
            self.statements(s.orelse)
            self.statements(s.finalbody)
        else:  # a simple statement: its expressions, then its assignment
            if isinstance(s, (ast.Assign, ast.AnnAssign)):  # a name assigned again: its earlier error is gone
                for target in s.targets if isinstance(s, ast.Assign) else [s.target]:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            self.pending.pop(node.id, None)
            self.expression(s)
            if isinstance(s, ast.Assign):
                for target in s.targets:
                    self.assign(target, s.value)
            elif isinstance(s, ast.AnnAssign) and s.value is not None:
                self.assign(s.target, s.value)


def comparison_sites(document) -> dict[Position, Site]:
    """Every comparing call on a sybil document's python blocks, by its exact source position."""
    analysis = _Analysis()
    for example in document:
        if not isinstance(example.parsed, str) or example.parsed.lstrip().startswith(">>>"):
            continue  # the symbols check, or a doctest (measured calls there count as unclassified)
        try:
            tree = ast.parse(block_source(example))
        except SyntaxError:
            continue  # it cannot run; its block fails and says why
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                analysis.parents[child] = node
        analysis.statements(tree.body)
    return analysis.sites


# --- measuring while a block runs --------------------------------------------------------------------


@dataclasses.dataclass
class Measurement:
    function: str
    line: int
    against: str  # as the site says; "unclassified" when no site was found at the call's position
    outcome: str  # "close" | "apart" | "equal" | "unasserted" | "absolute" | "unclassified"
    value: float | None


def relative_difference(actual, desired) -> float | None:
    """max|a - d| / max(max|a|, max|d|) after broadcasting (0 for equal values).

    None when either value is all zeros (an absolute check, not a relative one) or not numeric.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            a, d = np.broadcast_arrays(np.asarray(actual, dtype=np.float64), np.asarray(desired, dtype=np.float64))
        except (TypeError, ValueError):
            return None
        if not (np.any(a) and np.any(d)):
            return None  # compared with zero: the tolerance is absolute
        same = (a == d) | (np.isnan(a) & np.isnan(d))
        if same.all():
            return 0.0
        finite = np.isfinite(a) & np.isfinite(d)
        diff = np.where(same, 0.0, np.abs(a - d))
        scale = max(np.max(np.abs(a[finite]), initial=0.0), np.max(np.abs(d[finite]), initial=0.0))
        value = float(np.max(diff) / scale) if scale > 0 else float("nan")
        return value if np.isfinite(value) else None


def _position(frame) -> Position | None:
    index = frame.f_lasti // 2
    positions = next(itertools.islice(frame.f_code.co_positions(), index, index + 1), None)
    return positions if positions and None not in positions else None


class _Block:
    """The measurements of the block now running (at most one at a time)."""

    def __init__(self, path: str, sites: dict[Position, Site]) -> None:
        self.path, self.sites = path, sites
        self.measurements: list[Measurement] = []

    def measure(self, frame, function: str, value: float | None, raised: bool) -> None:
        if frame.f_code.co_filename != self.path:
            return  # called by library code (check_gradient's own relative_error), not by the page
        site = self.sites.get(_position(frame))  # type: ignore[arg-type]
        if site is None:
            self.measurements.append(Measurement(function, frame.f_lineno, "unclassified", "unclassified", value))
            return
        if function == "relative_error":
            outcome = site.expects
        elif raised:
            outcome = "apart"
        else:
            outcome = "close" if value is not None else "absolute"
        self.measurements.append(Measurement(function, site.line, site.against, outcome, value))


_ACTIVE: list[_Block] = []


def _measured(function: str, original):
    """The original function, measuring each call made while a block runs (behaviour unchanged)."""

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        block = _ACTIVE[-1] if _ACTIVE else None
        try:
            result = original(*args, **kwargs)
        except AssertionError as err:  # GradientCheckError, or assert_allclose's failure
            if block is not None:
                with contextlib.suppress(Exception):
                    block.measure(sys._getframe(1), function, getattr(err, "error", None), raised=True)
            raise
        if block is not None:
            with contextlib.suppress(Exception):  # measuring never changes what the page sees
                if function in ("relative_error", "check_gradient"):
                    value = float(result)
                elif function == "assert_exact":
                    value = 0.0  # it returned: every entry of the difference cancelled to 0
                else:  # assert_allclose, assert_array_equal (0 when it passed, unless a side is all zeros)
                    value = relative_difference(*_compared(args, kwargs))
                block.measure(sys._getframe(1), function, value, raised=False)
        return result

    wrapper.__matgrad_ledger__ = original  # type: ignore[attr-defined]
    return wrapper


def _compared(args, kwargs):
    actual = args[0] if args else kwargs.get("actual")
    desired = args[1] if len(args) > 1 else kwargs.get("desired")
    return actual, desired


_MODULE_FUNCTIONS = [
    (matgrad, "relative_error"),
    (matgrad, "check_gradient"),
    (numpy.testing, "assert_allclose"),
    (numpy.testing, "assert_array_equal"),
]


def _module_functions() -> list[tuple[types.ModuleType, str]]:
    """The comparing functions to wrap: matgrad's and NumPy's, and assert_exact once its module is loaded."""
    exact = sys.modules.get(EXACT_MODULE)
    return _MODULE_FUNCTIONS + ([(exact, "assert_exact")] if exact is not None else [])


@contextlib.contextmanager
def _instrumented(namespace: dict, block: _Block):
    """Measure the comparing functions while one block runs, in their modules and in the namespace."""
    originals = {(module, name): getattr(module, name) for module, name in _module_functions()}
    wrappers = {}
    for (module, name), original in originals.items():
        wrappers[original] = _measured(name, original)
        setattr(module, name, wrappers[original])
    swapped = {k: v for k, v in namespace.items() if isinstance(v, types.FunctionType) and v in wrappers}
    for k, v in swapped.items():
        namespace[k] = wrappers[v]
    _ACTIVE.append(block)
    try:
        yield
    finally:
        _ACTIVE.pop()
        for (module, name), original in originals.items():
            setattr(module, name, original)
        for k, v in list(namespace.items()):  # names bound during the block too (from matgrad import ...)
            if isinstance(v, types.FunctionType) and hasattr(v, "__matgrad_ledger__"):
                namespace[k] = v.__matgrad_ledger__


# --- the files a page reads ----------------------------------------------------------------------------

_READS: list[tuple[int, set[str]]] = []  # (thread, paths) of the page being evaluated


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _READS:
        try:
            thread, reads = _READS[-1]
            path = args[0]
            # only the page's own thread: the build may execute notebooks in other threads meanwhile
            if isinstance(path, (str, bytes, os.PathLike)) and threading.get_ident() == thread:
                reads.add(os.fsdecode(path))
        except Exception:  # an audit hook must never make an open fail
            pass


@functools.cache
def _install_audit_hook() -> None:
    sys.addaudithook(_audit)


@contextlib.contextmanager
def _reading(reads: set[str]):
    _install_audit_hook()
    _READS.append((threading.get_ident(), reads))
    try:
        yield
    finally:
        _READS.pop()


# --- records ----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class BlockRecord:
    """One example of the page: a python block, or the page's table-of-symbols check."""

    line: int  # the line of its fence (or of the symbols marker)
    kind: str  # "python" | "symbols"
    status: str  # "passed" | "failed"
    seconds: float
    fd: float | None  # the largest relative error of an agreement with finite differences
    matgrad: float | None  # the largest relative difference of an agreement with matgrad
    counts: dict[str, int]  # agreements by what they compared ("fd", ...), "apart", "absolute", ...
    error: str | None = None  # for a failed block: where and what

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclasses.dataclass
class PageRecord:
    page: str  # relative to docs/
    key: str
    text_sha256: str  # of the page text that was evaluated
    blocks: list[BlockRecord]
    seconds: float
    numpy: str
    python: str
    commit: str | None  # HEAD when recorded
    committed: bool  # and whether the page, src/ and the lock files were as committed there
    recorded: str  # UTC, ISO 8601
    files: dict[str, str]  # other files the page's code read or imported, with their SHA-256

    @property
    def passed(self) -> bool:
        return all(b.passed for b in self.blocks)

    def block_at(self, line: int) -> BlockRecord | None:
        return next((b for b in self.blocks if b.line == line), None)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PageRecord:
        data = json.loads(text)
        data["blocks"] = [BlockRecord(**b) for b in data["blocks"]]
        return cls(**data)


def _summarise(measurements: list[Measurement]) -> tuple[float | None, float | None, dict[str, int]]:
    counts: dict[str, int] = {}
    best: dict[str, float] = {}
    for m in measurements:
        label = m.against if m.outcome == "close" else m.outcome
        counts[label] = counts.get(label, 0) + 1
        if m.outcome == "close" and m.against in ("fd", "matgrad") and m.value is not None:
            best[m.against] = max(best.get(m.against, 0.0), m.value)
    return best.get("fd"), best.get("matgrad"), counts


def _failure(exc: BaseException, path: str) -> str:
    """Where and what: ``line N: ExceptionType: message`` (the innermost line of the page in the traceback)."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    text = exc.result if isinstance(exc, SybilFailure) else str(exc)  # the table-of-symbols check's own words
    message = (text.strip().splitlines() or [""])[0][:300]
    where = f"line {lines[-1]}: " if lines else ""
    return f"{where}{type(exc).__name__}: {message}".rstrip(": ")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def run_page(path: Path, root: Path = ROOT) -> PageRecord:
    """Evaluate one page, measured (see the module docstring); never raises for a failing block."""
    path = Path(path).resolve()
    document = DOCS_SYBIL.parse(path)
    sites = comparison_sites(document)
    if any(site.function == "assert_exact" for site in sites.values()):
        importlib.import_module(EXACT_MODULE)  # loaded before the page imports it, so every call is measured
    blocks: list[BlockRecord] = []
    reads: set[str] = set()
    modules_before = set(sys.modules)
    start = time.perf_counter()
    assert not DOCS_SYBIL.fixtures and not DOCS_SYBIL.teardown, "the harness has fixtures: run them here too"
    printed = io.StringIO()  # a page's printed output is the pytest run's to show, not the build log's
    with contextlib.chdir(root), np.errstate(), _reading(reads), contextlib.redirect_stdout(printed):
        if DOCS_SYBIL.setup:
            DOCS_SYBIL.setup(document.namespace)
        for example in document:
            block = _Block(document.path, sites)
            began = time.perf_counter()
            error = None
            try:
                with warnings.catch_warnings(), _instrumented(document.namespace, block):
                    warnings.simplefilter("error")  # as pytest's filterwarnings = ["error"]
                    example.evaluate()
            except Exception as exc:
                error = _failure(exc, document.path)
            fd, mg, counts = _summarise(block.measurements)
            blocks.append(
                BlockRecord(
                    line=example.line,
                    kind="symbols" if isinstance(example.parsed, SymbolCheck) else "python",
                    status="failed" if error else "passed",
                    seconds=round(time.perf_counter() - began, 6),
                    fd=fd,
                    matgrad=mg,
                    counts=counts,
                    error=error,
                )
            )
    seconds = time.perf_counter() - start
    read = {Path(p) if os.path.isabs(p) else root / p for p in reads}
    read |= {
        Path(f) for name in set(sys.modules) - modules_before if (f := getattr(sys.modules[name], "__file__", None))
    }
    covered = set(_environment_files(root)) | {path}
    files = {}
    for p in sorted(read):
        with contextlib.suppress(OSError, ValueError):
            p = p.resolve()
            if not _inside(p, root) or not p.is_file() or p in covered or _inside(p, root / "src"):
                continue
            name = p.relative_to(root).as_posix()
            if p.suffix != ".pyc" and not name.startswith("."):  # not .hypothesis/, .cache/: tools' own state
                files[name] = cache.file_sha256(p)
    page = path.relative_to(root / "docs").as_posix() if _inside(path, root / "docs") else path.name
    inputs = [str(path), "src", *cache.LOCK_FILES, *files]
    return PageRecord(
        page=page,
        key=page_key(document.text, environment(root)),
        text_sha256=hashlib.sha256(document.text.encode()).hexdigest(),
        blocks=blocks,
        seconds=round(seconds, 4),
        numpy=np.__version__,
        python=platform.python_version(),
        commit=_git(root, "rev-parse", "--short=12", "HEAD"),
        committed=_git(root, "status", "--porcelain", "--", *inputs) == "",
        recorded=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        files=files,
    )


# --- the cache ------------------------------------------------------------------------------------------------


def _environment_files(root: Path) -> list[Path]:
    """Repository files every page may depend on without opening them (imported earlier, or cached)."""
    files = [*cache.source_files(root, "hooks", "*.py"), *cache.source_files(root, "benchmarks", "*.py")]
    files += [p for p in cache.source_files(root, "tests", "*.py") if not p.name.startswith("test_")]
    files += [root / "conftest.py", root / "docs" / "notation.yml"]
    return [p for p in files if _inside(p, root) and "unit" not in p.relative_to(root).parts]


def environment(root: Path = ROOT) -> str:
    """The part of every page's key that is not the page: hooks/cache.py's digest, this harness, NumPy."""
    return cache.environment_digest(root, extra=_environment_files(root)) + np.__version__


def page_key(text: str, environment: str) -> str:
    digest = hashlib.sha256(environment.encode())
    digest.update(text.encode())
    return digest.hexdigest()[:32]


def _files_unchanged(record: PageRecord, root: Path) -> bool:
    return all(cache.file_sha256(root / name) == sha for name, sha in record.files.items())


def page_record(path: Path, root: Path = ROOT, env: str | None = None) -> tuple[PageRecord, bool]:
    """The page's record, stored or evaluated now (and stored if every block passed); and whether now.

    One evaluation per state of the inputs, shared by pytest and every build: per-page flock, so
    that whoever comes first evaluates and the others read.
    """
    path = Path(path).resolve()
    folder = cache.cache_dir("ledger", LEDGER_ENV, root)
    env = env or environment(root)
    key = page_key(path.read_text(encoding="utf-8"), env)
    stem = path.stem
    entry = folder / f"{stem}-{key}.json"
    with cache.locked(folder / f"{stem}.lock"):
        if entry.is_file():
            with contextlib.suppress(ValueError, TypeError, KeyError):
                stored = PageRecord.from_json(entry.read_text(encoding="utf-8"))
                if stored.key == key and _files_unchanged(stored, root):
                    os.utime(entry)  # most recently used
                    return stored, False
        record = run_page(path, root)
        if record.passed and record.key == key and environment(root) == env:  # nothing changed meanwhile
            cache.write_atomically(entry, record.to_json())
            cache.evict(folder, stem, keep=key)
    return record, True
