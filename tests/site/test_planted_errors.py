"""The pages must catch a wrong matgrad.

Each case plants one error in matgrad (tests/site/planted.py: the largest entry of one returned
gradient multiplied by 1.001, in the ``matgrad`` namespace and in every matgrad module holding the
function) and runs every docs/*.md page with the harness, stopping at the first failure. The run
must fail, on a page, and the plant must have been exercised. A control run with nothing planted
must pass: otherwise a failure would prove nothing about the plant.

The pages run in this process (``harness.run_pages``: the parser that collects them under pytest,
one fresh namespace per page, blocks in order, under this test's warnings filters). A page imports
its matgrad names at its top, so a plant installed before the page runs is what the page sees.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from tests.site import planted
from tests.site.harness import run_pages

# public function : which part of its result is the gradient to perturb (see tests/site/planted.py)
PLANTS = [
    "softmax_cross_entropy:1",  # dZ
    "affine_backward:0",  # dX
    "affine_backward:1",  # dW
    "relu_backward",
    "sigmoid_backward",
    "softmax_backward",
    "mlp_forward_backward:1.W1",  # grads["W1"]
    "mlp_forward_backward:1.b2",  # grads["b2"]
    "logistic_net_gradient:0",  # grad_Wi
    "logistic_net_gradient_kronecker:0",  # grad_Wi, the Jacobian route
    "logistic_loss:1",  # dyhat
    "l2_penalty:1.W1",
    "numerical_gradient",
    "numerical_jacobian",
]


@dataclass
class Run:
    failure: str | None  # "docs/<page>.md:<line>" of the first failing block, with its traceback
    perturbed: int = 0
    patched: tuple = ()


def run_planted(plant):
    with planted.planted(plant) as patched:
        failure = run_pages()
    return Run(failure, planted.perturbed, tuple(patched))


@pytest.fixture(scope="module")
def control():
    """The pages with nothing planted (once per module and worker)."""
    return Run(run_pages())


def test_pages_pass_with_nothing_planted(control):
    assert control.failure is None, f"the docs pages fail even without a planted error: {control.failure}"


@pytest.mark.parametrize("plant", PLANTS)
def test_pages_catch_a_planted_error(plant, control):
    if control.failure is not None:
        pytest.fail(
            "the pages fail with nothing planted, so a failure with a plant proves nothing "
            "(see test_pages_pass_with_nothing_planted)"
        )
    run = run_planted(plant)
    name = plant.split(":")[0]
    assert f"matgrad.{name}" in run.patched, f"matgrad.{name} was not patched (patched: {run.patched})"
    assert run.perturbed > 0, f"no page called {name}, so the plant was never exercised"
    assert run.failure is not None, f"planted {plant} (0.1% in one entry) and every page still passed"
    assert run.failure.startswith("docs/"), run.failure


# --- the plugin's own mechanics, in this process (nothing is installed without MATGRAD_PLANT) ---


def test_plant_changes_exactly_the_largest_entry_by_0_1_percent():
    G = np.array([[0.5, -3.0], [2.0, 0.0]])
    out = planted._plant(G, ())
    np.testing.assert_array_equal(G, [[0.5, -3.0], [2.0, 0.0]])  # input untouched
    changed = np.argwhere(out != G)
    assert changed.tolist() == [[0, 1]]
    assert out[0, 1] == -3.0 * 1.001

    loss, grads = planted._plant((1.5, {"W1": G, "b1": np.ones(2)}), ("1", "W1"))
    assert loss == 1.5 and np.array_equal(grads["b1"], np.ones(2))
    assert np.count_nonzero(grads["W1"] != G) == 1

    assert planted._plant(2.0, ()) == 2.0 * 1.001  # a scalar gradient
    scores = np.ones((2, 3))
    assert planted._plant(scores, ("1", "W1")) is scores  # no such part: passed through
