"""A tiny benchmark run shared by the harness's tests: two cases, floor and matgrad, no pauses.

Timings are never asserted (machines are noisy): only the records' form and arithmetic.
"""

import pytest

from benchmarks.cases import Case
from benchmarks.run import run_benchmark

TINY = [Case("two_layer", (6, 4, 5, 3), "float64"), Case("logistic", (5, 2, 4), "float32")]
FAST = dict(rounds=2, min_time=0.0, pause=0.0, max_retries=0)


@pytest.fixture(scope="module")
def records():
    return run_benchmark(TINY, implementations=("floor", "matgrad"), **FAST)
