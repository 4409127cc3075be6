"""The pages must catch a wrong matgrad.

Each case plants one error in matgrad (tests/site/planted.py: the largest entry of one returned
gradient multiplied by 1.001, in the ``matgrad`` namespace and in every matgrad module holding the
function) and runs every docs/*.md page with the harness, stopping at the first failure. The run
must fail, on a page, and the plant must have been exercised. A control run with nothing planted
must pass: otherwise a failure would prove nothing about the plant.

The plants are not a hand-kept list: matgrad.registry derives one for every gradient part of every
registered layer, loss, net and derivative. Guards keep that derivation honest: every public
function whose name or docstring says it returns derivatives (read off matgrad, tests/public_api.py)
has a plant; every array or number a registered function returns is planted (a loss beside its
gradients excepted); and each plant, on the entry's example, changes exactly one entry of exactly
the part it names.

The pages run in this process (``harness.run_pages``: the parser that collects them under pytest,
one fresh namespace per page, blocks in order, under this test's warnings filters). A page imports
its matgrad names at its top, so a plant installed before the page runs is what the page sees.
"""

import contextlib
from dataclasses import dataclass

import numpy as np
import pytest

import matgrad
from matgrad import registry
from tests import public_api
from tests.site import planted
from tests.site.harness import BlockFailure, run_pages

# One plant for every gradient part of every registered layer, loss, net and derivative, e.g.
# "affine_backward:2" (db), "mlp_forward_backward:1.W1" (grads["W1"]), "numerical_gradient".
PLANTS = registry.plants()


@dataclass
class Run:
    failure: BlockFailure | None  # the first failing block, what it raised and its traceback
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


def test_pages_pass_with_every_planted_function_wrapped_but_unchanged(monkeypatch):
    """The wrappers alone (each planted function wrapped, every result passed through unchanged)
    fail no page: so a plant is caught for the number it changes, never for being a wrapper (a page
    that compared function identities once caught every plant that way)."""
    monkeypatch.setattr(planted, "FACTOR", 1.0)
    with contextlib.ExitStack() as stack:
        for plant in PLANTS:
            stack.enter_context(planted.planted(plant))
        failure = run_pages()
    assert failure is None, f"a page fails when matgrad's functions are merely wrapped: {failure}"


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
    assert run.failure.where.startswith("docs/"), run.failure
    # caught by a check that compared numbers, not by an error the plant itself raised
    assert run.failure.is_assertion, (
        f"planted {plant}: the page failed with {run.failure.error!r}, not an assertion:\n{run.failure}"
    )


# --- the plants cover the public API, and each one changes what it says it changes ----------------


def _leaves(value, path=""):
    """Paths of the arrays and numbers inside nested tuples and dicts ("" for value itself)."""
    if isinstance(value, tuple | dict):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return [leaf for key, v in items for leaf in _leaves(v, f"{path}.{key}" if path else str(key))]
    return [path]


def _planted_call(entry, rng):
    """The name of the function the entry's plants replace, and arguments to call it with."""
    if isinstance(entry, registry.Layer):
        out, cache = entry.run(*entry.example(rng, 3))
        return entry.backward.__name__, (rng.standard_normal(np.shape(out)), cache)
    return entry.name, entry.example(rng, 3)


ENTRY_OF = {spec: entry for entry in registry.entries() for spec in entry.plants()}


def test_every_public_function_returning_derivatives_has_a_plant():
    # read off matgrad's names and docstrings (tests/public_api.py), not off the registry
    public = public_api.public_functions()
    flagged = {n for n, f in public.items() if public_api.returns_derivative(n, f)} - set(public_api.MISLEADING)
    assert {"affine_backward", "softmax_cross_entropy", "mlp_forward_backward", "numerical_gradient"} <= flagged
    planted_names = {spec.partition(":")[0] for spec in PLANTS}
    assert not flagged - planted_names, (
        f"public functions returning derivatives without a plant: {flagged - planted_names}"
    )


@pytest.mark.parametrize("entry", registry.entries(), ids=lambda e: e.name)
def test_every_part_of_every_registered_result_is_planted(entry):
    """Every array or number the planted function returns is planted, except a loss beside its gradients."""
    name, args = _planted_call(entry, np.random.default_rng(0))
    leaves = _leaves(getattr(matgrad, name)(*args))
    loss = {"0"} if isinstance(entry, registry.Gradient) and entry.value is None else set()
    specs = {registry.plant(getattr(matgrad, name), leaf) for leaf in leaves if leaf not in loss}
    assert specs <= set(PLANTS), f"{name} returns parts that no plant changes: {sorted(specs - set(PLANTS))}"


@pytest.mark.parametrize("plant", PLANTS)
def test_plant_changes_one_entry_of_a_real_part(plant):
    name, _, path = plant.partition(":")
    args = _planted_call(ENTRY_OF[plant], np.random.default_rng(1))[1]
    clean = getattr(matgrad, name)(*args)
    with planted.planted(plant):
        dirty = getattr(matgrad, name)(*args)
    assert planted.perturbed == 1
    changed = [
        leaf for leaf in _leaves(clean) if not np.array_equal(registry.part(clean, leaf), registry.part(dirty, leaf))
    ]
    assert changed == [path], f"{plant} changed the parts {changed} of {name}'s result"
    before, after = np.asarray(registry.part(clean, path)), np.asarray(registry.part(dirty, path))
    assert after.shape == before.shape and np.count_nonzero(after != before) == 1
    assert after[after != before] == before[after != before] * planted.FACTOR


def test_mlp_loss_and_grads_is_reached_by_the_plants_of_mlp_forward_backward():
    # the reason tests/public_api.py gives for mlp_loss_and_grads having no plant of its own
    params, X, y, reg = ENTRY_OF["mlp_forward_backward:1.W1"].example(np.random.default_rng(2), 3)
    loss_and_grads = matgrad.mlp_loss_and_grads(reg)
    clean = loss_and_grads(params, X, y)[1]
    with planted.planted("mlp_forward_backward:1.W1"):
        dirty = loss_and_grads(params, X, y)[1]
    assert planted.perturbed == 1
    assert np.count_nonzero(dirty["W1"] != clean["W1"]) == 1


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
