"""Tests derived from matgrad.registry: every registered layer, loss and net, and the registry's coverage.

Each layer: gradients of their inputs' shapes, every gradient against central differences of
L = sum(G * forward(...)) with a random upstream G (never all ones: for softmax 1^T J = 0), float32
kept, and the upstream gradient rejected when of the wrong shape, dtype or not finite. Each loss or
net: every gradient part of its variable's shape, against central differences of its scalar, and
float32 kept. The tests specific to one function stay in that module's test file.

Coverage: the registry names exactly the public functions that return derivatives, as read off
matgrad's names and docstrings (tests/public_api.py), and only functions matgrad exports.
"""

import inspect
import re
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import matgrad
from matgrad import registry
from matgrad.registry import Derivative, Gradient, Layer, part, replace
from tests import public_api

seeds = st.integers(0, 2**32 - 1)
rows = st.integers(1, 4)

LAYERS = {layer.name: layer for layer in registry.LAYERS}
GRADIENTS = {entry.name: entry for entry in (*registry.LOSSES, *registry.NETS)}


def _run_layer(layer, args, rng):
    """forward (with the layer's settings), then backward with a random upstream G: (out, cache, G, gradients)."""
    out, cache = layer.run(*args)
    G = rng.standard_normal(np.shape(out)).astype(np.asarray(out).dtype)
    return out, cache, G, layer.gradients(layer.backward(G, cache))


