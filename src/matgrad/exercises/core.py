"""Exercises and their check: what an exercise is, and how a reader's function is judged.

An `Exercise` asks for a function (a gradient, a Jacobian or a shape). `check_exercise`
calls the reader's function on random arguments of several sizes (N = 1, 3, 5, 2 examples), compares
each result with central finite differences (the truth) and the hidden reference solution (which
must agree with finite differences too), and returns a `Verdict`: "correct", or the mistake
recognised across the trials (a factor of N or 1/N, a constant factor, a sign, a transpose, a bias
summed over the wrong axis, a wrong shape, a penalty term, a mask, row-major vec) by
`matgrad.gradcheck.diagnose` applied trial by trial. The reference solution is never shown.
"""

from __future__ import annotations

import copy
import math
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import gradcheck
from ..registry import part, replace

__all__ = ["TRIAL_SIZES", "Exercise", "Output", "Verdict", "check_exercise", "compile_function"]

TRIAL_SIZES = (1, 3, 5, 2)
"""The numbers of examples N of the trials, in order (N = 1 included; 3 and 5 tell N from 2)."""

TOL = 1e-7
"""Relative error below which a result agrees with finite differences (as on every page)."""

Args = tuple[Any, ...]
Float = NDArray[np.float64]


@dataclass(frozen=True)
class Output:
    """One result of the reader's function.

    Parameters
    ----------
    label : how the statement names it (`"dW"`)
    result : path of it in the function's result (`""` for a lone result, `"0"`, `"W1"`, ...)
    arg : path of the argument it differentiates (gradient) or of the Jacobian's input
    bias : True for a bias gradient (a wrong shape (N,) is then "summed over the wrong axis")
    """

    label: str
    result: str
    arg: str
    bias: bool = False


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    Parameters
    ----------
    id : unique, lower-case words joined by "-" (`"sce-dZ"`)
    page : the docs page it belongs to, without ".md" (`"softmax-cross-entropy"`)
    level : `"shape"` (a one-line shape question), `"step"` (one backward step) or `"full"`
        (a whole backward pass)
    title : a few words
    statement : Markdown in the site's notation (docs/notation.yml), $...$ for maths
    kind : `"gradient"` (of `value`), `"jacobian"` (of `value`, numerator layout,
        column-major vec) or `"shape"` (the shape of the derivative `value` computes numerically)
    signature : the reader's function, `"dZ(Z, y)"`
    returns : what it returns, in words with shapes (`"dL/dZ, shape (N, C)"`)
    hint : one or two sentences
    solution : the reference solution's source, a `def` of the signature's name (NumPy as np)
    value : gradient: the scalar L of the arguments; jacobian: the map whose Jacobian is asked;
        shape: `value(*sizes)` returns the derivative, computed by finite differences, whose shape
        is asked
    inputs : `inputs(rng, N)`, random arguments with N examples (for "shape": the sizes)
    outputs : the results (for "shape": empty)
    wrong : catalogued wrong answers: description -> (source of a `def` of the signature's name,
        the diagnosis `check_exercise` must give: a key of `MESSAGES` or None)
    """

    id: str
    page: str
    level: str
    title: str
    statement: str
    kind: str
    signature: str
    returns: str
    hint: str
    solution: str = field(repr=False)
    value: Callable[..., Any] = field(repr=False)
    inputs: Callable[[np.random.Generator, int], Args] = field(repr=False)
    outputs: tuple[Output, ...] = ()
    wrong: Mapping[str, tuple[str, str | None]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The name of the reader's function (`"dZ"` for the signature `"dZ(Z, y)"`)."""
        return self.signature.split("(", 1)[0]

    def reference(self) -> Callable[..., Any]:
        """The reference solution, compiled from `solution`.

        Returns
        -------
        the function the solution defines.
        """
        return compile_function(self.solution, self.name)


@dataclass(frozen=True)
class Verdict:
    """What `check_exercise` found: `str(verdict)` is "correct" or the diagnosis in words.

    Attributes: `exercise` (id), `correct` (bool), `diagnosis` (a key of `MESSAGES`, or
    None: correct, or wrong with no known pattern), `factor` (the constant of a "scaled" or
    "regulariser" diagnosis), `message`.
    """

    exercise: str
    correct: bool
    diagnosis: str | None
    message: str
    factor: float | None = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<Verdict {self.exercise}: {self.message}>"


