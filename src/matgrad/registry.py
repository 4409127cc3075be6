"""Every differentiable function of matgrad, registered once; the tests and the site derive from here.

Three kinds of entry, each a frozen dataclass holding public matgrad functions:

- `Layer`: a forward/backward pair, `<name>_forward(*inputs) -> (out, cache)` and
  `<name>_backward(d_out, cache) -> gradients` (one gradient per input, of that input's shape);
- `Gradient`: a function whose result holds the gradient of a scalar (a loss) with respect to
  its arguments or parts of them (the losses, the nets);
- `Derivative`: a function whose result is some other derivative (an elementwise derivative,
  a Jacobian, a finite-difference estimate), checked by its own tests.

Each entry has `example(rng, n)`: small random valid arguments for its function (n >= 1 examples
where the function takes a batch), so that a test can run any entry without knowing it.

A part of a result or of an argument tuple is named by a *path*: tuple indices and dict keys joined
by dots, "" for the whole value (`"1.W1"` is `result[1]["W1"]`). A *plant* (see
tests/site/test_planted_errors.py) is `"<function>:<path>"`, or the bare function name for "".
`plants` lists one plant for every gradient part of every entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import activations, attention, dropout, gradcheck, layers, logistic_net, losses, mlp, normalization

__all__ = [
    "DERIVATIVES",
    "FINITE_DIFFERENCES",
    "LAYERS",
    "LOSSES",
    "NETS",
    "Derivative",
    "Entry",
    "Gradient",
    "Layer",
    "entries",
    "functions",
    "part",
    "plant",
    "plants",
    "replace",
]

Args = tuple[Any, ...]
Example = Callable[[np.random.Generator, int], Args]
Array = NDArray[np.float64]


def _check_path(path: str, what: str) -> None:
    if path and any(not p for p in path.split(".")):
        raise ValueError(f"{what} must be a path like '1.W1' (indices and keys joined by dots) or ''; got {path!r}")


def _name(function: Callable[..., Any]) -> str:
    name = getattr(function, "__name__", None)
    if not isinstance(name, str):
        raise ValueError(f"expected a named function; got {function!r}")
    return name


def plant(function: Callable[..., Any], path: str) -> str:
    """The plant spec of one part of `function`'s result: `"name:path"`, or `"name"` for path "".

    Returns
    -------
    str, e.g. `plant(affine_backward, "1") == "affine_backward:1"`.

    Raises
    ------
    ValueError
        If path is not "" or dot-joined indices/keys.
    """
    _check_path(path, "path")
    return f"{_name(function)}:{path}" if path else _name(function)


@dataclass(frozen=True)
class Layer:
    """A forward/backward pair: `out, cache = run(*inputs)`; `backward(d_out, cache)` gives dL/d inputs.

    Parameters
    ----------
    forward : `<name>_forward(*inputs, **options) -> (out, cache)`; its leading arguments, the inputs, are
        differentiable; any after them are options, not differentiated: given by `settings` (`p`,
        `rng`) or left at their defaults (`eps`, `causal`)
    backward : `<name>_backward(d_out, cache)`, d_out of out's shape; returns the gradient of each
        input in the order of `inputs` (a tuple), or the one gradient itself for one input
    inputs : the names of forward's differentiable (leading) arguments, in order (e.g. `("X", "W", "b")`)
    example : `example(rng, n) -> inputs`, random valid inputs with n rows (away from kinks)
    settings : `settings() -> {name: value}`, forward's other arguments (a rate, a Generator), as
        keywords; called afresh for every call of `run`, so that a random layer gets a Generator
        in the same state each time: dropout then draws the same mask in every call, and the function
        of the inputs that the tests differentiate is fixed. Default: no other arguments (any further
        argument of forward keeps its default).

    Raises
    ------
    ValueError
        If the names do not pair up (`<name>_forward` with `<name>_backward`) or inputs is empty
        or repeats a name.
    """

    forward: Callable[..., Any]
    backward: Callable[..., Any]
    inputs: tuple[str, ...]
    example: Example
    settings: Callable[[], Mapping[str, Any]] = dict

    def __post_init__(self) -> None:
        forward, backward = _name(self.forward), _name(self.backward)
        if not forward.endswith("_forward") or backward != forward.removesuffix("_forward") + "_backward":
            raise ValueError(f"expected a pair <name>_forward, <name>_backward; got {forward}, {backward}")
        if not self.inputs or len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"inputs must name forward's arguments, each once; got {self.inputs!r}")

    @property
    def name(self) -> str:
        """The layer's name: `"affine"` for affine_forward/affine_backward."""
        return _name(self.forward).removesuffix("_forward")

    def run(self, *inputs: Any) -> Any:
        """`forward(*inputs, **settings())`: the forward pass at these inputs, with fresh settings.

        Returns
        -------
        forward's result `(out, cache)`.
        """
        return self.forward(*inputs, **self.settings())

    @property
    def grads(self) -> tuple[str, ...]:
        """The names of the gradients backward returns: `"d" + input` (`("dX", "dW", "db")`)."""
        return tuple("d" + x for x in self.inputs)

    @property
    def parts(self) -> tuple[str, ...]:
        """Paths of the gradients in backward's result: `("0", "1", ...)`, or `("",)` for one input."""
        return ("",) if len(self.inputs) == 1 else tuple(str(i) for i in range(len(self.inputs)))

    def gradients(self, result: Any) -> tuple[Any, ...]:
        """Backward's result as a tuple with one gradient per input (wraps a lone gradient).

        Returns
        -------
        tuple of len(inputs) arrays, gradients[i] of inputs[i]'s shape.
        """
        return (result,) if len(self.inputs) == 1 else tuple(result)

    def plants(self) -> tuple[str, ...]:
        """One plant per gradient backward returns.

        Returns
        -------
        tuple of str, e.g. `("affine_backward:0", "affine_backward:1", "affine_backward:2")`.
        """
        return tuple(plant(self.backward, p) for p in self.parts)


