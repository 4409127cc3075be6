"""The implementations timed side by side, by name, and how each is built for a case.

A built implementation is a function of no arguments that does one forward + backward pass of the
case on its data and returns the results (:mod:`benchmarks.crosscheck` reads them):

- ``floor`` (:mod:`.floor`): only the five matrix products, with NumPy, into preallocated outputs;
- ``matgrad`` (:mod:`.matgrad_api`): the library's public function, called as a user calls it;
- ``jax`` (:mod:`.jax_jit`): ``jax.jit(jax.value_and_grad(loss))`` of the same net;
- ``torch`` (:mod:`.torch_autograd`): PyTorch autograd on the CPU, ``torch.autograd.grad``;
- ``torch_floor`` (:mod:`.floor`): the floor's five products with ``torch.mm``.

jax and torch are imported only when one of theirs is built, and left out when not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..cases import Case, Data
from . import floor, jax_jit, matgrad_api, torch_autograd

IMPLEMENTATIONS = ("floor", "matgrad", "jax", "torch", "torch_floor")
LABELS = {"floor": "floor", "matgrad": "matgrad", "jax": "jax.jit", "torch": "torch", "torch_floor": "torch floor"}
# What each needs beyond NumPy and matgrad.
NEEDS = {"jax": jax_jit.import_jax, "torch": torch_autograd.import_torch, "torch_floor": torch_autograd.import_torch}

# One forward + backward pass of a case, on its data.
Pass = Callable[[], Any]


def available_implementations(names: tuple[str, ...] = IMPLEMENTATIONS) -> tuple[str, ...]:
    """Those of ``names`` that can run here: floor and matgrad always, jax and torch if importable."""
    return tuple(n for n in names if n not in NEEDS or NEEDS[n]() is not None)


def build_implementations(
    case: Case, data: Data, implementations: tuple[str, ...] = IMPLEMENTATIONS
) -> dict[str, Pass]:
    """A dict name -> function of no arguments running one forward + backward pass of ``case``.

    Names whose library is not installed are left out. Raises ValueError for an unknown name.
    """
    built = {}
    for name in implementations:
        if name not in IMPLEMENTATIONS:
            raise ValueError(f"unknown implementation {name!r}; expected some of {IMPLEMENTATIONS}")
        fn = _build(name, case, data)
        if fn is not None:
            built[name] = fn
    return built


def _build(name: str, case: Case, data: Data) -> Pass | None:
    two = case.net == "two_layer"
    if name == "floor":
        return floor.two_layer(data) if two else floor.logistic(data)
    if name == "matgrad":
        return matgrad_api.two_layer(data) if two else matgrad_api.logistic(data)
    module = NEEDS[name]()
    if module is None:
        return None
    if name == "jax":
        return jax_jit.two_layer(data, module) if two else jax_jit.logistic(data, module)
    if name == "torch":
        return torch_autograd.two_layer(data, module) if two else torch_autograd.logistic(data, module)
    return floor.torch_two_layer(data, module) if two else floor.torch_logistic(data, module)
