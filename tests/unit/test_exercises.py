"""Tests of matgrad.exercises: every reference passes, every catalogued wrong answer gets its diagnosis,
the check's edge cases, the command line, the stub notebooks and the page sections.

The truth is central finite differences (inside check); the wrong answers are written by hand in the
catalogue, each with the diagnosis a reader must get.
"""

import re
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from matgrad import exercises
from matgrad.exercises import EXERCISES, TRIAL_SIZES, check
from matgrad.exercises.core import MESSAGES, compile_function
from matgrad.exercises.render import PAGE_TITLES, section, stub_notebook

ROOT = Path(__file__).resolve().parents[2]
WRONG = [(ex.id, what) for ex in EXERCISES.values() for what in ex.wrong]


def test_catalogue_size_and_pages():
    assert len(EXERCISES) >= 44
    by_page = exercises.pages()
    assert set(by_page) == set(PAGE_TITLES)
    for page, exs in by_page.items():
        assert (ROOT / "docs" / f"{page}.md").is_file(), page
        assert len(exs) >= 3, page
        levels = [ex.level for ex in exs]
        assert "shape" in levels and "full" in levels, (page, levels)  # from a shape question to a full pass
    for ex_id, ex in EXERCISES.items():
        assert ex_id == ex.id and re.fullmatch(r"[a-z]+(-[a-z]+)+", ex_id), ex_id
        assert ex.kind in ("gradient", "jacobian", "shape") and ex.level in ("shape", "step", "full")
        assert ex.wrong, f"{ex_id}: no catalogued wrong answer"
        assert (ex.kind == "shape") == (not ex.outputs)