@dataclass(frozen=True)
class Gradient:
    """A function whose result holds the gradient of a scalar with respect to (parts of) its arguments.

    Parameters
    ----------
    function : the public function
    grads : result path -> argument path: `{"1.W1": "0.W1"}` says `result[1]["W1"]` is the gradient
        with respect to `args[0]["W1"]` (and has its shape)
    example : `example(rng, n) -> args`
    value : the scalar differentiated, as a function of the same arguments; None (default) means
        `function(*args)[0]` (a loss returned beside its gradients)

    Raises
    ------
    ValueError
        If grads is empty or a path is malformed.
    """

    function: Callable[..., Any]
    grads: Mapping[str, str] = field(hash=False)
    example: Example
    value: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if not self.grads:
            raise ValueError(f"{_name(self.function)}: grads must name at least one gradient; got {self.grads!r}")
        for result_path, arg_path in self.grads.items():
            _check_path(result_path, "a result path")
            _check_path(arg_path, "an argument path")
        object.__setattr__(self, "grads", MappingProxyType(dict(self.grads)))

    @property
    def name(self) -> str:
        """The function's name."""
        return _name(self.function)

    def loss(self, *args: Any) -> float:
        """The scalar whose gradient the grads are, at `args`.

        Returns
        -------
        float, `value(*args)` or `function(*args)[0]`.
        """
        if self.value is not None:
            return float(self.value(*args))
        return float(self.function(*args)[0])

    def plants(self) -> tuple[str, ...]:
        """One plant per gradient part.

        Returns
        -------
        tuple of str, e.g. `("softmax_cross_entropy:1",)`.
        """
        return tuple(plant(self.function, p) for p in self.grads)


@dataclass(frozen=True)
class Derivative:
    """A function whose result is a derivative but not the gradient of a scalar it computes.

    Parameters
    ----------
    function : the public function (e.g. relu_derivative, softmax_jacobian, numerical_gradient)
    example : `example(rng, n) -> args`
    parts : paths of the derivative(s) in the result; `("",)` (default) is the result itself

    Raises
    ------
    ValueError
        If parts is empty or a path is malformed.
    """

    function: Callable[..., Any]
    example: Example
    parts: tuple[str, ...] = ("",)

    def __post_init__(self) -> None:
        if not self.parts:
            raise ValueError(f"{_name(self.function)}: parts must name at least one derivative; got {self.parts!r}")
        for p in self.parts:
            _check_path(p, "a part")

    @property
    def name(self) -> str:
        """The function's name."""
        return _name(self.function)

    def plants(self) -> tuple[str, ...]:
        """One plant per part.

        Returns
        -------
        tuple of str, e.g. `("numerical_gradient",)`.
        """
        return tuple(plant(self.function, p) for p in self.parts)


