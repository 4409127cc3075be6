"""jax on the CPU: ``jax.jit`` of the gradient of the same loss, compiled in the warm-up call."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from ..cases import Data


@functools.cache
def import_jax() -> ModuleType | None:
    """The jax module with float64 enabled (its default would compute in float32), or None if not installed."""
    try:
        jax = importlib.import_module("jax")
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def two_layer(data: Data, jax: ModuleType) -> Callable[[], Any]:
    """``jax.jit(jax.value_and_grad(loss))``, mean softmax cross-entropy; returns (loss, [dW1, db1, dW2, db2])."""
    jnp = jax.numpy

    def loss(params: dict[str, Any], X: Any, y: Any) -> Any:
        H = jax.nn.relu(X @ params["W1"] + params["b1"])
        logp = jax.nn.log_softmax(H @ params["W2"] + params["b2"], axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    f = jax.jit(jax.value_and_grad(loss))
    params = {k: jax.device_put(v) for k, v in data["params"].items()}
    X, y = jax.device_put(data["X"]), jax.device_put(data["y"].astype(np.int32))

    def run() -> Any:
        value, grads = f(params, X, y)
        return jax.block_until_ready((value, [grads[k] for k in ("W1", "b1", "W2", "b2")]))

    return run


def logistic(data: Data, jax: ModuleType) -> Callable[[], tuple[None, Any]]:
    """``jax.jit(jax.grad(loss))``, summed logistic loss via logaddexp; returns (None, [dWi, dbi, dWo, dbo])."""
    jnp = jax.numpy

    def loss(params: list[Any], X: Any, y: Any) -> Any:
        Wi, bi, Wo, bo = params
        yhat = jax.nn.relu(X @ Wi + bi) @ Wo + bo
        return jnp.sum(jnp.logaddexp(0, -y * yhat))

    f = jax.jit(jax.grad(loss))
    dt = data["X"].dtype
    params = [jax.device_put(data[k]) for k in ("Wi", "bi", "Wo")] + [jnp.asarray(data["bo"], dtype=dt)]
    X, y = jax.device_put(data["X"]), jax.device_put(data["y"])

    def run() -> tuple[None, Any]:
        return None, jax.block_until_ready(f(params, X, y))

    return run
