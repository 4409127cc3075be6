"""The benchmark harness produces well-formed records and reports (timings are never asserted)."""

import json
import math

import numpy as np
import pytest

from matgrad import benchmark
from matgrad.benchmark import Case

TINY = [Case("two_layer", (6, 4, 5, 3), "float64"), Case("logistic", (5, 2, 4), "float32")]
FAST = dict(rounds=2, min_time=0.0, pause=0.0, max_retries=0)


@pytest.fixture(scope="module")
def records():
    return benchmark.run_benchmark(TINY, implementations=("floor", "matgrad"), **FAST)


def test_records_are_well_formed(records):
    assert len(records) == 2 * len(TINY)
    assert [(r["case"], r["dtype"], r["implementation"]) for r in records] == [
        ("two_layer N=6 D=4 H=5 C=3", "float64", "floor"),
        ("two_layer N=6 D=4 H=5 C=3", "float64", "matgrad"),
        ("logistic N=5 d=2 h=4", "float32", "floor"),
        ("logistic N=5 d=2 h=4", "float32", "matgrad"),
    ]
    for r in records:
        assert set(benchmark.REQUIRED_KEYS) <= set(r)
        assert isinstance(r["median_s"], float) and r["median_s"] > 0
        assert r["rounds"] == FAST["rounds"]
        assert r["min_s"] <= r["q1_s"] <= r["median_s"] <= r["q3_s"]
        assert r["paired_ratio_to_floor"] > 0
        assert r["samples_retried"] >= 0 and r["samples_kept_disturbed"] >= 0
        if r["implementation"] == "floor":
            assert r["paired_ratio_to_floor"] == 1.0
    floor = {r["case"]: r["median_s"] for r in records if r["implementation"] == "floor"}
    for r in records:
        assert r["ratio_to_floor"] == pytest.approx(r["median_s"] / floor[r["case"]], rel=1e-12)
    groups = benchmark.validate_records(records)
    assert set(groups) == {(c.name, c.dtype) for c in TINY}


def test_records_survive_json(records, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records))
    assert benchmark.validate_records(json.loads(path.read_text()))


def test_validate_records_rejects_inconsistent_ratio(records):
    bad = [dict(r) for r in records]
    bad[1]["ratio_to_floor"] *= 1.5
    with pytest.raises(ValueError, match="ratio_to_floor"):
        benchmark.validate_records(bad)
    with pytest.raises(ValueError, match="no floor"):
        benchmark.validate_records([r for r in records if r["implementation"] != "floor"])
    with pytest.raises(ValueError, match="lacks"):
        benchmark.validate_records([{k: v for k, v in records[0].items() if k != "median_s"}])


def test_markdown_tables_have_one_row_per_case(records):
    text = benchmark.markdown_tables(records)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "dtype" not in line]
    assert len(rows) == len(TINY)
    assert rows[0].startswith("| 6, 4, 5, 3 | float64 |")
    assert rows[1].startswith("| 5, 2, 4 | float32 |")
    assert "| N, D, H, C | dtype | floor (ms) | matgrad (ms) | matgrad / floor |" in text


def test_floor_does_the_five_products_into_its_outputs():
    case = Case("two_layer", (7, 4, 5, 3), "float32")
    data = benchmark.make_data(case)
    floor = benchmark.build_implementations(case, data, ("floor",))["floor"]
    assert floor() is None
    assert data["X"].dtype == np.float32 and data["params"]["W1"].dtype == np.float32


def test_matgrad_is_timed_on_the_same_function_users_call():
    case = Case("logistic", (6, 2, 3), "float64")
    data = benchmark.make_data(case)
    run = benchmark.build_implementations(case, data, ("matgrad",))["matgrad"]
    got = run()
    import matgrad

    want = matgrad.logistic_net_gradient(data["X"], data["Y"], data["Wi"], data["bi"], data["Wo"], data["bo"])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_case_rejects_bad_input():
    with pytest.raises(ValueError, match="two_layer"):
        Case("three_layer", (1, 2, 3, 4), "float64")
    with pytest.raises(ValueError, match="4 positive sizes"):
        Case("two_layer", (1, 2, 3), "float64")
    with pytest.raises(ValueError, match="float16"):
        Case("logistic", (1, 2, 3), "float16")


def test_measure_interleaves_and_counts():
    calls = []
    fns = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    stats = {}
    samples, numbers = benchmark.measure(fns, rounds=4, min_time=0.0, pause=0.0, max_retries=0, stats=stats)
    assert numbers == {"a": 1, "b": 1}
    assert {k: len(v) for k, v in samples.items()} == {"a": 4, "b": 4}
    assert all(t >= 0 and math.isfinite(t) for v in samples.values() for t in v)
    assert calls.count("a") == calls.count("b") == 1 + 2 * 4  # warm-up, then per round one untimed + one timed
    assert set(stats) == {"a", "b"} and all(v["retried"] == 0 for v in stats.values())