Entry = Layer | Gradient | Derivative


# ---------------------------------------------------------------------------- paths


def _step(value: Any, key: str) -> Any:
    if isinstance(value, tuple | list):
        if not key.isdigit() or int(key) >= len(value):
            raise ValueError(f"index {key!r} does not name an item of a sequence of length {len(value)}")
        return value[int(key)]
    if isinstance(value, Mapping):
        if key not in value:
            raise ValueError(f"key {key!r} is not among the keys {list(value)}")
        return value[key]
    raise ValueError(f"cannot take {key!r} of a {type(value).__name__}: expected a tuple or a dict")


def part(value: Any, path: str) -> Any:
    """The part of `value` (nested tuples and dicts) that `path` names; `value` itself for "".

    Returns
    -------
    the part, e.g. `part((1.5, {"W1": W}), "1.W1") is W`.

    Raises
    ------
    ValueError
        If path names no part of value.
    """
    _check_path(path, "path")
    for key in path.split(".") if path else ():
        value = _step(value, key)
    return value


def replace(value: Any, path: str, new: Any) -> Any:
    """A copy of `value` with the part at `path` replaced by `new` (containers copied, not arrays).

    Returns
    -------
    a new tuple/dict structure (or `new` itself for path "").

    Raises
    ------
    ValueError
        If path names no part of value.
    """
    _check_path(path, "path")
    if not path:
        return new
    head, _, rest = path.partition(".")
    inner = replace(_step(value, head), rest, new)
    if isinstance(value, Mapping):
        return {**value, head: inner}
    items = list(value)
    items[int(head)] = inner
    return type(value)(items)


# ---------------------------------------------------------------------------- examples
# Small sizes (1 to 4) drawn from rng; n is the number of examples (rows).


def _size(rng: np.random.Generator, low: int = 1) -> int:
    return int(rng.integers(low, 5))


def _off_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    """Normal entries pushed at least 0.1 away from 0 (a ReLU kink), the first one positive."""
    Z = rng.standard_normal(shape)
    Z += np.where(Z < 0, -0.1, 0.1)
    Z.flat[0] = abs(Z.flat[0])
    return Z


def _labels(rng: np.random.Generator, n: int, classes: int) -> NDArray[np.int64]:
    return rng.integers(0, classes, size=n)


def _signs(rng: np.random.Generator, n: int) -> NDArray[np.int64]:
    return rng.choice(np.array([-1, 1]), size=n)


def _affine(rng: np.random.Generator, n: int) -> Args:
    D, H = _size(rng), _size(rng)
    return rng.standard_normal((n, D)), rng.standard_normal((D, H)), rng.standard_normal(H)


def _relu(rng: np.random.Generator, n: int) -> Args:
    return (_off_zero(rng, (n, _size(rng))),)


def _sigmoid(rng: np.random.Generator, n: int) -> Args:
    return (2 * rng.standard_normal((n, _size(rng))),)


def _softmax(rng: np.random.Generator, n: int) -> Args:
    return (2 * rng.standard_normal((n, _size(rng, low=2))),)


def _cross_entropy(rng: np.random.Generator, n: int) -> Args:
    C = _size(rng, low=2)
    return 2 * rng.standard_normal((n, C)), _labels(rng, n, C)


def _logistic(rng: np.random.Generator, n: int) -> Args:
    return 2 * rng.standard_normal(n), _signs(rng, n)


def _params(rng: np.random.Generator, sizes: list[int]) -> dict[str, Array]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
        params[f"b{l}"] = 0.1 * rng.standard_normal(sizes[l])
    return params


def _l2(rng: np.random.Generator, n: int) -> Args:
    return _params(rng, [_size(rng), _size(rng), _size(rng)]), 0.3


def _mlp(layers: int) -> Example:
    def example(rng: np.random.Generator, n: int) -> Args:
        D, C = _size(rng), _size(rng, low=2)
        sizes = [D, *(_size(rng) for _ in range(layers - 1)), C]
        return _params(rng, sizes), rng.standard_normal((n, D)), _labels(rng, n, C), 0.1

    return example


