"""Plant one wrong number in matgrad, for tests/site/test_planted_errors.py.

A spec says what to plant::

    "affine_backward:1"           # the 2nd item returned (dW)
    "mlp_forward_backward:1.W1"   # grads["W1"] of the returned (loss, grads)
    "relu_backward"               # the returned array itself

The named public function is replaced, in ``matgrad`` and in every ``matgrad.*`` module that holds
it under any name (its defining module, and modules that imported it by name), by a wrapper whose
result has the largest-magnitude entry of the chosen gradient multiplied by 1.001: off by 0.1% in one
component. A result without that part (e.g. scores when ``y`` is None) is passed through unchanged.
At the end, the run reports how many results were perturbed, so a caller can tell a plant that was
exercised from one that never was.

tests/site/test_planted_errors.py uses ``with planted(spec) as patched:`` (in-process, undone on exit;
``perturbed`` counts from 0). For a manual run under pytest, load this as a plugin (``tests/`` on
PYTHONPATH), which plants ``MATGRAD_PLANT`` when pytest starts, before any page imports a name::

    MATGRAD_PLANT="affine_backward:1" pytest docs -x -p tests.site.planted
"""

import contextlib
import functools
import os
import sys

import numpy as np

import matgrad

FACTOR = 1.001
SPEC = os.environ.get("MATGRAD_PLANT", "").strip()
perturbed = 0  # results handed out with a changed (non-zero) entry


def _perturb(value):
    """value with its largest-magnitude entry times FACTOR (a new object; the input is untouched)."""
    global perturbed
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array stays one, in its dtype
        if value != 0:
            perturbed += 1
        return np.asarray(value * FACTOR, dtype=value.dtype)
    if isinstance(value, float) or np.isscalar(value):
        if value != 0:
            perturbed += 1
        return type(value)(value * FACTOR)
    out = np.array(value, copy=True)
    index = np.unravel_index(np.argmax(np.abs(out)), out.shape)
    if out[index] != 0:
        perturbed += 1
    out[index] = out[index] * FACTOR
    return out


def _plant(value, path):
    """value with the part named by path (tuple indices / dict keys) perturbed."""
    if not path:
        return _perturb(value)
    head, rest = path[0], path[1:]
    if isinstance(value, tuple) and head.isdigit() and int(head) < len(value):
        i = int(head)
        return (*value[:i], _plant(value[i], rest), *value[i + 1 :])
    if isinstance(value, dict) and head in value:
        return {**value, head: _plant(value[head], rest)}
    return value


def install(spec):
    """Replace the function named in spec everywhere in matgrad; returns the names of the patched modules."""
    return [f"{module}.{attr}" for module, attr in _install(spec)[2]]


def _matgrad_modules():
    return [
        (n, m) for n, m in list(sys.modules.items()) if m is not None and (n == "matgrad" or n.startswith("matgrad."))
    ]


def _install(spec):
    """(original, wrapper, [(module name, attribute)] patched)."""
    name, _, path = spec.partition(":")
    original = getattr(matgrad, name)
    parts = tuple(p for p in path.split(".") if p)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        return _plant(original(*args, **kwargs), parts)

    patched = []
    for module_name, module in _matgrad_modules():
        for attr, value in list(vars(module).items()):
            if value is original:
                setattr(module, attr, wrapper)
                patched.append((module_name, attr))
    return original, wrapper, patched


@contextlib.contextmanager
def planted(spec):
    """install(spec) inside the block (``perturbed`` reset to 0); yields the patched names.

    On exit the original goes back wherever the wrapper is, including matgrad modules first imported
    inside the block (which picked the wrapper up by name).
    """
    global perturbed
    perturbed = 0
    original, wrapper, patched = _install(spec)
    try:
        yield [f"{module}.{attr}" for module, attr in patched]
    finally:
        for _, module in _matgrad_modules():
            for attr, value in list(vars(module).items()):
                if value is wrapper:
                    setattr(module, attr, original)


PATCHED = []


def pytest_configure(config):
    if SPEC:
        PATCHED[:] = install(SPEC)


def pytest_terminal_summary(terminalreporter):
    where = ", ".join(PATCHED) or "-"
    terminalreporter.write_line(f"matgrad plant {SPEC or 'none'}: {perturbed} perturbed results; patched {where}")
