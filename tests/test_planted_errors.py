"""The pages must catch a wrong matgrad.

Each case plants one error in matgrad (tests/planted_plugin.py: the largest entry of one returned
gradient multiplied by 1.001, in the ``matgrad`` namespace and in every matgrad module holding the
function) and runs every docs/*.md page in a fresh pytest process, stopping at the first failure.
The run must fail, on a page, and the plant must have been exercised. A control run with nothing
planted must pass: otherwise a failure would prove nothing about the plant.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from docs_site import markdown_pages, nav_entries

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def pages_in_reading_order():
    """Every docs/*.md page, in nav order (derivations first, slow reference pages late), then any others.

    -x stops at the first failing page, so the order decides how long a caught plant takes.
    """
    pages = markdown_pages()
    ordered = [p for p in nav_entries() if p in pages]
    return [f"docs/{p}" for p in ordered + sorted(set(pages) - set(ordered))]

# public function : which part of its result is the gradient to perturb (see planted_plugin.py)
PLANTS = [
    "softmax_cross_entropy:1",            # dZ
    "affine_backward:0",                  # dX
    "affine_backward:1",                  # dW
    "relu_backward",
    "sigmoid_backward",
    "softmax_backward",
    "mlp_forward_backward:1.W1",          # grads["W1"]
    "mlp_forward_backward:1.b2",          # grads["b2"]
    "logistic_net_gradient:0",            # grad_Wi
    "logistic_net_gradient_kronecker:0",  # grad_Wi, the Jacobian route
    "logistic_loss:1",                    # dyhat
    "l2_penalty:1.W1",
    "numerical_gradient",
    "numerical_jacobian",
]


def run_pages(plant):
    """Run every docs page in a subprocess with the plugin loaded; returns (returncode, output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT_TEST"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH", "")) if p)
    env["MATGRAD_PLANT"] = plant
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *pages_in_reading_order(), "-q", "-x",
         "-p", "planted_plugin", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


def perturbed_count(output):
    match = re.search(r"matgrad plant .*: (\d+) perturbed results", output)
    assert match, "the plugin did not report (was it loaded?):\n" + output[-3000:]
    return int(match.group(1))


@pytest.fixture(scope="module")
def control():
    """The same run with nothing planted (once per module and worker)."""
    return run_pages("")


def test_pages_pass_with_nothing_planted(control):
    code, output = control
    assert code == 0, "the docs pages fail even without a planted error:\n" + output[-3000:]
    assert "matgrad plant none: 0 perturbed results" in output


@pytest.mark.parametrize("plant", PLANTS)
def test_pages_catch_a_planted_error(plant, control):
    if control[0] != 0:
        pytest.fail("the pages fail with nothing planted, so a failure with a plant proves nothing "
                    "(see test_pages_pass_with_nothing_planted)")
    code, output = run_pages(plant)
    assert perturbed_count(output) > 0, f"no page called {plant.split(':')[0]}, so the plant was never exercised"
    assert code == 1, f"planted {plant} (0.1% in one entry) and every page still passed:\n" + output[-3000:]
    assert re.search(r"^FAILED docs/\S+\.md", output, re.M), output[-3000:]
    name = plant.split(":")[0]
    assert f"matgrad.{name}" in output, f"matgrad.{name} was not patched:\n" + output[-3000:]


# --- the plugin's own mechanics, in this process (nothing is installed without MATGRAD_PLANT) ---


def test_plant_changes_exactly_the_largest_entry_by_0_1_percent():
    import planted_plugin

    G = np.array([[0.5, -3.0], [2.0, 0.0]])
    out = planted_plugin._plant(G, ())
    np.testing.assert_array_equal(G, [[0.5, -3.0], [2.0, 0.0]])       # input untouched
    changed = np.argwhere(out != G)
    assert changed.tolist() == [[0, 1]]
    assert out[0, 1] == -3.0 * 1.001

    loss, grads = planted_plugin._plant((1.5, {"W1": G, "b1": np.ones(2)}), ("1", "W1"))
    assert loss == 1.5 and np.array_equal(grads["b1"], np.ones(2))
    assert np.count_nonzero(grads["W1"] != G) == 1

    assert planted_plugin._plant(2.0, ()) == 2.0 * 1.001                # a scalar gradient
    scores = np.ones((2, 3))
    assert planted_plugin._plant(scores, ("1", "W1")) is scores         # no such part: passed through
