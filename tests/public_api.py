"""matgrad's public API read off matgrad itself (its names and docstrings), independently of the registry.

matgrad.registry says which public functions return derivatives; the tests compare it with this
reading, so that a function added to the API but not to the registry fails, and a registry that
forgets a function cannot agree with itself.

A public function is taken to return a derivative when any of these holds:

- its name says so: ``*_backward``, ``*_gradient*``, ``*_grads``, ``*_jacobian``, ``*_derivative``,
  ``numerical_*``;
- it is a loss (defined in matgrad.losses, whose functions each return the loss and its gradient);
- the Returns section of its docstring names a gradient: ``dX``-style names, ``dyhat``, ``grad``,
  ``grads``, ``grad_*`` or a Jacobian ``J``.
"""

import inspect
import re
from collections.abc import Callable
from typing import Any

import matgrad

DERIVATIVE_NAME = re.compile(r"(_backward|_gradient\w*|_grads|_jacobian|_derivative)$|^numerical_")
DERIVATIVE_RETURNED = re.compile(r"\b(d[A-Z]\w*|dyhat|grads?|grad_\w+|J)\b")

# Every public function that returns no derivative, with the reason: a new public function must be
# registered in matgrad.registry or listed here (tests/unit/test_registry.py).
NO_DERIVATIVE = {
    "check_gradient": "returns the relative error of a gradient it is given (and raises above tol)",
    "diagnose": "returns the name of a mistake it recognises in a gradient it is given",
    "init_mlp": "returns random parameters",
    "load_iris": "returns a data set",
    "log_softmax": "returns values; its derivative is the softmax layer's",
    "logistic_net_forward": "returns the net's scores; its gradients are logistic_net_gradient's",
    "logistic_net_loss": "returns the loss; its gradients are logistic_net_gradient's",
    "make_rings": "returns a data set",
    "mlp_loss_and_grads": "returns a function that calls mlp_forward_backward, whose plants reach it",
    "relative_error": "returns a number comparing two arrays",
    "relu": "returns values; its derivative is relu_derivative",
    "sigmoid": "returns values; its derivative is the sigmoid layer's",
    "softmax": "returns values; its Jacobian is softmax_jacobian",
    "train": "returns trained parameters and a loss history",
    "train_test_split": "returns a split of a data set",
    "unvec": "returns a reshaped array",
    "vec": "returns a reshaped array",
}

# Of those, the ones the rule above flags anyway, and why it is wrong about them.
MISLEADING = {
    "check_gradient": "named after what it checks; its Returns section mentions the grad it compares",
    "mlp_loss_and_grads": "a factory: the function it returns gives mlp_forward_backward's gradients",
    "diagnose": "named after a gradient check's diagnosis; its Returns section mentions the grad it is given",
}


def public_functions() -> dict[str, Callable[..., Any]]:
    """Every function (not class, not constant) that ``matgrad.__all__`` exports, by name."""
    return {name: obj for name in matgrad.__all__ if inspect.isfunction(obj := getattr(matgrad, name))}


def returns_section(function: Callable[..., Any]) -> str:
    """The text of the numpydoc ``Returns`` section of function's docstring ("" if it has none)."""
    lines = (inspect.getdoc(function) or "").splitlines()
    headers = [i for i in range(len(lines) - 1) if lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"}]
    for start in (i for i in headers if lines[i].strip() == "Returns"):
        end = min([i for i in headers if i > start] or [len(lines)])
        return "\n".join(lines[start + 2 : end])
    return ""


def returns_derivative(name: str, function: Callable[..., Any]) -> bool:
    """True when the name, the defining module or the docstring says the function returns a derivative."""
    return bool(
        DERIVATIVE_NAME.search(name)
        or function.__module__ == "matgrad.losses"
        or DERIVATIVE_RETURNED.search(returns_section(function))
    )