def _logistic_net_args(rng: np.random.Generator, X: Array) -> Args:
    d, h = X.shape[-1], _size(rng)
    Y = _signs(rng, X.shape[0]) if X.ndim == 2 else int(_signs(rng, 1)[0])
    return X, Y, rng.standard_normal((d, h)), rng.standard_normal(h), rng.standard_normal(h), 0.2


def _logistic_net(rng: np.random.Generator, n: int) -> Args:
    return _logistic_net_args(rng, rng.standard_normal((n, _size(rng))))


def _one_example(rng: np.random.Generator, n: int) -> Args:
    """The Kronecker route takes one example, X of shape (d,): n is not used."""
    return _logistic_net_args(rng, rng.standard_normal(_size(rng)))


def _adapter(rng: np.random.Generator, n: int) -> Args:
    X, Y, Wi, bi, Wo, bo = _logistic_net(rng, n)
    return {"Wi": Wi, "bi": bi, "Wo": Wo, "bo": bo}, X, Y


def _probabilities(rng: np.random.Generator, n: int) -> Args:
    e = np.exp(rng.standard_normal(_size(rng, low=2)))
    return (e / e.sum(),)


def _scalar_function(rng: np.random.Generator, n: int) -> Args:
    G = rng.standard_normal((n, _size(rng)))
    return (lambda X: float(np.sum(G * np.sin(X)))), rng.standard_normal(G.shape)


def _tanh(rng: np.random.Generator, n: int) -> Args:
    return (1.5 * rng.standard_normal((n, _size(rng))),)


def _gelu(rng: np.random.Generator, n: int) -> Args:
    return (2 * rng.standard_normal((n, _size(rng))),)


def _dropout(rng: np.random.Generator, n: int) -> Args:
    return (rng.standard_normal((n, _size(rng))),)


def _dropout_settings() -> dict[str, Any]:
    """p and a Generator seeded afresh: every call draws the same mask (for a given shape of X)."""
    return {"p": 0.25, "rng": np.random.default_rng(12)}


def _vector_function(rng: np.random.Generator, n: int) -> Args:
    A = rng.standard_normal((_size(rng), _size(rng)))
    return (lambda X: np.tanh(X @ A)), rng.standard_normal((n, A.shape[0]))


# normalisation.md, regression.md


def _normalise(rng: np.random.Generator, n: int) -> Args:
    """X (n, D) with D >= 3, gamma and beta (D,).

    With N = 2 rows (batch norm) or D = 2 columns (layer norm), Xhat is +-1 up to the floor eps, so
    dX is of order eps / s^3 only; X of spread 0.05 (variance 400 eps) keeps that part well above
    the round-off of central differences (worst relative error about 4e-8 over 1500 seeds).
    """
    D = _size(rng, low=3)
    return 0.05 * rng.standard_normal((n, D)), rng.standard_normal(D), rng.standard_normal(D)


def _mse(rng: np.random.Generator, n: int) -> Args:
    C = _size(rng)
    return rng.standard_normal((n, C)), rng.standard_normal((n, C))


# --- attention.md: attention (Q, K, V) and self-attention (X and four projections); default options
def _attention(rng: np.random.Generator, n: int) -> Args:
    H, S, H_v = _size(rng), _size(rng), _size(rng)
    return rng.standard_normal((n, H)), rng.standard_normal((S, H)), rng.standard_normal((S, H_v))


def _self_attention(rng: np.random.Generator, n: int) -> Args:
    D, H = _size(rng), _size(rng)
    Wq, Wk, Wv = (rng.standard_normal((D, H)) / np.sqrt(D) for _ in range(3))
    return rng.standard_normal((n, D)), Wq, Wk, Wv, rng.standard_normal((H, D)) / np.sqrt(H)


# ---------------------------------------------------------------------------- the registry