def _float32(value):
    """value with every float64 array (in tuples and dicts) as float32; numbers and the rest as they are."""
    if isinstance(value, tuple):
        return tuple(_float32(v) for v in value)
    if isinstance(value, dict):
        return {k: _float32(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    return value


# ---------------------------------------------------------------------------- layers


@pytest.mark.parametrize("name", LAYERS)
def test_layer_is_registered_as_its_functions_read(name):
    layer = LAYERS[name]
    parameters = inspect.signature(layer.forward).parameters
    assert tuple(parameters)[: len(layer.inputs)] == layer.inputs
    # every other argument is a setting (p, rng) or keeps its default
    for other in tuple(parameters)[len(layer.inputs) :]:
        has_default = parameters[other].default is not inspect.Parameter.empty
        assert other in layer.settings() or has_default, f"{name}_forward's {other} is neither set nor defaulted"
    assert set(layer.settings()) <= set(parameters)
    assert len(inspect.signature(layer.backward).parameters) == 2  # (d_out, cache)
    # the Returns section of backward names the gradients in registry order (dX, dW, db)
    returned = re.findall(r"^(\w+) : ", public_api.returns_section(layer.backward), re.M)
    assert tuple(returned) == layer.grads


@pytest.mark.parametrize("name", LAYERS)
@given(seed=seeds, n=rows)
@example(seed=0, n=1)
def test_layer_gradients_shapes_and_finite_differences(name, seed, n):
    layer, rng = LAYERS[name], np.random.default_rng(seed)
    args = layer.example(rng, n)
    assert all(np.shape(x)[0] == n for x in args[:1]), "the first input has n rows"
    out, _cache, G, grads = _run_layer(layer, args, rng)
    assert G.shape == np.shape(out)
    assert len(grads) == len(layer.inputs)
    for i, (x, g) in enumerate(zip(args, grads, strict=True)):
        assert np.shape(g) == np.shape(x), f"{layer.grads[i]} has shape {np.shape(g)}, {layer.inputs[i]} {np.shape(x)}"

        def L(v, i=i):
            return np.sum(G * layer.run(*replace(args, str(i), v))[0])

        matgrad.check_gradient(L, x, g)  # relative error < 1e-7, float64


@pytest.mark.parametrize("name", LAYERS)
def test_layer_run_is_one_fixed_function_of_its_inputs(name):
    # finite differences need it: a random layer (dropout) must draw the same mask in every run
    layer = LAYERS[name]
    args = layer.example(np.random.default_rng(6), 3)
    np.testing.assert_array_equal(layer.run(*args)[0], layer.run(*args)[0])


@pytest.mark.parametrize("name", LAYERS)
def test_layer_keeps_float32(name):
    layer, rng = LAYERS[name], np.random.default_rng(1)
    args = _float32(layer.example(rng, 3))
    assert all(x.dtype == np.float32 for x in args)
    out, _cache, G, grads = _run_layer(layer, args, rng)
    assert np.asarray(out).dtype == G.dtype == np.float32
    assert [g.dtype for g in grads] == [np.float32] * len(grads)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_rejects_a_bad_upstream_gradient(name):
    layer, rng = LAYERS[name], np.random.default_rng(2)
    out, cache = layer.run(*layer.example(rng, 3))
    shape = np.shape(out)
    wrong = (*shape[:-1], shape[-1] + 1)
    with pytest.raises(ValueError) as err:
        layer.backward(rng.standard_normal(wrong), cache)
    assert str(shape) in str(err.value) and str(wrong) in str(err.value), "name the expected and the given shape"
    with pytest.raises(ValueError) as err:
        layer.backward(rng.standard_normal(shape).astype(np.float32), cache)
    assert "float32" in str(err.value) and "float64" in str(err.value), "name the cache's and the given dtype"
    for bad in (np.nan, np.inf, -np.inf):
        G = rng.standard_normal(shape)
        G.flat[-1] = bad
        with pytest.raises(ValueError, match="must be finite"):
            layer.backward(G, cache)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_forward_rejects_a_non_finite_input_by_name(name):
    layer = LAYERS[name]
    args = layer.example(np.random.default_rng(3), 2)
    for i, x in enumerate(args):
        bad = np.array(x, copy=True)
        bad.flat[0] = np.nan
        with pytest.raises(ValueError, match=f"^{layer.inputs[i]} must be finite"):
            layer.run(*replace(args, str(i), bad))


@pytest.mark.parametrize("name", LAYERS)
def test_layer_extreme_inputs_stay_finite_without_warnings(name):
    layer, rng = LAYERS[name], np.random.default_rng(4)
    args = tuple(1e4 * x for x in layer.example(rng, 3))
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out, _cache, _G, grads = _run_layer(layer, args, rng)
    assert np.all(np.isfinite(out)) and all(np.all(np.isfinite(g)) for g in grads)


# ---------------------------------------------------------------------------- losses and nets


@pytest.mark.parametrize("name", GRADIENTS)
@given(seed=seeds, n=rows)
@example(seed=0, n=1)
def test_gradients_shapes_and_finite_differences(name, seed, n):
    entry, rng = GRADIENTS[name], np.random.default_rng(seed)
    args = entry.example(rng, n)
    result = entry.function(*args)
    for result_path, arg_path in entry.grads.items():
        g, x = part(result, result_path), part(args, arg_path)
        assert np.shape(g) == np.shape(x), f"{name}: part {result_path} has shape {np.shape(g)}, not {np.shape(x)}"

        def L(v, arg_path=arg_path):
            return entry.loss(*replace(args, arg_path, v))

        matgrad.check_gradient(L, x, g)


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_keep_float32(name):
    entry = GRADIENTS[name]
    args = _float32(entry.example(np.random.default_rng(5), 3))
    result = entry.function(*args)
    for result_path, arg_path in entry.grads.items():
        if isinstance(part(args, arg_path), np.ndarray):  # a Python number (bo) gives a Python float
            assert part(result, result_path).dtype == np.float32, f"{name}: part {result_path}"


# ---------------------------------------------------------------------------- the registry itself


def test_registry_entry_checks_its_input():
    with pytest.raises(ValueError, match="expected a pair <name>_forward, <name>_backward; got relu_forward, sig"):
        Layer(matgrad.relu_forward, matgrad.sigmoid_backward, ("Z",), lambda rng, n: ())
    with pytest.raises(ValueError, match="each once; got \\('Z', 'Z'\\)"):
        Layer(matgrad.relu_forward, matgrad.relu_backward, ("Z", "Z"), lambda rng, n: ())
    with pytest.raises(ValueError, match="at least one gradient"):
        Gradient(matgrad.logistic_loss, {}, lambda rng, n: ())
    with pytest.raises(ValueError, match=re.escape("got '1..W1'")):
        Gradient(matgrad.l2_penalty, {"1..W1": "0.W1"}, lambda rng, n: ())
    with pytest.raises(ValueError, match="at least one derivative"):
        Derivative(matgrad.relu_derivative, lambda rng, n: (), ())


def test_paths_name_parts_of_results():
    W, b = np.ones((2, 3)), np.zeros(3)
    value = (1.5, {"W1": W, "b1": b})
    assert part(value, "") is value
    assert part(value, "1.W1") is W
    assert part(value, "0") == 1.5
    new = replace(value, "1.b1", 7)
    assert new == (1.5, {"W1": W, "b1": 7}) and value[1]["b1"] is b  # a copy; the original unchanged
    with pytest.raises(ValueError, match="key 'W2' is not among the keys \\['W1', 'b1'\\]"):
        part(value, "1.W2")
    with pytest.raises(ValueError, match="index '2' does not name an item of a sequence of length 2"):
        part(value, "2")
    with pytest.raises(ValueError, match="cannot take 'x' of a float"):
        replace(value, "0.x", 1)


def test_plants_name_each_gradient_part():
    assert LAYERS["affine"].plants() == ("affine_backward:0", "affine_backward:1", "affine_backward:2")
    assert LAYERS["relu"].plants() == ("relu_backward",)
    assert GRADIENTS["softmax_cross_entropy"].plants() == ("softmax_cross_entropy:1",)
    plants = registry.plants()
    assert len(plants) == len(set(plants))
    assert "mlp_forward_backward:1.b3" in plants and "numerical_jacobian" in plants


# ---------------------------------------------------------------------------- coverage


def test_every_registered_function_is_exported_by_matgrad():
    for name, function in registry.functions().items():
        assert name in matgrad.__all__, f"matgrad.registry names {name}, which matgrad.__all__ lacks"
        assert getattr(matgrad, name) is function


def test_every_public_function_is_registered_or_has_no_derivative():
    public = public_api.public_functions()
    registered, plain = set(registry.functions()), set(public_api.NO_DERIVATIVE)
    assert not registered & plain, f"both registered and listed as without derivative: {registered & plain}"
    unclassified = set(public) - registered - plain
    assert not unclassified, (
        f"public functions {sorted(unclassified)} are neither registered in matgrad.registry nor listed in "
        "tests/public_api.py NO_DERIVATIVE (with the reason they return no derivative)"
    )
    assert plain <= set(public), f"NO_DERIVATIVE lists names matgrad does not export: {plain - set(public)}"
    assert all(reason.strip() for reason in public_api.NO_DERIVATIVE.values())


def test_every_function_that_looks_differentiated_is_registered():
    public = public_api.public_functions()
    flagged = {name for name, f in public.items() if public_api.returns_derivative(name, f)}
    registered = set(registry.functions()) - {layer.forward.__name__ for layer in registry.LAYERS}
    assert flagged - registered == set(public_api.MISLEADING), (
        f"returning derivatives by their names or docstrings, but not registered: {sorted(flagged - registered)}"
    )
    assert set(public_api.MISLEADING) <= set(public_api.NO_DERIVATIVE)
    not_flagged = registered - flagged
    assert not not_flagged, f"registered, but neither name nor docstring says they return derivatives: {not_flagged}"


def test_every_loss_and_every_layer_pair_is_registered():
    losses = {f.__name__ for f in (e.function for e in registry.LOSSES)}
    assert set(matgrad.losses.__all__) == losses
    public = public_api.public_functions()
    pairs = {n.removesuffix("_forward") for n in public if n.endswith("_forward") and f"{n[:-8]}_backward" in public}
    assert pairs == set(LAYERS), f"forward/backward pairs {sorted(pairs)} vs registered layers {sorted(LAYERS)}"
