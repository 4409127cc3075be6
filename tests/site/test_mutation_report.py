"""The mutation report's own logic (tests/site/mutation.py), checked without running mutmut.

Which mutants count as error-message mutants decides what the score of docs/reliability.md leaves
out, so the classifier is tested on both sides: every kind of message-only change it must
recognise, and the changes of behaviour (or of data carried by an exception) it must not. The
report's validation must reject counts that do not add up, and the judgements of equivalence must
fail the run when they are stale or contradicted.
"""

import copy

import pytest

from tests.site import mutation as M

AS_NUMERIC = """
def as_numeric(a, name):
    if a < 0:
        raise ValueError(f"{name} must be >= 0; got {a}")
    return a
"""

SCALED = """
def scaled(a, factor, name="a"):
    a = as_numeric(a, name)
    return a * factor
"""

CHECKS = AS_NUMERIC + SCALED

FORWARD = """
def forward(X, W):
    "the product"
    X, W = as_numeric(X, "X"), checks.as_numeric(W, "W")
    for name, arr in (("X", X), ("W", W)):
        as_numeric(arr, name)
    if X > W:
        listing = ", ".join(str(v) for v in (X, W))
        raise ValueError(f"X is more than W: {listing}")
    return X * W
"""

CHECK = """
def check(a, n):
    if a != n:
        raise GradientCheckError(a, n)
    return a
"""

LAYER = "from .checks import as_numeric\nfrom . import checks\n" + FORWARD + CHECK
FLOW = M.MessageFlow({"checks": CHECKS, "layer": LAYER})


def mutant(source, old, new):
    """One function's source (as mutmut hands them over) with one change."""
    assert source.count(old) == 1, old
    return source.replace(old, new)


MESSAGE_ONLY = [
    ("layer", "forward", FORWARD, 'f"X is more than W: {listing}"', '"XXX is more than WXX"'),
    ("layer", "forward", FORWARD, 'ValueError(f"X is more than W: {listing}")', "ValueError(None)"),
    ("layer", "forward", FORWARD, '", ".join', '"XX, XX".join'),  # a local read only by the message
    ("layer", "forward", FORWARD, 'as_numeric(X, "X")', 'as_numeric(X, "XXXXX")'),  # the callee's message parameter
    ("layer", "forward", FORWARD, 'checks.as_numeric(W, "W")', "checks.as_numeric(W, None)"),  # through a module
    ("layer", "forward", FORWARD, '(("X", X)', '(("x", X)'),  # a loop variable read only as a message parameter
    ("layer", "forward", FORWARD, "as_numeric(arr, name)", "as_numeric(arr, None)"),
    ("checks", "scaled", SCALED, 'name="a"', 'name="XXaXX"'),  # the default of a message parameter
    ("checks", "scaled", SCALED, "as_numeric(a, name)", "as_numeric(a, None)"),
]

BEHAVIOUR = [
    ("layer", "forward", FORWARD, "if X > W:", "if X >= W:"),
    ("layer", "forward", FORWARD, "return X * W", "return X / W"),
    ("layer", "forward", FORWARD, 'as_numeric(X, "X")', "as_numeric(X)"),  # an argument dropped: a TypeError
    ("layer", "forward", FORWARD, 'as_numeric(X, "X")', 'as_numeric(None, "X")'),
    ("layer", "forward", FORWARD, '"the product"', '"XXthe productXX"'),  # no-op, but not an error message
    ("layer", "check", CHECK, "GradientCheckError(a, n)", "GradientCheckError(a, None)"),  # data, not a message
    ("checks", "as_numeric", AS_NUMERIC, "if a < 0:", "if a <= 0:"),
    ("checks", "scaled", SCALED, "return a * factor", "return a / factor"),
]


def test_the_flow_finds_the_message_parameters_and_variables():
    assert FLOW.params[("checks", "as_numeric")] == {"name"}
    assert FLOW.params[("checks", "scaled")] == {"name"}
    assert FLOW.locals[("layer", "forward")] == {"name", "listing"}
    assert FLOW.params[("layer", "check")] == set()


@pytest.mark.parametrize(("module", "function", "source", "old", "new"), MESSAGE_ONLY)
def test_message_only_mutants_are_recognised(module, function, source, old, new):
    assert FLOW.is_message_only(module, function, source, mutant(source, old, new))


@pytest.mark.parametrize(("module", "function", "source", "old", "new"), BEHAVIOUR)
def test_other_mutants_are_not_message_only(module, function, source, old, new):
    assert not FLOW.is_message_only(module, function, source, mutant(source, old, new))