LAYERS: tuple[Layer, ...] = (
    Layer(layers.affine_forward, layers.affine_backward, ("X", "W", "b"), _affine),
    Layer(layers.relu_forward, layers.relu_backward, ("Z",), _relu),
    Layer(layers.sigmoid_forward, layers.sigmoid_backward, ("Z",), _sigmoid),
    Layer(layers.softmax_forward, layers.softmax_backward, ("Z",), _softmax),
    # activations and dropout (docs/activations-dropout.md)
    Layer(activations.tanh_forward, activations.tanh_backward, ("Z",), _tanh),
    Layer(activations.gelu_forward, activations.gelu_backward, ("Z",), _gelu),
    Layer(dropout.dropout_forward, dropout.dropout_backward, ("X",), _dropout, _dropout_settings),
    # attention (docs/attention.md); causal and n_heads keep their defaults here: tests/unit/test_attention.py
    Layer(attention.attention_forward, attention.attention_backward, ("Q", "K", "V"), _attention),
    Layer(
        attention.self_attention_forward,
        attention.self_attention_backward,
        ("X", "Wq", "Wk", "Wv", "Wo"),
        _self_attention,
    ),
    # normalisation.md
    Layer(normalization.batchnorm_forward, normalization.batchnorm_backward, ("X", "gamma", "beta"), _normalise),
    Layer(normalization.layernorm_forward, normalization.layernorm_backward, ("X", "gamma", "beta"), _normalise),
)

LOSSES: tuple[Gradient, ...] = (
    Gradient(losses.softmax_cross_entropy, {"1": "0"}, _cross_entropy),  # (loss, dZ)
    Gradient(losses.logistic_loss, {"1": "0"}, _logistic),  # (loss, dyhat)
    Gradient(losses.l2_penalty, {"1.W1": "0.W1", "1.W2": "0.W2"}, _l2),  # (penalty, {W: 2 reg W})
    Gradient(losses.mse_loss, {"1": "0"}, _mse),  # (loss, dYhat); regression.md
)

_MLP3 = {f"1.{p}{l}": f"0.{p}{l}" for l in (1, 2, 3) for p in "Wb"}  # (loss, grads) -> params
_MLP2 = {f"1.{p}{l}": f"0.{p}{l}" for l in (1, 2) for p in "Wb"}
_LOGISTIC = {"0": "2", "1": "3", "2": "4", "3": "5"}  # grad_Wi, grad_bi, grad_Wo, grad_bo -> Wi, bi, Wo, bo

NETS: tuple[Gradient, ...] = (
    Gradient(mlp.mlp_forward_backward, _MLP3, _mlp(3)),
    Gradient(mlp.two_layer_forward_backward, _MLP2, _mlp(2)),
    Gradient(logistic_net.logistic_net_gradient, _LOGISTIC, _logistic_net, logistic_net.logistic_net_loss),
    Gradient(logistic_net.logistic_net_gradient_kronecker, _LOGISTIC, _one_example, logistic_net.logistic_net_loss),
    Gradient(
        logistic_net.logistic_net_loss_and_grads, {f"1.{k}": f"0.{k}" for k in ("Wi", "bi", "Wo", "bo")}, _adapter
    ),
)

DERIVATIVES: tuple[Derivative, ...] = (
    Derivative(activations.relu_derivative, _relu),  # the 0/1 mask, Z's shape
    Derivative(activations.softmax_jacobian, _probabilities),  # J (C, C)
)

FINITE_DIFFERENCES: tuple[Derivative, ...] = (
    Derivative(gradcheck.numerical_gradient, _scalar_function),  # X's shape
    Derivative(gradcheck.numerical_jacobian, _vector_function),  # (m, n)
)


def entries() -> tuple[Entry, ...]:
    """Every entry of the registry: layers, losses, nets, derivatives, finite differences.

    Returns
    -------
    tuple of Layer, Gradient and Derivative entries, in that order.
    """
    return (*LAYERS, *LOSSES, *NETS, *DERIVATIVES, *FINITE_DIFFERENCES)


def functions() -> dict[str, Callable[..., Any]]:
    """Every public function the registry names (a layer's forward and backward both), by name.

    Returns
    -------
    dict name -> function.
    """
    named: dict[str, Callable[..., Any]] = {}
    for entry in entries():
        for function in (entry.forward, entry.backward) if isinstance(entry, Layer) else (entry.function,):
            named[_name(function)] = function
    return named


def plants() -> tuple[str, ...]:
    """One plant spec for every gradient part of every entry, in registry order.

    Returns
    -------
    tuple of str, e.g. `("affine_backward:0", ..., "mlp_forward_backward:1.W1", ..., "numerical_jacobian")`.
    """
    return tuple(spec for entry in entries() for spec in entry.plants())