MESSAGES: dict[str, str] = {
    "factor N": "off by a factor of N: your result is N times the right one. Did you sum over the examples "
    "where the loss takes the mean (a missing 1/N)?",
    "factor 1/N": "off by a factor of N: your result is 1/N times the right one. Did you average twice (or "
    "divide by N where the loss is a sum)?",
    "scaled": "off by a constant factor {factor:.6g}.",
    "sign": "a sign error: your result is minus the right one (y - p where p - y is meant? gradient ascent?).",
    "transposed": "transposed: a gradient has the shape of its variable, and a Jacobian (numerator layout) "
    "one row per entry of the output.",
    "axis": "summed over the wrong axis: a bias is added to every example, so its gradient sums over the "
    "examples (the rows, axis 0, when examples are rows) and has the bias's shape.",
    "shape": "wrong shape.",
    "regulariser": "off by a multiple of the variable ({factor:.6g} times it): the penalty term (the gradient "
    "of lambda ||W||_F^2 is 2 lambda W) is missing, halved or doubled.",
    "mask": "right except on the entries a mask decides: a mask (the ReLU's relu'(Z), dropout's, a causal one) "
    "is missing, of the wrong layer, or uses the wrong comparison.",
    "vec": "rows stacked where vec stacks columns: NumPy's default reshape and np.kron order are row-major "
    "(vec(U) is U.reshape(-1, order='F')).",
    "error": "your function raised an error.",
    "returns": "your function does not return what the exercise asks for.",
    "not finite": "your result has NaN or infinite entries.",
}
"""Each diagnosis of a wrong answer, in words (factor filled in)."""

_FACTOR_HINTS = {
    2.0: " A factor of 2: lambda versus lambda/2 (the gradient of lambda ||W||_F^2 is 2 lambda W), or a "
    "missing 1/2 (in a squared error, or in a formula such as the GELU's Phi = (1 + tanh kappa)/2).",
    0.5: " A factor of 1/2: lambda/2 versus lambda (the gradient of lambda ||W||_F^2 is 2 lambda W), or an "
    "extra 1/2 (in a squared error: (1/N)||Yhat - Y||^2 has the gradient (2/N)(Yhat - Y)).",
}


def compile_function(source: str, name: str) -> Callable[..., Any]:
    """The function `name` that `source` (Python, NumPy imported as np) defines.

    Returns
    -------
    callable.

    Raises
    ------
    ValueError
        If the source does not define a function of that name.
    """
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    function = namespace.get(name)
    if not callable(function):
        raise ValueError(f"the source defines no function {name!r}")
    return function  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- one trial


@dataclass
class _Trial:
    N: int
    args: Args
    kind: str | None = None  # diagnosis of this trial: None = passed
    factor: float | None = None
    error: float = 0.0
    detail: str = ""
    zero: bool = False  # the right result is zero: a pass says nothing about a factor
    final: bool = False  # the diagnosis of this trial is the verdict: no need to look at the other trials
    also: frozenset[str] = frozenset()  # other patterns that fit this trial too (e.g. a penalty-only gradient)


def _as_float(value: Any) -> Float | None:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def _finite(arr: Float) -> bool:
    return bool(arr.size == 0 or math.isfinite(float(np.abs(arr).max())))


def _numeric(ex: Exercise, args: Args, arg: str) -> Float:
    X = np.asarray(part(args, arg), dtype=np.float64)
    if ex.kind == "jacobian":
        return gradcheck.numerical_jacobian(lambda V: ex.value(*replace(args, arg, V)), X)
    return gradcheck.numerical_gradient(lambda V: ex.value(*replace(args, arg, V)), X)