def test_disturbed_samples_are_taken_again(monkeypatch):
    """A sample during which the CPU-stall counter jumps is retaken, up to max_retries times."""
    clock = iter(range(0, 10**6, 100))  # each reading of the counter: 100 s of stall more than the last
    monkeypatch.setattr(benchmark, "_cpu_stall_seconds", lambda: next(clock))
    calls = []
    stats = {}
    samples, _ = benchmark.measure(
        {"a": lambda: calls.append(1)}, rounds=2, min_time=0.0, pause=0.0, max_retries=3, stats=stats
    )
    assert len(samples["a"]) == 2
    assert stats["a"] == {"retried": 2 * 3, "kept_disturbed": 2}
    assert len(calls) == 1 + 2 * 4 * 2  # warm-up, then 4 attempts per sample of (untimed + timed)


def test_command_line_writes_json_markdown_machine_and_plot(tmp_path):
    paths = {
        k: tmp_path / name for k, name in (("json", "r.json"), ("machine", "m.json"), ("md", "r.md"), ("plot", "p.png"))
    }
    benchmark.main(
        [
            "--quick",
            "--keep-blas-env",
            "--impl",
            "matgrad",
            "--shape",
            "6,4,5,3",
            "--shape",
            "5,2,4",
            "--dtype",
            "float32",
            "--json",
            str(paths["json"]),
            "--machine-json",
            str(paths["machine"]),
            "--markdown",
            str(paths["md"]),
            "--plot",
            str(paths["plot"]),
        ]
    )
    records = json.loads(paths["json"].read_text())
    assert isinstance(records, list) and len(records) == 4
    benchmark.validate_records(records)
    assert {r["implementation"] for r in records} == {"floor", "matgrad"}
    machine = json.loads(paths["machine"].read_text())
    assert machine["cores"] >= 1 and "OPENBLAS_CORETYPE" in machine["env"]
    text = paths["md"].read_text()
    assert benchmark.markdown_tables(records) in text and "## Machine" in text
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cross_check_measures_the_difference_from_matgrad():
    """The agreement recorded for jax/torch (their import is too slow for the unit tests: a stand-in)."""
    case = Case("two_layer", (9, 4, 6, 3), "float64")
    fns = benchmark.build_implementations(case, benchmark.make_data(case), ("floor", "matgrad"))
    loss, grads = fns["matgrad"]()
    keys = ("W1", "b1", "W2", "b2")
    fns["jax"] = lambda: (loss, [grads[k] for k in keys])
    fns["torch"] = lambda: (loss, [grads[k] * (1 + 1e-3) for k in keys])
    diffs = benchmark.cross_check(case, fns)
    assert set(diffs) == {"jax", "torch"}
    assert diffs["jax"] == 0.0
    assert diffs["torch"] == pytest.approx(1e-3, rel=1e-6)


def test_target_checks_read_the_issue_targets_off_the_records():
    """Synthetic medians: the three kinds of target, met and missed, in the table."""

    def rec(case, shape, impl, t, floor_t, matgrad_t):
        return {
            "case": case,
            "net": "two_layer",
            "shape": dict(zip("NDHC", shape, strict=True)),
            "dtype": "float32",
            "implementation": impl,
            "median_s": t,
            "ratio_to_floor": t / floor_t,
            "ratio_to_matgrad": t / matgrad_t,
        }

    big, small = (1024, 784, 256, 10), (90, 4, 6, 3)
    records = []
    for case, shape, times in (
        ("big", big, dict(floor=1.0, matgrad=1.05, jax=1.2, torch=1.4)),
        ("small", small, dict(floor=1.0, matgrad=3.0, jax=2.0, torch=6.0)),
    ):
        records += [rec(case, shape, k, t, times["floor"], times["matgrad"]) for k, t in times.items()]
    checks = {(c, t.split()[0]): (round(v, 4), met) for c, _, t, v, met in benchmark.target_checks(records)}
    assert checks == {
        ("big", "matgrad"): (1.05, True),
        ("big", "jax.jit"): (round(1.2 / 1.05, 4), True),
        ("big", "torch"): (round(1.4 / 1.05, 4), False),
        ("small", "jax.jit"): (round(2 / 3, 4), False),
        ("small", "torch"): (2.0, True),
    }
    table = benchmark.markdown_targets(records)
    assert "3 of 5 targets met" in table and "**no**" in table
    assert (
        table.splitlines()[0]
        == "| case | dtype | matgrad / floor <= 1.10 | jax.jit / matgrad >= 1.00 | torch / matgrad >= 1.50 |"
    )
