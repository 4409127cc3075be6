"""benchmarks.run and benchmarks.records: a tiny run gives well-formed records (timings never asserted)."""

import json

import pytest

from benchmarks.records import REQUIRED_KEYS, validate_records

from .conftest import FAST, TINY


def test_records_are_well_formed(records):
    assert [(r["case"], r["dtype"], r["implementation"]) for r in records] == [
        ("two_layer N=6 D=4 H=5 C=3", "float64", "floor"),
        ("two_layer N=6 D=4 H=5 C=3", "float64", "matgrad"),
        ("logistic N=5 D=2 H=4", "float32", "floor"),
        ("logistic N=5 D=2 H=4", "float32", "matgrad"),
    ]
    for r in records:
        assert set(REQUIRED_KEYS) <= set(r)
        assert isinstance(r["median_s"], float) and r["median_s"] > 0
        assert r["rounds"] == FAST["rounds"]
        assert r["min_s"] <= r["q1_s"] <= r["median_s"] <= r["q3_s"]
        assert r["paired_ratio_to_floor"] > 0
        assert r["samples_retried"] >= 0 and r["samples_kept_disturbed"] >= 0
        if r["implementation"] == "floor":
            assert r["paired_ratio_to_floor"] == 1.0 and r["max_rel_diff_vs_matgrad"] is None
        else:
            assert r["max_rel_diff_vs_matgrad"] == 0.0
    floor = {r["case"]: r["median_s"] for r in records if r["implementation"] == "floor"}
    for r in records:
        assert r["ratio_to_floor"] == pytest.approx(r["median_s"] / floor[r["case"]], rel=1e-12)
    assert records[1]["shape"] == {"N": 6, "D": 4, "H": 5, "C": 3}
    assert set(validate_records(records)) == {(c.name, c.dtype) for c in TINY}


def test_records_survive_json(records, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records))
    assert validate_records(json.loads(path.read_text())) == validate_records(records)


def test_validate_records_names_the_problem(records):
    bad = [dict(r) for r in records]
    bad[1]["ratio_to_floor"] *= 1.5
    with pytest.raises(ValueError, match="ratio_to_floor"):
        validate_records(bad)
    with pytest.raises(ValueError, match="no floor"):
        validate_records([r for r in records if r["implementation"] != "floor"])
    with pytest.raises(ValueError, match="lacks"):
        validate_records([{k: v for k, v in records[0].items() if k != "median_s"}])
    with pytest.raises(ValueError, match="a second matgrad record"):
        validate_records([*records, records[1]])
    with pytest.raises(ValueError, match="unknown implementation"):
        validate_records([*records, {**records[1], "implementation": "numba"}])
    with pytest.raises(ValueError, match="positive float"):
        validate_records([{**records[0], "median_s": 0.0}])
    with pytest.raises(ValueError, match="non-empty list"):
        validate_records({})