def _row_major(J: Float, out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> list[Float]:
    """J with rows stacked instead of columns: on the output side, the input side, and both."""
    p_out = np.arange(J.shape[0]).reshape(out_shape, order="F").ravel()
    p_in = np.arange(J.shape[1]).reshape(in_shape, order="F").ravel()
    return [J[p_out][:, p_in], J[p_out], J[:, p_in]]


def _shape_kind(got: tuple[int, ...], want: tuple[int, ...], N: int, bias: bool) -> str:
    if len(want) == 2 and got == want[::-1]:
        return "transposed"
    if bias and got == (N,):
        return "axis"
    return "shape"


def _judge(ex: Exercise, out: Output, trial: _Trial, value: Any, numeric: Float) -> None:
    """Compare one result with `numeric`, its finite differences; record the trial's diagnosis (None: it
    passed) and whether it is final (a result that is not an array of numbers, of the wrong shape or not
    finite)."""
    arr = _as_float(value)
    if arr is None:
        trial.kind, trial.detail = "returns", f"{out.label} is not an array of numbers: {type(value).__name__}"
        trial.final = True
        return
    if arr.shape != numeric.shape:
        trial.kind = _shape_kind(arr.shape, numeric.shape, trial.N, out.bias)
        trial.detail = f"{out.label} has shape {arr.shape}, expected {numeric.shape}"
        trial.final = True
        return
    if not _finite(arr):
        trial.kind = "not finite"
        trial.final = True
        return
    trial.error = gradcheck.relative_error(arr, numeric)
    trial.zero = not np.any(numeric)
    if trial.error < TOL:
        return
    X = np.asarray(part(trial.args, out.arg), dtype=np.float64)
    if ex.kind == "jacobian":
        in_shape = X.shape
        out_shape = np.shape(ex.value(*trial.args))
        if any(gradcheck.relative_error(arr, R) < TOL for R in _row_major(numeric, out_shape, in_shape)):
            trial.kind = "vec"
            return
        X = None  # type: ignore[assignment]  # no penalty pattern for a Jacobian
    if arr.size == 1:  # a single number: only its ratio to the right one is telling (judged over trials)
        right = float(numeric.reshape(()))
        trial.kind, trial.factor = ("ratio", float(arr.reshape(())) / right) if right != 0.0 else ("none", None)
        return
    if ex.kind == "gradient" and arr.ndim == 2 and arr.shape[0] != arr.shape[1]:
        # refilled by rows where unvec refills columns, or the reverse (square: that is a transpose)
        by_rows = numeric.reshape(-1, order="F").reshape(arr.shape)
        by_cols = numeric.reshape(-1).reshape(arr.shape, order="F")
        if any(gradcheck.relative_error(arr, R) < TOL for R in (by_rows, by_cols)):
            trial.kind = "vec"
            return
    found = gradcheck.diagnose(arr, numeric, None if X is None else X.reshape(arr.shape), tol=TOL)
    trial.kind = found.kind or "none"
    trial.factor = found.factor
    if found.kind in ("scaled", "sign") and X is not None:
        # where the right gradient is the penalty's alone (all ReLUs off), a wrong penalty is a factor too
        k = float(np.vdot(arr - numeric, X)) / max(float(np.vdot(X, X)), 1e-300)
        if gradcheck.relative_error(arr - k * X, numeric) < TOL:
            trial.also = frozenset({"regulariser"})


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * abs(b)


def _over_trials(trials: list[_Trial]) -> tuple[str | None, float | None]:
    """The diagnosis of one result over all trials (a trial that passed counts as a factor of 1)."""
    trials = [t for t in trials if t.kind is not None or not t.zero]
    failed = [t for t in trials if t.kind is not None]
    kinds = {t.kind for t in failed}
    if "regulariser" in kinds and all(t.kind == "regulariser" or "regulariser" in t.also for t in failed):
        return "regulariser", next(t.factor for t in failed if t.kind == "regulariser")
    if kinds <= {"scaled", "sign", "ratio"}:
        factors = [1.0 if t.kind is None else float(t.factor or 0.0) for t in trials]
        Ns = [t.N for t in trials]
        if all(_close(c, n) for c, n in zip(factors, Ns, strict=True)):
            return "factor N", None
        if all(_close(c, 1.0 / n) for c, n in zip(factors, Ns, strict=True)):
            return "factor 1/N", None
        if all(_close(c, factors[0]) for c in factors) and not _close(factors[0], 1.0):
            return ("sign", -1.0) if _close(factors[0], -1.0) else ("scaled", factors[0])
        return None, None
    if len(kinds) == 1 and (kind := kinds.pop()) in ("transposed", "mask", "vec"):
        return kind, None
    return None, None


# ---------------------------------------------------------------------------- the check


def _describe(args: Args) -> str:
    shapes = [f"{np.shape(a)}" if not isinstance(a, dict) else "{" + ", ".join(a) + "}" for a in args]
    return ", ".join(shapes)


def _message(key: str | None, factor: float | None) -> str:
    if key is None:
        return "wrong, and no known pattern fits (not a factor, a sign, a transpose, a penalty or a mask)."
    text = MESSAGES[key].format(factor=factor if factor is not None else float("nan"))
    if key == "scaled" and factor is not None:
        text += next((h for c, h in _FACTOR_HINTS.items() if _close(factor, c)), "")
    return text


def check_exercise(ex: Exercise, candidate: Callable[..., Any], *, seed: int = 0) -> Verdict:
    """Judge `candidate` on `TRIAL_SIZES` random problems of exercise `ex`.

    Parameters
    ----------
    ex : the Exercise
    candidate : the reader's function, called as the exercise's signature says (on copies)
    seed : seeds the random problems (the same seed, the same problems)

    Returns
    -------
    Verdict: correct when every result agrees with finite differences in every trial (relative
    error below 1e-7); otherwise the diagnosis (see `MESSAGES`).

    Raises
    ------
    ValueError
        If candidate is not callable.
    RuntimeError
        If the exercise's own reference solution disagrees with finite differences (a broken exercise).
    """
    if not callable(candidate):
        raise ValueError(f"check needs your function for {ex.signature}; got {type(candidate).__name__}")
    rng = np.random.default_rng(seed)
    reference = ex.reference()
    trials: dict[str, list[_Trial]] = {}
    for N in TRIAL_SIZES:
        args = ex.inputs(rng, N)
        try:
            got = candidate(*copy.deepcopy(args))
        except Exception as err:  # the reader's code: any error is an answer
            where = traceback.extract_tb(err.__traceback__)[-1]
            detail = f"{type(err).__name__}: {err} (line {where.lineno}), with arguments of shapes {_describe(args)}"
            if isinstance(err, NotImplementedError):
                return Verdict(ex.id, False, "error", f"not done yet: {ex.name} raises NotImplementedError.")
            return Verdict(ex.id, False, "error", f"{MESSAGES['error']} At N = {N}: {detail}")
        if ex.kind == "shape":
            verdict = _check_shape(ex, got, reference(*args), args, N)
            if verdict is not None:
                return verdict
            continue
        want = reference(*copy.deepcopy(args))
        for out in ex.outputs:
            numeric = _numeric(ex, args, out.arg)
            if not _reference_agrees(out, want, numeric):
                raise RuntimeError(f"exercise {ex.id}: the reference solution's {out.label} fails its own check")
            trial = _Trial(N, args)
            try:
                value = part(got, out.result)
            except (ValueError, TypeError, KeyError, IndexError):
                return Verdict(ex.id, False, "returns", f"{MESSAGES['returns']} Expected {ex.returns}.")
            _judge(ex, out, trial, value, numeric)
            if trial.final and trial.kind is not None:  # a final trial has a kind (for mypy)
                detail = f", {trial.detail}" if trial.detail else ""
                return Verdict(ex.id, False, trial.kind, f"{out.label}: {MESSAGES[trial.kind]} At N = {N}{detail}.")
            trials.setdefault(out.label, []).append(trial)
    if ex.kind == "shape":
        return Verdict(ex.id, True, None, "correct")
    wrong = [(label, ts) for label, ts in trials.items() if any(t.kind is not None for t in ts)]
    if not wrong:
        return Verdict(ex.id, True, None, "correct")
    found = [(label, *_over_trials(ts), max(t.error for t in ts)) for label, ts in wrong]
    grouped: dict[str, list[str]] = {}
    for label, key, factor, _ in found:
        grouped.setdefault(_message(key, factor), []).append(label)
    lines = [f"{', '.join(labels)}: {text}" for text, labels in grouped.items()]
    recognised = [(key, factor) for _, key, factor, _ in found if key is not None]
    key, factor = recognised[0] if recognised else (None, None)
    worst = max(err for *_, err in found)
    summary = f"wrong (largest relative error {worst:.2e}): " if len(lines) > 1 else ""
    return Verdict(ex.id, False, key, summary + " ".join(lines), factor)


def _reference_agrees(out: Output, want: Any, numeric: Float) -> bool:
    right = np.asarray(part(want, out.result), dtype=np.float64)
    return right.shape == numeric.shape and gradcheck.relative_error(right, numeric) < TOL


def _check_shape(ex: Exercise, got: Any, want: Any, sizes: Args, N: int) -> Verdict | None:
    measured = tuple(np.shape(ex.value(*sizes)))
    if tuple(want) != measured:
        raise RuntimeError(f"exercise {ex.id}: the reference shape {want} is not the measured {measured}")
    try:
        answer = tuple(int(s) for s in got)
    except (TypeError, ValueError):
        return Verdict(ex.id, False, "returns", f"{MESSAGES['returns']} Expected {ex.returns}; got {got!r}.")
    if answer == measured:
        return None
    kind = _shape_kind(answer, measured, N, bias=len(measured) == 1)
    names = ", ".join(f"{p} = {s}" for p, s in zip(_params(ex.signature), sizes, strict=False))
    return Verdict(ex.id, False, kind, f"{MESSAGES[kind]} With {names}: you said {answer}.")


def _params(signature: str) -> list[str]:
    inner = signature.split("(", 1)[1].rsplit(")", 1)[0]
    return [p.strip() for p in inner.split(",") if p.strip()]