@pytest.mark.parametrize("page", list(PAGE_TITLES))
def test_page_titles_are_the_pages_first_headings(page):
    heading = re.search(r"^# (.+)$", (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8"), re.M)
    assert heading and PAGE_TITLES[page] == heading.group(1).strip(), "copy the page's # heading into PAGE_TITLES"


@pytest.mark.parametrize("ex_id", list(EXERCISES))
def test_reference_solution_passes(ex_id):
    verdict = check(ex_id, EXERCISES[ex_id].reference())
    assert verdict.correct and verdict.diagnosis is None and str(verdict) == "correct"


@pytest.mark.parametrize(("ex_id", "what"), WRONG)
def test_catalogued_wrong_answer_gets_its_diagnosis(ex_id, what):
    ex = EXERCISES[ex_id]
    source, expected = ex.wrong[what]
    for seed in (0, 1, 2):  # the same diagnosis on other random problems
        verdict = check(ex_id, compile_function(source, ex.name), seed=seed)
        assert not verdict.correct
        assert verdict.diagnosis == expected, (seed, str(verdict))
        if expected is not None:
            assert MESSAGES[expected].split(":")[0].split("{")[0] in str(verdict)
        # the reference solution is not revealed: none of its lines after the def appears
        for line in ex.solution.splitlines()[1:]:
            assert line.strip() not in str(verdict) + repr(verdict), line


def test_the_issue_s_wording_for_a_factor_of_n():
    averaged_twice = EXERCISES["sce-grad-scores"].wrong["averaged twice"][0]
    verdict = check("sce-grad-scores", compile_function(averaged_twice, "grad_scores"))
    assert str(verdict).startswith("dZ: off by a factor of N:") and "average twice" in str(verdict)


def test_trials_include_one_example_and_a_failure_only_there_is_caught():
    assert TRIAL_SIZES[0] == 1 and len(set(TRIAL_SIZES)) == len(TRIAL_SIZES) >= 3

    def grad_scores(Z, y):  # np.squeeze turns the one-row case into a vector
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        return np.squeeze((P - np.eye(Z.shape[1])[y]) / len(y))

    verdict = check("sce-grad-scores", grad_scores)
    assert verdict.diagnosis == "shape" and "At N = 1" in str(verdict)


def test_a_candidate_that_modifies_its_arguments_is_judged_on_copies():
    def grad_trace(U, B):
        answer = B.T.copy()
        U[...] = 0.0
        B[...] = 0.0
        return answer

    assert check("tt-trace-bu", grad_trace).correct


def test_errors_stubs_wrong_returns_and_non_finite_results():
    def raises(Z, y):
        raise KeyError("oops")

    def stub(Z, y):
        raise NotImplementedError

    verdict = check("sce-grad-scores", raises)
    assert verdict.diagnosis == "error" and "KeyError" in str(verdict) and "At N = 1" in str(verdict)
    assert str(check("sce-grad-scores", stub)).startswith("not done yet")
    assert check("be-affine", lambda X, W, b, G: (G @ W.T, X.T @ G)).diagnosis == "returns"
    assert check("sce-grad-scores", lambda Z, y: np.full(Z.shape, np.nan)).diagnosis == "not finite"
    assert check("sce-grad-scores", lambda Z, y: "text").diagnosis == "returns"
    assert check("jl-shape-xw", lambda N, D, H: None).diagnosis == "returns"


def test_unknown_ids_and_non_callables_are_rejected():
    with pytest.raises(ValueError, match="did you mean sce-grad-scores"):
        check("sce-grad-score", lambda Z, y: Z)
    with pytest.raises(ValueError, match="your function"):
        check("sce-grad-scores", np.zeros(3))


@pytest.mark.parametrize(("factor", "diagnosis"), [(-1.0, "sign"), (2.0, "scaled")])
def test_a_trial_where_the_right_gradient_is_zero_says_nothing_about_a_factor(factor, diagnosis):
    # at N = 1 batch norm's dX is zero (X - mu = 0 whatever X): any multiple of it passes that trial
    right = EXERCISES["nm-batchnorm"].reference()

    def batchnorm_backward(X, gamma, beta, eps, dXtilde):
        dX, dgamma, dbeta = right(X, gamma, beta, eps, dXtilde)
        return factor * dX, dgamma, dbeta

    for seed in (0, 1, 2):
        verdict = check("nm-batchnorm", batchnorm_backward, seed=seed)
        assert verdict.diagnosis == diagnosis and str(verdict).startswith("dX:"), (seed, str(verdict))


def test_an_unrelated_wrong_answer_gets_no_diagnosis():
    rng = np.random.default_rng(0)
    noise = {}

    def grad_scores(Z, y):  # right plus a little noise: no pattern
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        key = Z.shape
        noise.setdefault(key, 1e-3 * rng.standard_normal(key))
        return (P - np.eye(Z.shape[1])[y]) / len(y) + noise[key]

    verdict = check("sce-grad-scores", grad_scores)
    assert not verdict.correct and verdict.diagnosis is None and "no known pattern" in str(verdict)


def test_a_broken_reference_is_an_error_of_the_exercise():
    import dataclasses

    ex = EXERCISES["tt-trace-bu"]
    broken = dataclasses.replace(ex, solution="def grad_trace(U, B):\n    return B\n")
    with pytest.raises(RuntimeError, match="reference solution"):
        exercises.core.check_exercise(broken, ex.reference())


# ---------------------------------------------------------------------------- command line


def _cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "matgrad.exercises", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_command_line_checks_a_file(tmp_path):
    right = tmp_path / "right.py"
    right.write_text(EXERCISES["dm-relu"].solution, encoding="utf-8")
    wrong = tmp_path / "wrong.py"
    wrong.write_text(EXERCISES["dm-relu"].wrong["the mask forgotten"][0], encoding="utf-8")
    done = _cli("check", "dm-relu", str(right))
    assert (done.returncode, done.stdout) == (0, "correct\n"), done.stderr
    done = _cli("check", "dm-relu", str(wrong))
    assert done.returncode == 1 and "mask" in done.stdout
    done = _cli("check", "dm-relu", str(tmp_path / "missing.py"))
    assert done.returncode == 2 and "no such file" in done.stderr
    done = _cli("check", "sce-grad-scores", str(right))
    assert done.returncode == 2 and "defines no function grad_scores" in done.stderr
    done = _cli("check", "no-such-id", str(right))
    assert done.returncode == 2 and "no exercise" in done.stderr
    listing = _cli("list")
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == len(EXERCISES)
    shown = _cli("show", "dm-relu")
    assert shown.returncode == 0 and "relu_backward(Z, dA)" in shown.stdout
    assert EXERCISES["dm-relu"].solution.splitlines()[1].strip() not in shown.stdout


# ---------------------------------------------------------------------------- stubs and sections


@pytest.mark.parametrize("page", list(PAGE_TITLES))
def test_committed_stub_notebook_is_generated_and_runs(page, capsys):
    path = ROOT / "docs" / "exercises" / f"{page}.py"
    assert path.read_text(encoding="utf-8") == stub_notebook(page), (
        "regenerate with: python -m matgrad.exercises stubs docs/exercises"
    )
    runpy.run_path(str(path), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(exercises.pages()[page])
    assert all(line.startswith("not done yet") for line in printed)


def solution_blocks(markdown):
    """The python blocks inside ``??? example "Solution"`` boxes, dedented."""
    pattern = r'\?\?\? example "Solution"\n\n((?:    .*\n|\n)+?)(?=\S|\Z)'
    blocks = []
    for box in re.findall(pattern, markdown):
        code = re.search(r"```python\n(.*?)```", textwrap.dedent(box), re.S)
        assert code, box
        blocks.append(code.group(1))
    return blocks


def exercise_ids(markdown):
    """The ids in the ``### ... (`id`, ...)`` headings of a page's ``## Exercises`` section."""
    part = markdown.split("\n## Exercises\n", 1)
    return re.findall(r"^### .*\(`([a-z-]+)`", part[1], re.M) if len(part) == 2 else []


@pytest.mark.parametrize("page", list(PAGE_TITLES))
def test_section_solutions_run_assert_and_leak_nothing(page):
    text = section(page)
    assert text.startswith("## Exercises\n") and f"(exercises/{page}.py)" in text
    ids = exercise_ids("\n" + text)
    assert ids == [ex.id for ex in sorted(exercises.pages()[page], key=lambda e: "shape step full".find(e.level))]
    assert text.count('??? tip "Hint"') == text.count('??? example "Solution"') == len(ids)
    blocks = solution_blocks(text)
    assert len(blocks) == len(ids)
    for block, ex_id in zip(blocks, ids, strict=True):
        assert f'assert check("{ex_id}",' in block
        namespace = {"np": np}
        before = dict(namespace)
        exec(compile(block, f"<{ex_id}>", "exec"), namespace)
        namespace.pop("__builtins__", None)
        assert namespace == before, f"{ex_id} leaves names behind: {set(namespace) - set(before)}"


def test_a_solution_block_that_fails_fails():
    # the section's asserts can fail: a wrong solution put in its place raises
    ex = EXERCISES["dm-relu"]
    block = solution_blocks(section("deep-mlp"))[1].replace(ex.solution, ex.wrong["the mask forgotten"][0])
    with pytest.raises(AssertionError):
        exec(compile(block, "<wrong>", "exec"), {"np": np})