def test_the_flow_on_the_package_finds_the_checks_name_parameters():
    flow = M.MessageFlow({p.stem: p.read_text(encoding="utf-8") for p in M.PACKAGE.glob("*.py")})
    assert "name" in flow.params[("_checks", "as_numeric")]
    assert "names" in flow.params[("_checks", "check_finite")]  # check_finite(names, arrays)


# ---------------------------------------------------------------------------- judgements and the report


def record(status, kind="behaviour", line=1, module="layers"):
    return {
        "module": module,
        "function": "f",
        "line": line,
        "original": "x = a + b",
        "mutated": f"x = a - b  # {line}",
        "status": status,
        "message_only": kind == "message",
        "name": f"matgrad.{module}.x_f__mutmut_{line}",
    }


MUTANTS = [
    record("killed", line=1),
    record("survived", line=2),
    record("no_tests", line=3),
    record("timeouts", line=4),
    record("survived", "message", line=5),
    record("killed", "message", line=6),
    record("survived", line=7),
]
JUDGED = {k: MUTANTS[6][k] for k in ("module", "function", "original", "mutated")} | {"reason": "a reason"}
PROVENANCE = {"tool": "mutmut x", "commit": "0" * 40, "dirty": False, "date": "2026-01-01T00:00:00+00:00"}
PROVENANCE |= {"python": "3", "numpy": "2"}


@pytest.fixture
def report():
    mutants = M.classify(copy.deepcopy(MUTANTS), [JUDGED], ["layers"])
    return M.build_report(mutants, ["layers"], wall_s=10.0, rate=1.0, provenance=PROVENANCE)


def test_report_counts_and_score(report):
    M.validate_report(report)
    assert (report["mutants"], report["killed"], report["timeouts"], report["survived"]) == (7, 2, 1, 3)
    assert report["equivalent"] == 1 and report["message"]["mutants"] == 2
    # behaviour: lines 1-4; killed 1 and timed out 4 are detected
    assert report["modules"]["layers"]["score"] == 0.5
    assert [(s["line"], s["kind"]) for s in report["survivors"]] == [(2, "behaviour"), (3, "behaviour"), (5, "message")]
    assert report["equivalent_mutants"][0]["reason"] == "a reason"
    assert not report["complete"]
    assert report["maths"]["behaviour"]["mutants"] == 4 and report["maths"]["score"] == 0.5  # layers is maths
    summary = M.page_sections(report)["summary"]
    assert "The maths modules together: 2 of 4 behaviour mutants killed by the pages, 50.0%" in summary
    assert "(target 95.0%: **not met**)" in summary


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r.update(killed=r["killed"] + 1),
        lambda r: r["modules"]["layers"].update(score=0.9),
        lambda r: r["survivors"].pop(),
        lambda r: r["modules"]["layers"]["behaviour"].update(survived=0),
        lambda r: r["equivalent_mutants"][0].update(reason=" "),
        lambda r: r.update(complete=True),
        lambda r: r["maths"]["behaviour"].update(killed=0),
    ],
)
def test_validation_rejects_a_report_that_does_not_add_up(report, tamper):
    tamper(report)
    with pytest.raises(ValueError, match="mutation report"):
        M.validate_report(report)


def test_a_stale_judgement_fails_the_run():
    stale = JUDGED | {"mutated": "x = a * b"}
    with pytest.raises(SystemExit, match="stale"):
        M.classify(copy.deepcopy(MUTANTS), [stale], ["layers"])
    M.classify(copy.deepcopy(MUTANTS), [stale], ["losses"])  # a module not measured: not checked


def test_a_judgement_of_a_killed_mutant_fails_the_run():
    killed = {k: MUTANTS[0][k] for k in ("module", "function", "original", "mutated")} | {"reason": "wrong"}
    with pytest.raises(SystemExit, match="killed"):
        M.classify(copy.deepcopy(MUTANTS), [killed], ["layers"])


def test_page_sections_round_trip(report):
    template = "".join(
        f"{a}{b}\n" for a, b in map(M.markers, ("summary", "modules", "survivors", "unpinned", "equivalent"))
    )
    page = M.updated_page(template, report)
    for name, body in M.page_sections(report).items():
        assert M.page_section(page, name) == body
    assert "Subset run" in page and "`layers.py:2`" in page and "a reason" in page
    with pytest.raises(ValueError):
        M.page_section(template + template, "summary")
