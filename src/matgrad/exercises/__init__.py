"""Checkable exercises: `check(exercise_id, candidate)` answers "correct" or names the mistake.

`EXERCISES` maps each id to an `Exercise` (statement in the site's notation, the
reader's signature, hint, catalogued wrong answers; the reference solution is not shown by
`check`). From a shell: `python -m matgrad.exercises check <id> <file.py>` (the file defines
the function the exercise names), `python -m matgrad.exercises list` and `show <id>`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from .catalogue import EXERCISES
from .core import MESSAGES, TRIAL_SIZES, Exercise, Output, Verdict, check_exercise

__all__ = ["EXERCISES", "MESSAGES", "TRIAL_SIZES", "Exercise", "Output", "Verdict", "check", "exercise", "pages"]


def exercise(exercise_id: str) -> Exercise:
    """The exercise of that id.

    Returns
    -------
    Exercise.

    Raises
    ------
    ValueError
        If there is no such exercise (the message suggests the closest ids).
    """
    if exercise_id not in EXERCISES:
        close = difflib.get_close_matches(str(exercise_id), EXERCISES, n=3)
        also = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"no exercise {exercise_id!r}{also} (python -m matgrad.exercises list shows them all)")
    return EXERCISES[exercise_id]


def check(exercise_id: str, candidate: Callable[..., Any], *, seed: int = 0) -> Verdict:
    """Check the reader's function for an exercise: "correct", or the mistake it makes.

    The function is called on random problems with N = 1, 3, 5 and 2 examples (other sizes random)
    and each result is compared with central finite differences (relative error below 1e-7).

    Parameters
    ----------
    exercise_id : str, a key of `EXERCISES` (e.g. `"sce-grad-scores"`)
    candidate : the function the exercise asks for, with its signature
    seed : int, seeds the random problems

    Returns
    -------
    Verdict: `verdict.correct` (bool), `verdict.diagnosis` (None, or a key of `MESSAGES`:
    "factor N", "factor 1/N", "scaled", "sign", "transposed", "axis", "shape", "regulariser", "mask",
    "vec", "error", "returns", "not finite"), `str(verdict)` "correct" or the diagnosis in words.

    Raises
    ------
    ValueError
        If the id is unknown or candidate is not callable.
    """
    return check_exercise(exercise(exercise_id), candidate, seed=seed)


def pages() -> dict[str, list[Exercise]]:
    """The exercises of each docs page, in order.

    Returns
    -------
    dict page (without ".md") -> list of Exercise.
    """
    by_page: dict[str, list[Exercise]] = {}
    for ex in EXERCISES.values():
        by_page.setdefault(ex.page, []).append(ex)
    return by_page
