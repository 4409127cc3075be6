"""benchmarks.targets: the three kinds of target, met and missed, read off synthetic records."""

from benchmarks.targets import markdown_targets, target_checks


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


def synthetic_records():
    big, small = (1024, 784, 256, 10), (90, 4, 6, 3)
    records = []
    for case, shape, times in (
        ("big", big, dict(floor=1.0, matgrad=1.05, jax=1.2, torch=1.4)),
        ("small", small, dict(floor=1.0, matgrad=3.0, jax=2.0, torch=6.0)),
    ):
        records += [rec(case, shape, k, t, times["floor"], times["matgrad"]) for k, t in times.items()]
    return records


def test_target_checks_read_the_targets_off_the_records():
    checks = {(c, t.split()[0]): (round(v, 4), met) for c, _, t, v, met in target_checks(synthetic_records())}
    assert checks == {
        ("big", "matgrad"): (1.05, True),
        ("big", "jax.jit"): (round(1.2 / 1.05, 4), True),
        ("big", "torch"): (round(1.4 / 1.05, 4), False),
        ("small", "jax.jit"): (round(2 / 3, 4), False),
        ("small", "torch"): (2.0, True),
    }


def test_markdown_targets_has_a_column_per_target_and_counts_them():
    table = markdown_targets(synthetic_records())
    assert "3 of 5 targets met" in table and "**no**" in table
    lines = table.splitlines()
    targets = ["matgrad / floor <= 1.10", "jax.jit / matgrad >= 1.00", "torch / matgrad >= 1.50"]
    assert lines[0] == "| case | dtype | " + " | ".join(targets) + " |"
    assert lines[2] == "| big | float32 | 1.05 yes | 1.14 yes | 1.33 **no** |"
    assert lines[3] == "| small | float32 |  | 0.67 **no** | 2.00 yes |"
