"""The exercises of the site, page by page (docs/notation.yml's symbols; rows are examples).

Each exercise is an `matgrad.exercises.core.Exercise`: a statement, the reader's signature,
the scalar (or map) whose derivative is asked, random arguments, the hidden reference solution and
the catalogued wrong answers with the diagnosis each must get. Losses are written here in plain
NumPy (stable forms), independently of matgrad's own layers; upstream gradients are random.

The layers beyond the MLP (mean squared error, tanh, GELU, dropout, batch and layer
normalisation, attention) come last, one block per page, written from their pages' formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..gradcheck import numerical_gradient, numerical_jacobian
from .core import Args, Exercise, Output

__all__ = ["EXERCISES"]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- random arguments


def _dims(rng: np.random.Generator, k: int) -> list[int]:
    """k distinct sizes from 2 to 5 (distinct, so that a transpose changes the shape)."""
    return [int(d) for d in rng.choice(np.arange(2, 6), size=k, replace=False)]


def _off_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> Array:
    """Normal entries at least 0.1 away from 0 (a ReLU kink), positive and negative ones both present."""
    Z = rng.standard_normal(shape)
    Z += np.where(Z < 0, -0.1, 0.1)
    Z.flat[0] = abs(Z.flat[0])
    if Z.size > 1:
        Z.flat[-1] = -abs(Z.flat[-1])
    return Z


def _labels(rng: np.random.Generator, N: int, C: int) -> NDArray[np.int64]:
    return rng.integers(0, C, size=N)


def _signs(rng: np.random.Generator, N: int) -> Array:
    return rng.choice(np.array([-1.0, 1.0]), size=N)


def _sizes(names: str) -> Any:
    """Sizes for a shape question: N, then distinct others."""

    def inputs(rng: np.random.Generator, N: int) -> Args:
        return (N, *_dims(rng, len(names.split()) - 1))

    return inputs


# ---------------------------------------------------------------------------- plain-NumPy losses


def _mean_ce(Z: Array, y: NDArray[np.int64]) -> float:
    """Mean softmax cross-entropy of scores Z (N, C) and labels y (N,), by log-sum-exp."""
    m = Z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - Z[np.arange(len(y)), y]))


def _softmax(Z: Array) -> Array:
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    P: Array = E / E.sum(axis=-1, keepdims=True)
    return P


def _logistic_sum(yhat: Array, y: Array) -> float:
    return float(np.sum(np.logaddexp(0.0, -y * yhat)))


def _relu(Z: Array) -> Array:
    return np.maximum(Z, 0.0)


def _sigmoid(T: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -T))


def _mlp_loss(params: dict[str, Array], X: Array, y: NDArray[np.int64], reg: float) -> float:
    M = len(params) // 2
    A = X
    for l in range(1, M):
        A = _relu(A @ params[f"W{l}"] + params[f"b{l}"])
    Z = A @ params[f"W{M}"] + params[f"b{M}"]
    return _mean_ce(Z, y) + reg * sum(float(np.sum(params[f"W{l}"] ** 2)) for l in range(1, M + 1))


def _mlp_args(M: int) -> Any:
    def inputs(rng: np.random.Generator, N: int) -> Args:
        sizes = [*_dims(rng, 2), *_dims(rng, M - 1)]  # D, H_1, ..., C (C >= 2)
        sizes = [sizes[0], *sizes[2:], sizes[1]]
        params = {}
        for l in range(1, M + 1):
            params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
            params[f"b{l}"] = 0.1 * rng.standard_normal(sizes[l])
        X = rng.standard_normal((N, sizes[0]))
        return params, X, _labels(rng, N, sizes[-1]), 0.1

    return inputs


def _mlp_outputs(M: int) -> tuple[Output, ...]:
    return tuple(Output(f"d{p}{l}", f"{p}{l}", f"0.{p}{l}", bias=p == "b") for l in range(1, M + 1) for p in ("W", "b"))


# ---------------------------------------------------------------------------- jacobian-layout

_JL = "jacobian-layout"

JACOBIAN_LAYOUT = (
    Exercise(
        id="jl-shape-xw",
        page=_JL,
        level="shape",
        title="The shape of a Jacobian",
        statement=r"$X$ is $N \times D$ and $W$ is $D \times H$. In numerator layout, what is the shape of the "
        r"Jacobian of $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(W)$?",
        kind="shape",
        signature="jacobian_shape(N, D, H)",
        returns="a tuple of two sizes",
        hint="Numerator layout: one row per entry of the output, one column per entry of the input.",
        solution="def jacobian_shape(N, D, H):\n    return (N * H, D * H)\n",
        value=lambda N, D, H: numerical_jacobian(lambda W: np.ones((N, D)) @ W, np.ones((D, H))),
        inputs=_sizes("N D H"),
        wrong={
            "denominator layout": ("def jacobian_shape(N, D, H):\n    return (D * H, N * H)\n", "transposed"),
            "the shape of XW": ("def jacobian_shape(N, D, H):\n    return (N, H)\n", "shape"),
        },
    ),
    Exercise(
        id="jl-xw-by-w",
        page=_JL,
        level="step",
        title="The Jacobian of XW with respect to W",
        statement=r"Write the Jacobian $J$ of $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(W)$ "
        r"(numerator layout, $\operatorname{vec}$ stacks columns) as a Kronecker product.",
        kind="jacobian",
        signature="jacobian_w(X, W)",
        returns="J, shape (N H, D H)",
        hint=r"Use $\operatorname{vec}(BUE) = (E^\top \otimes B)\operatorname{vec}(U)$ with $XW = X W I_H$.",
        solution="def jacobian_w(X, W):\n    return np.kron(np.eye(W.shape[1]), X)\n",
        value=lambda X, W: X @ W,
        inputs=lambda rng, N: (rng.standard_normal((N, (d := _dims(rng, 2))[0])), rng.standard_normal(d)),
        outputs=(Output("J", "", "1"),),
        wrong={
            "row-major vec": ("def jacobian_w(X, W):\n    return np.kron(X, np.eye(W.shape[1]))\n", "vec"),
            "denominator layout": (
                "def jacobian_w(X, W):\n    return np.kron(np.eye(W.shape[1]), X).T\n",
                "transposed",
            ),
        },
    ),
    Exercise(
        id="jl-xw-by-x",
        page=_JL,
        level="step",
        title="The Jacobian of XW with respect to X",
        statement=r"Write the Jacobian of $\operatorname{vec}(XW)$ with respect to $\operatorname{vec}(X)$ "
        r"(numerator layout, column-major $\operatorname{vec}$) as a Kronecker product.",
        kind="jacobian",
        signature="jacobian_x(X, W)",
        returns="J, shape (N H, N D)",
        hint=r"$XW = I_N X W$: here $B = I_N$ and $E = W$.",
        solution="def jacobian_x(X, W):\n    return np.kron(W.T, np.eye(X.shape[0]))\n",
        value=lambda X, W: X @ W,
        inputs=lambda rng, N: (rng.standard_normal((N, (d := _dims(rng, 2))[0])), rng.standard_normal(d)),
        outputs=(Output("J", "", "0"),),
        wrong={
            "row-major vec": ("def jacobian_x(X, W):\n    return np.kron(np.eye(X.shape[0]), W.T)\n", "vec"),
            "W where W^T is meant": (
                "def jacobian_x(X, W):\n    return np.kron(W, np.eye(X.shape[0]))\n",
                "transposed",
            ),
        },
    ),
    Exercise(
        id="jl-relu",
        page=_JL,
        level="step",
        title="The Jacobian of an entrywise map",
        statement=r"For $A = \operatorname{relu}(Z)$ entrywise, $Z$ of shape $N \times H$, write the Jacobian "
        r"of $\operatorname{vec}(A)$ with respect to $\operatorname{vec}(Z)$.",
        kind="jacobian",
        signature="jacobian_relu(Z)",
        returns="J, shape (N H, N H)",
        hint=r"Entry $i$ of $\operatorname{vec}(A)$ depends on entry $i$ of $\operatorname{vec}(Z)$ only: "
        r"$J$ is diagonal. Mind the order of the diagonal.",
        solution='def jacobian_relu(Z):\n    return np.diag((Z > 0).reshape(-1, order="F").astype(float))\n',
        value=_relu,
        inputs=lambda rng, N: (_off_zero(rng, (N, _dims(rng, 1)[0])),),
        outputs=(Output("J", "", "0"),),
        wrong={
            "row-major diagonal": ("def jacobian_relu(Z):\n    return np.diag((Z > 0).ravel().astype(float))\n", "vec"),
            "the mask, not the Jacobian": ("def jacobian_relu(Z):\n    return (Z > 0).astype(float)\n", "shape"),
        },
    ),
)

_KRON = (
    "def one_example_backward(x, y, Wi, bi, Wo, bo):\n"
    "    z = x @ Wi + bi\n"
    "    a = np.maximum(z, 0)\n"
    "    yhat = a @ Wo + bo\n"
    "    dyhat = -y / (1 + np.exp(y * yhat))\n"
    "    J_z = np.kron(np.eye(len(bi)), x[None, :])  # dz/dvec(Wi), (H, D H)\n"
    "    g = dyhat * Wo * (z > 0)  # dL/dz, a row of length H\n"
    "    return (g @ J_z).reshape({order})\n"
)

JACOBIAN_LAYOUT_FULL = Exercise(
    id="jl-one-example",
    page=_JL,
    level="full",
    title="One example through a hidden layer, by Kronecker products",
    statement=r"One example $x$ (a row of length $D$, label $y = \pm 1$): $z = xW_i + b_i^\top$, "
    r"$a = \operatorname{relu}(z)$, $\hat y = a w_o + b_o$ (code `Wo`, `bo`), $L = \log(1 + e^{-y\hat y})$. "
    r"Compute $\partial L/\partial W_i$ through the Jacobian $\partial z/\partial\operatorname{vec}(W_i)$ and "
    r"return it with $W_i$'s shape.",
    kind="gradient",
    signature="one_example_backward(x, y, Wi, bi, Wo, bo)",
    returns="dL/dWi, shape (D, H)",
    hint=r"$\partial z/\partial\operatorname{vec}(W_i) = I_H \otimes x$ ($H \times DH$); the row $g\,(I_H \otimes x)$ "
    r"is $\operatorname{vec}(\partial L/\partial W_i)^\top$, and $\operatorname{unvec}$ refills columns.",
    solution=_KRON.format(order='(len(x), len(bi)), order="F"'),
    value=lambda x, y, Wi, bi, Wo, bo: float(np.logaddexp(0.0, -y * (_relu(x @ Wi + bi) @ Wo + bo))),
    inputs=lambda rng, N: (
        rng.standard_normal((d := _dims(rng, 2))[0]),
        float(_signs(rng, 1)[0]),
        rng.standard_normal(d),
        rng.standard_normal(d[1]),
        rng.standard_normal(d[1]),
        float(rng.standard_normal()),
    ),
    outputs=(Output("dWi", "", "2"),),
    wrong={
        "unvec by rows": (_KRON.format(order="len(x), len(bi)"), "vec"),
    },
)

# ---------------------------------------------------------------------------- trace-tricks

_TT = "trace-tricks"


def _u_U_v(rng: np.random.Generator, N: int) -> Args:
    m, n = _dims(rng, 2)
    return rng.standard_normal((m, n)), rng.standard_normal(m), rng.standard_normal(n)


def _layer_args(rng: np.random.Generator, N: int) -> Args:
    D, H = _dims(rng, 2)
    return (
        rng.standard_normal((N, D)),
        rng.standard_normal((D, H)),
        rng.standard_normal(H),
        rng.standard_normal((N, H)),
    )


TRACE_TRICKS = (
    Exercise(
        id="tt-shape",
        page=_TT,
        level="shape",
        title="The shape of a gradient",
        statement=r"$U$ is $m \times n$ and $B$ is $n \times m$. What is the shape of "
        r"$\partial \phi / \partial U$ for $\phi = \operatorname{tr}(BU)$?",
        kind="shape",
        signature="gradient_shape(m, n)",
        returns="a tuple of two sizes",
        hint="A gradient has the shape of its variable.",
        solution="def gradient_shape(m, n):\n    return (m, n)\n",
        value=lambda m, n: numerical_gradient(lambda U: np.trace(np.ones((n, m)) @ U), np.ones((m, n))),
        inputs=lambda rng, N: tuple(_dims(rng, 2)),
        wrong={"the shape of B": ("def gradient_shape(m, n):\n    return (n, m)\n", "transposed")},
    ),
    Exercise(
        id="tt-trace-bu",
        page=_TT,
        level="step",
        title="The gradient of tr(BU)",
        statement=r"$\phi = \operatorname{tr}(BU)$ with $U$ of shape $m \times n$ and $B$ of shape $n \times m$. "
        r"Write $\partial \phi / \partial U$.",
        kind="gradient",
        signature="grad_trace(U, B)",
        returns="dphi/dU, shape (m, n)",
        hint=r"$d\phi = \operatorname{tr}(B\,dU)$; the gradient is the matrix $\partial\phi/\partial U$ with "
        r"$d\phi = \operatorname{tr}((\partial\phi/\partial U)^\top dU)$.",
        solution="def grad_trace(U, B):\n    return B.T\n",
        value=lambda U, B: float(np.trace(B @ U)),
        inputs=lambda rng, N: (rng.standard_normal(d := tuple(_dims(rng, 2))), rng.standard_normal(d[::-1])),
        outputs=(Output("dU", "", "0"),),
        wrong={"B, not its transpose": ("def grad_trace(U, B):\n    return B\n", "transposed")},
    ),
    Exercise(
        id="tt-uuv",
        page=_TT,
        level="step",
        title="The gradient of a bilinear form",
        statement=r"$\phi = u^\top U v$ with $U$ of shape $m \times n$, $u$ of length $m$ and $v$ of length $n$. "
        r"Write $\partial\phi/\partial U$.",
        kind="gradient",
        signature="grad_bilinear(U, u, v)",
        returns="dphi/dU, shape (m, n)",
        hint=r"$\phi = \operatorname{tr}(v u^\top U)$.",
        solution="def grad_bilinear(U, u, v):\n    return np.outer(u, v)\n",
        value=lambda U, u, v: float(u @ U @ v),
        inputs=_u_U_v,
        outputs=(Output("dU", "", "0"),),
        wrong={"v u^T": ("def grad_bilinear(U, u, v):\n    return np.outer(v, u)\n", "transposed")},
    ),
    Exercise(
        id="tt-logdet",
        page=_TT,
        level="step",
        title="The gradient of log |det U|",
        statement=r"$\phi = \log\lvert\det U\rvert$ for an invertible $m \times m$ matrix $U$. "
        r"Write $\partial\phi/\partial U$.",
        kind="gradient",
        signature="grad_logdet(U)",
        returns="dphi/dU, shape (m, m)",
        hint=r"$d\phi = \operatorname{tr}(U^{-1} dU)$.",
        solution="def grad_logdet(U):\n    return np.linalg.inv(U).T\n",
        value=lambda U: float(np.linalg.slogdet(U)[1]),
        inputs=lambda rng, N: (rng.standard_normal((m := _dims(rng, 1)[0], m)) + m * np.eye(m),),
        outputs=(Output("dU", "", "0"),),
        wrong={"U^{-1} without the transpose": ("def grad_logdet(U):\n    return np.linalg.inv(U)\n", "transposed")},
    ),
    Exercise(
        id="tt-btu",
        page=_TT,
        level="step",
        title="The gradient of tr(B U E U^T)",
        statement=r"$\phi = \operatorname{tr}(B U E U^\top)$ with $U$ of shape $m \times n$, $B$ of shape "
        r"$m \times m$ and $E$ of shape $n \times n$ (neither symmetric). Write $\partial\phi/\partial U$.",
        kind="gradient",
        signature="grad_quadratic(U, B, E)",
        returns="dphi/dU, shape (m, n)",
        hint=r"$U$ appears twice: $d\phi = \operatorname{tr}(B\,dU\,E U^\top) + \operatorname{tr}(B U E\,dU^\top)$.",
        solution="def grad_quadratic(U, B, E):\n    return B.T @ U @ E.T + B @ U @ E\n",
        value=lambda U, B, E: float(np.trace(B @ U @ E @ U.T)),
        inputs=lambda rng, N: (
            rng.standard_normal(d := tuple(_dims(rng, 2))),
            rng.standard_normal((d[0], d[0])),
            rng.standard_normal((d[1], d[1])),
        ),
        outputs=(Output("dU", "", "0"),),
        wrong={
            "2 B U E (true for symmetric B, E only)": (
                "def grad_quadratic(U, B, E):\n    return 2 * B @ U @ E\n",
                None,
            ),
            "one of the two terms": ("def grad_quadratic(U, B, E):\n    return B @ U @ E\n", None),
        },
    ),
    Exercise(
        id="tt-layer",
        page=_TT,
        level="full",
        title="A sigmoid layer by differentials",
        statement=r"$A = \sigma(XW + \mathbf 1_N b^\top)$ and $L = \sum_{ij} (\partial L/\partial A)_{ij} A_{ij}$ "
        r"with $X$ ($N \times D$), $W$ ($D \times H$), $b$ (length $H$) and a fixed upstream gradient "
        r"$\partial L/\partial A$ ($N \times H$). Write $\partial L/\partial X$, $\partial L/\partial W$ and "
        r"$\partial L/\partial b$.",
        kind="gradient",
        signature="layer_backward(X, W, b, dA)",
        returns="(dX (N, D), dW (D, H), db (H,))",
        hint=r"First the gradient at the pre-activations, $G = \partial L/\partial A \odot \sigma'(Z)$ with "
        r"$\sigma' = \sigma(1 - \sigma)$; then $dZ = dX\,W + X\,dW + \mathbf 1_N db^\top$.",
        solution=(
            "def layer_backward(X, W, b, dA):\n"
            "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
            "    dZ = dA * S * (1 - S)\n"
            "    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)\n"
        ),
        value=lambda X, W, b, dA: float(np.sum(dA * _sigmoid(X @ W + b))),
        inputs=_layer_args,
        outputs=(Output("dX", "0", "0"), Output("dW", "1", "1"), Output("db", "2", "2", bias=True)),
        wrong={
            "db summed over the wrong axis": (
                "def layer_backward(X, W, b, dA):\n"
                "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
                "    dZ = dA * S * (1 - S)\n"
                "    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)\n",
                "axis",
            ),
            "dW transposed": (
                "def layer_backward(X, W, b, dA):\n"
                "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
                "    dZ = dA * S * (1 - S)\n"
                "    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)\n",
                "transposed",
            ),
            "sigma' forgotten": (
                "def layer_backward(X, W, b, dA):\n    return dA @ W.T, X.T @ dA, dA.sum(axis=0)\n",
                None,
            ),
        },
    ),
)

# ---------------------------------------------------------------------------- softmax-cross-entropy

_SCE = "softmax-cross-entropy"


def _scores(rng: np.random.Generator, N: int) -> Args:
    C = _dims(rng, 1)[0]
    return 2 * rng.standard_normal((N, C)), _labels(rng, N, C)


def _softmax_upstream(rng: np.random.Generator, N: int) -> Args:
    C = _dims(rng, 1)[0]
    return 2 * rng.standard_normal((N, C)), rng.standard_normal((N, C))


_SCE_DZ = (
    "def grad_scores(Z, y):\n"
    "    N, C = Z.shape\n"
    "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    Y = np.eye(C)[y]\n"
    "    return {}\n"
)

_TWO_LAYER = (
    "def two_layer_backward(params, X, y, reg):\n"
    '    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]\n'
    "    N = X.shape[0]\n"
    "    Z1 = X @ W1 + b1\n"
    "    A1 = np.maximum(Z1, 0)\n"
    "    Z2 = A1 @ W2 + b2\n"
    "    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    G2 = (P - np.eye(W2.shape[1])[y]) / {N}\n"
    "    G1 = (G2 @ W2.T) * (Z1 > 0)\n"
    "    return {{\n"
    '        "W1": X.T @ G1 + {k} * reg * W1,\n'
    '        "b1": G1.sum(axis={ax}),\n'
    '        "W2": {dW2},\n'
    '        "b2": G2.sum(axis=0),\n'
    "    }}\n"
)


def _two_layer(N: str = "N", k: str = "2", ax: str = "0", dW2: str = "") -> str:
    dW2 = dW2 or f"A1.T @ G2 + {k} * reg * W2"
    return _TWO_LAYER.format(N=N, k=k, ax=ax, dW2=dW2)


SOFTMAX_CROSS_ENTROPY = (
    Exercise(
        id="sce-shape",
        page=_SCE,
        level="shape",
        title="The shape of the gradient at the scores",
        statement=r"$Z_M$ holds the scores of $N$ examples and $C$ classes; $L$ is the mean cross-entropy. "
        r"What is the shape of $\partial L/\partial Z_M$?",
        kind="shape",
        signature="gradient_shape(N, C)",
        returns="a tuple of two sizes",
        hint="A gradient has the shape of its variable.",
        solution="def gradient_shape(N, C):\n    return (N, C)\n",
        value=lambda N, C: numerical_gradient(lambda Z: _mean_ce(Z, np.zeros(N, dtype=np.int64)), np.zeros((N, C))),
        inputs=_sizes("N C"),
        wrong={
            "classes by examples": ("def gradient_shape(N, C):\n    return (C, N)\n", "transposed"),
            "one number per example": ("def gradient_shape(N, C):\n    return (N,)\n", "shape"),
        },
    ),
    Exercise(
        id="sce-grad-scores",
        page=_SCE,
        level="step",
        title="The gradient of the mean cross-entropy",
        statement=r"$L = \frac1N \sum_n \left(\log\sum_c e^{Z_{nc}} - Z_{n y_n}\right)$ for scores $Z$ "
        r"($N \times C$) and integer labels $y$. Write $\partial L/\partial Z$ (with $P = \operatorname{softmax}(Z)$ "
        r"row by row and $Y$ the one-hot targets).",
        kind="gradient",
        signature="grad_scores(Z, y)",
        returns="dL/dZ, shape (N, C)",
        hint=r"One row: $\partial/\partial z$ of $\log\sum_c e^{z_c} - z_{y_n}$ is $p - $ the one-hot row. Then the "
        r"mean.",
        solution=_SCE_DZ.format("(P - Y) / N"),
        value=_mean_ce,
        inputs=_scores,
        outputs=(Output("dZ", "", "0"),),
        wrong={
            "the 1/N forgotten": (_SCE_DZ.format("P - Y"), "factor N"),
            "averaged twice": (_SCE_DZ.format("(P - Y) / N**2"), "factor 1/N"),
            "Y - P": (_SCE_DZ.format("(Y - P) / N"), "sign"),
        },
    ),
    Exercise(
        id="sce-softmax-backward",
        page=_SCE,
        level="step",
        title="Back through the softmax",
        statement=r"$P = \operatorname{softmax}(Z)$ row by row ($N \times C$) and $L = \sum_{nc} (\partial L/\partial "
        r"P)_{nc}"
        r" P_{nc}$ for a fixed upstream $\partial L/\partial P$ (code `dP`). Write $\partial L/\partial Z$.",
        kind="gradient",
        signature="softmax_backward(Z, dP)",
        returns="dL/dZ, shape (N, C)",
        hint=r"One row: the Jacobian is $\operatorname{diag}(p) - p^\top p$; multiply the upstream row by it.",
        solution=(
            "def softmax_backward(Z, dP):\n"
            "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
            "    P /= P.sum(axis=1, keepdims=True)\n"
            "    return P * (dP - (dP * P).sum(axis=1, keepdims=True))\n"
        ),
        value=lambda Z, dP: float(np.sum(dP * _softmax(Z))),
        inputs=_softmax_upstream,
        outputs=(Output("dZ", "", "0"),),
        wrong={
            "the diagonal of the Jacobian only": (
                "def softmax_backward(Z, dP):\n"
                "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
                "    P /= P.sum(axis=1, keepdims=True)\n"
                "    return dP * P * (1 - P)\n",
                None,
            ),
        },
    ),
    Exercise(
        id="sce-two-layer",
        page=_SCE,
        level="full",
        title="The two-layer network",
        statement=r"$Z_1 = XW_1 + \mathbf 1_N b_1^\top$, $A_1 = \operatorname{relu}(Z_1)$, $Z_2 = A_1 W_2 + \mathbf "
        r"1_N "
        r"b_2^\top$, $L$ the mean cross-entropy of $Z_2$ and $y$ plus $\lambda(\lVert W_1\rVert_F^2 + \lVert "
        r"W_2\rVert_F^2)$ "
        r"(code `reg`). Write all four gradients.",
        kind="gradient",
        signature="two_layer_backward(params, X, y, reg)",
        returns="a dict with keys W1, b1, W2, b2, each gradient of its parameter's shape",
        hint=r"$G_2 = (P - Y)/N$; $G_1 = (G_2 W_2^\top) \odot \operatorname{relu}'(Z_1)$; each weight gradient is "
        r"$A_{l-1}^\top G_l + 2\lambda W_l$, each bias gradient the column sums of $G_l$.",
        solution=_two_layer(),
        value=_mlp_loss,
        inputs=_mlp_args(2),
        outputs=_mlp_outputs(2),
        wrong={
            "the 1/N forgotten": (_two_layer(N="1"), "factor N"),
            "lambda W for the penalty": (_two_layer(k="1"), "regulariser"),
            "db1 summed over the wrong axis": (_two_layer(ax="1"), "axis"),
            "dW2 transposed": (_two_layer(dW2="(A1.T @ G2 + 2 * reg * W2).T"), "transposed"),
        },
    ),
)

# ---------------------------------------------------------------------------- logistic-loss

_LL = "logistic-loss"

_NET = (
    "def logistic_net_backward(X, y, Wi, bi, Wo, bo):\n"
    "    Z = X @ Wi + bi\n"
    "    A = np.maximum(Z, 0)\n"
    "    yhat = A @ Wo + bo\n"
    "    dyhat = {s}y / (1 + np.exp(y * yhat)){mean}\n"
    "    dZ = np.outer(dyhat, Wo){mask}\n"
    "    return X.T @ dZ, dZ.sum(axis=0), A.T @ dyhat, dyhat.sum()\n"
)


def _net(s: str = "-", mean: str = "", mask: str = " * (Z > 0)") -> str:
    return _NET.format(s=s, mean=mean, mask=mask)


def _net_args(rng: np.random.Generator, N: int) -> Args:
    D, H = _dims(rng, 2)
    return (
        rng.standard_normal((N, D)),
        _signs(rng, N),
        rng.standard_normal((D, H)),
        rng.standard_normal(H),
        rng.standard_normal(H),
        float(rng.standard_normal()),
    )


def _net_loss(X: Array, y: Array, Wi: Array, bi: Array, Wo: Array, bo: float) -> float:
    return _logistic_sum(_relu(X @ Wi + bi) @ Wo + bo, y)


_LINEAR = (
    "def linear_backward(X, y, w, bo):\n"
    "    yhat = X @ w + bo\n"
    "    dyhat = {s}y / (1 + np.exp(y * yhat)){mean}\n"
    "    return X.T @ dyhat, dyhat.sum()\n"
)

LOGISTIC_LOSS = (
    Exercise(
        id="ll-shape",
        page=_LL,
        level="shape",
        title="The shape of the input-weight gradient",
        statement=r"The logistic net has input weights $W_i$ ($D \times H$). For a batch of $N$ examples, what is "
        r"the shape of $\partial L/\partial W_i$?",
        kind="shape",
        signature="gradient_shape(N, D, H)",
        returns="a tuple of two sizes",
        hint="A gradient has the shape of its variable; N does not appear in it.",
        solution="def gradient_shape(N, D, H):\n    return (D, H)\n",
        value=lambda N, D, H: numerical_gradient(lambda Wi: float(np.sum(np.ones((N, D)) @ Wi)), np.ones((D, H))),
        inputs=_sizes("N D H"),
        wrong={
            "H by D": ("def gradient_shape(N, D, H):\n    return (H, D)\n", "transposed"),
            "one per example": ("def gradient_shape(N, D, H):\n    return (N, D, H)\n", "shape"),
        },
    ),
    Exercise(
        id="ll-dyhat",
        page=_LL,
        level="step",
        title="The derivative of the summed logistic loss",
        statement=r"$L = \sum_n \log(1 + e^{-y_n \hat y_n})$ with labels $y_n = \pm 1$. Write $\partial L/\partial "
        r"\hat y$.",
        kind="gradient",
        signature="grad_outputs(yhat, y)",
        returns="dL/dyhat, shape (N,)",
        hint=r"$\frac{d}{du}\log(1 + e^{-u}) = -\sigma(-u)$, and $u = y_n \hat y_n$.",
        solution="def grad_outputs(yhat, y):\n    return -y / (1 + np.exp(y * yhat))\n",
        value=_logistic_sum,
        inputs=lambda rng, N: (2 * rng.standard_normal(N), _signs(rng, N)),
        outputs=(Output("dyhat", "", "0"),),
        wrong={
            "the minus sign lost": ("def grad_outputs(yhat, y):\n    return y / (1 + np.exp(y * yhat))\n", "sign"),
            "a mean, not the sum": (
                "def grad_outputs(yhat, y):\n    return -y / (1 + np.exp(y * yhat)) / len(y)\n",
                "factor 1/N",
            ),
            "sigma(u) for sigma(-u)": ("def grad_outputs(yhat, y):\n    return -y / (1 + np.exp(-y * yhat))\n", None),
        },
    ),
    Exercise(
        id="ll-linear",
        page=_LL,
        level="step",
        title="The linear logistic model",
        statement=r"$\hat y = Xw + b_o \mathbf 1_N$ with $X$ ($N \times D$), $w$ (length $D$), a scalar $b_o$, and "
        r"the summed logistic loss $L = \sum_n \log(1 + e^{-y_n \hat y_n})$. Write $\partial L/\partial w$ and "
        r"$\partial L/\partial b_o$.",
        kind="gradient",
        signature="linear_backward(X, y, w, bo)",
        returns="(dw (D,), dbo a number)",
        hint=r"With $\partial L/\partial\hat y$ from the previous exercise: $d\hat y = X\,dw + \mathbf 1_N\,db_o$.",
        solution=_LINEAR.format(s="-", mean=""),
        value=lambda X, y, w, bo: _logistic_sum(X @ w + bo, y),
        inputs=lambda rng, N: (
            rng.standard_normal((N, D := _dims(rng, 1)[0])),
            _signs(rng, N),
            rng.standard_normal(D),
            float(rng.standard_normal()),
        ),
        outputs=(Output("dw", "0", "2"), Output("dbo", "1", "3")),
        wrong={
            "a mean, not the sum": (_LINEAR.format(s="-", mean=" / len(y)"), "factor 1/N"),
            "the minus sign lost": (_LINEAR.format(s="", mean=""), "sign"),
        },
    ),
    Exercise(
        id="ll-net",
        page=_LL,
        level="full",
        title="The logistic net on a batch",
        statement=r"$Z = XW_i + \mathbf 1_N b_i^\top$, $A = \operatorname{relu}(Z)$, $\hat y = A w_o + b_o \mathbf "
        r"1_N$ "
        r"(code `Wo`, `bo`), $L = \sum_n \log(1 + e^{-y_n \hat y_n})$. Write the gradients by $W_i$, $b_i$, $w_o$, "
        r"$b_o$.",
        kind="gradient",
        signature="logistic_net_backward(X, y, Wi, bi, Wo, bo)",
        returns="(dWi (D, H), dbi (H,), dWo (H,), dbo a number)",
        hint=r"$\partial L/\partial\hat y = -y \odot \sigma(-y \odot \hat y)$; then $G = (\partial L/\partial\hat y)\,"
        r"w_o^\top \odot \operatorname{relu}'(Z)$.",
        solution=_net(),
        value=_net_loss,
        inputs=_net_args,
        outputs=(
            Output("dWi", "0", "2"),
            Output("dbi", "1", "3", bias=True),
            Output("dWo", "2", "4"),
            Output("dbo", "3", "5"),
        ),
        wrong={
            "a mean, not the sum": (_net(mean=" / len(y)"), "factor 1/N"),
            "the minus sign lost": (_net(s=""), "sign"),
            "the ReLU mask forgotten": (_net(mask=""), None),
        },
    ),
)

# ---------------------------------------------------------------------------- batch-extension

_BE = "batch-extension"

_AFFINE = "def affine_backward(X, W, b, G):\n    return G @ W.T, {dW}, {db}\n"

_MEAN_CE_WB = (
    "def mean_ce_backward(X, W, b, y):\n"
    "    Z = X @ W + b\n"
    "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    G = (P - np.eye(W.shape[1])[y]) / {N}\n"
    "    return X.T @ G, G.sum(axis=0)\n"
)


def _ce_layer_args(rng: np.random.Generator, N: int) -> Args:
    D, C = _dims(rng, 2)
    return rng.standard_normal((N, D)), rng.standard_normal((D, C)), rng.standard_normal(C), _labels(rng, N, C)


BATCH_EXTENSION = (
    Exercise(
        id="be-shape-bias",
        page=_BE,
        level="shape",
        title="The shape of the bias gradient",
        statement=r"$Z = XW + \mathbf 1_N b^\top$ with $b$ of length $H$. What is the shape of $\partial L/\partial b$ "
        r"for a batch of $N$ examples?",
        kind="shape",
        signature="bias_gradient_shape(N, D, H)",
        returns="a tuple of sizes",
        hint="A gradient has the shape of its variable: b is shared by the N rows.",
        solution="def bias_gradient_shape(N, D, H):\n    return (H,)\n",
        value=lambda N, D, H: numerical_gradient(
            lambda b: float(np.sum(np.ones((N, D)) @ np.ones((D, H)) + b)), np.ones(H)
        ),
        inputs=_sizes("N D H"),
        wrong={
            "one per example": ("def bias_gradient_shape(N, D, H):\n    return (N,)\n", "axis"),
            "a row": ("def bias_gradient_shape(N, D, H):\n    return (1, H)\n", "shape"),
        },
    ),
    Exercise(
        id="be-affine",
        page=_BE,
        level="step",
        title="An affine layer on a batch",
        statement=r"$Z = XW + \mathbf 1_N b^\top$ and $L = \sum_{nh} G_{nh} Z_{nh}$ for a fixed upstream $G$ "
        r"($N \times H$, the gradient at $Z$). Write $\partial L/\partial X$, $\partial L/\partial W$, $\partial "
        r"L/\partial b$.",
        kind="gradient",
        signature="affine_backward(X, W, b, G)",
        returns="(dX (N, D), dW (D, H), db (H,))",
        hint=r"$dZ = dX\,W + X\,dW + \mathbf 1_N\,db^\top$; and $\operatorname{tr}(G^\top \mathbf 1_N db^\top) = "
        r"(G^\top \mathbf 1_N)^\top db$.",
        solution=_AFFINE.format(dW="X.T @ G", db="G.sum(axis=0)"),
        value=lambda X, W, b, G: float(np.sum(G * (X @ W + b))),
        inputs=_layer_args,
        outputs=(Output("dX", "0", "0"), Output("dW", "1", "1"), Output("db", "2", "2", bias=True)),
        wrong={
            "db summed over the wrong axis": (_AFFINE.format(dW="X.T @ G", db="G.sum(axis=1)"), "axis"),
            "G^T X": (_AFFINE.format(dW="G.T @ X", db="G.sum(axis=0)"), "transposed"),
            "divided by N (G already holds it)": (
                _AFFINE.format(dW="X.T @ G / len(X)", db="G.sum(axis=0)"),
                "factor 1/N",
            ),
        },
    ),
    Exercise(
        id="be-mean-ce",
        page=_BE,
        level="step",
        title="Sum or mean",
        statement=r"$Z = XW + \mathbf 1_N b^\top$ and $L$ the mean over the $N$ rows of the cross-entropy of $Z$ "
        r"and $y$. Write $\partial L/\partial W$ and $\partial L/\partial b$.",
        kind="gradient",
        signature="mean_ce_backward(X, W, b, y)",
        returns="(dW (D, C), db (C,))",
        hint=r"The mean brings one factor $1/N$ into $G = \partial L/\partial Z$, and only there.",
        solution=_MEAN_CE_WB.format(N="len(X)"),
        value=lambda X, W, b, y: _mean_ce(X @ W + b, y),
        inputs=_ce_layer_args,
        outputs=(Output("dW", "0", "1"), Output("db", "1", "2", bias=True)),
        wrong={
            "the gradient of the sum": (_MEAN_CE_WB.format(N="1"), "factor N"),
            "averaged twice": (_MEAN_CE_WB.format(N="len(X) ** 2"), "factor 1/N"),
        },
    ),
)

BATCH_EXTENSION_FULL = Exercise(
    id="be-logistic-mean",
    page=_BE,
    level="full",
    title="The logistic net on a batch, with the mean",
    statement=r"The logistic net of the logistic-loss page on $N$ rows ($Z = XW_i + \mathbf 1_N b_i^\top$, "
    r"$A = \operatorname{relu}(Z)$, $\hat y = A w_o + b_o \mathbf 1_N$), but with the mean "
    r"$L = \frac1N \sum_n \log(1 + e^{-y_n \hat y_n})$. Write the gradients by $W_i$, $b_i$, $w_o$, $b_o$.",
    kind="gradient",
    signature="logistic_net_backward(X, y, Wi, bi, Wo, bo)",
    returns="(dWi (D, H), dbi (H,), dWo (H,), dbo a number)",
    hint=r"The per-example gradients of the sum, each divided by $N$: the $1/N$ enters once, in "
    r"$\partial L/\partial\hat y$.",
    solution=_net(mean=" / len(y)"),
    value=lambda X, y, Wi, bi, Wo, bo: _net_loss(X, y, Wi, bi, Wo, bo) / len(y),
    inputs=_net_args,
    outputs=(
        Output("dWi", "0", "2"),
        Output("dbi", "1", "3", bias=True),
        Output("dWo", "2", "4"),
        Output("dbo", "3", "5"),
    ),
    wrong={
        "the gradient of the sum": (_net(), "factor N"),
        "averaged twice": (_net(mean=" / len(y) ** 2"), "factor 1/N"),
    },
)

# ---------------------------------------------------------------------------- deep-mlp

_DM = "deep-mlp"

_RELU_STEP = "def relu_backward(Z, dA):\n    return {}\n"

_RECURSION = "def previous_gradient(Z_prev, W, G):\n    return {}\n"


def _deep(k: str = "2", N: str = "N", last: str = "(Z > 0)") -> str:
    return (
        "def mlp_backward(params, X, y, reg):\n"
        "    M = len(params) // 2\n"
        "    N = X.shape[0]\n"
        "    A, Zs, As = X, [], [X]\n"
        "    for l in range(1, M + 1):\n"
        '        Z = A @ params[f"W{l}"] + params[f"b{l}"]\n'
        "        A = np.maximum(Z, 0) if l < M else Z\n"
        "        Zs.append(Z)\n"
        "        As.append(A)\n"
        "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    P /= P.sum(axis=1, keepdims=True)\n"
        f"    G = (P - np.eye(Z.shape[1])[y]) / {N}\n"
        "    grads = {}\n"
        "    for l in range(M, 0, -1):\n"
        f'        grads[f"W{{l}}"] = As[l - 1].T @ G + {k} * reg * params[f"W{{l}}"]\n'
        '        grads[f"b{l}"] = G.sum(axis=0)\n'
        "        if l > 1:\n"
        "            Z = Zs[l - 2]\n"
        f'            G = (G @ params[f"W{{l}}"].T) * {last}\n'
        "    return grads\n"
    )


DEEP_MLP = (
    Exercise(
        id="dm-shape",
        page=_DM,
        level="shape",
        title="The shape of a layer's weight gradient",
        statement=r"Layer $l$ has weights $W_l$ of shape $H_{l-1} \times H_l$ (code `H_prev`, `H_l`). What is the "
        r"shape of $\partial L/\partial W_l$ for a batch of $N$ examples?",
        kind="shape",
        signature="weight_gradient_shape(N, H_prev, H_l)",
        returns="a tuple of two sizes",
        hint=r"$\partial L/\partial W_l = A_{l-1}^\top G_l + 2\lambda W_l$: the shape of $W_l$.",
        solution="def weight_gradient_shape(N, H_prev, H_l):\n    return (H_prev, H_l)\n",
        value=lambda N, Hp, Hl: numerical_gradient(lambda W: float(np.sum(np.ones((N, Hp)) @ W)), np.ones((Hp, Hl))),
        inputs=_sizes("N H_prev H_l"),
        wrong={
            "H_l by H_prev": ("def weight_gradient_shape(N, H_prev, H_l):\n    return (H_l, H_prev)\n", "transposed"),
            "the shape of G_l": ("def weight_gradient_shape(N, H_prev, H_l):\n    return (N, H_l)\n", "shape"),
        },
    ),
    Exercise(
        id="dm-relu",
        page=_DM,
        level="step",
        title="Through the ReLU",
        statement=r"$A = \operatorname{relu}(Z)$ entrywise and $L = \sum_{nh} (\partial L/\partial A)_{nh} A_{nh}$ "
        r"for a "
        r"fixed upstream $\partial L/\partial A$ (code `dA`). Write $G = \partial L/\partial Z$.",
        kind="gradient",
        signature="relu_backward(Z, dA)",
        returns="dL/dZ, shape (N, H)",
        hint=r"Entrywise: $G = \partial L/\partial A \odot \operatorname{relu}'(Z)$.",
        solution=_RELU_STEP.format("dA * (Z > 0)"),
        value=lambda Z, dA: float(np.sum(dA * _relu(Z))),
        inputs=lambda rng, N: (_off_zero(rng, (N, H := _dims(rng, 1)[0])), rng.standard_normal((N, H))),
        outputs=(Output("dZ", "", "0"),),
        wrong={
            "the mask forgotten": (_RELU_STEP.format("dA"), "mask"),
            "relu(Z) for relu'(Z)": (_RELU_STEP.format("dA * np.maximum(Z, 0)"), None),
        },
    ),
    Exercise(
        id="dm-recursion",
        page=_DM,
        level="step",
        title="One step of the recursion",
        statement=r"$Z_l = \operatorname{relu}(Z_{l-1}) W_l + \mathbf 1_N b_l^\top$ and $L = \sum G_l \odot Z_l$ for a "
        r"fixed $G_l$ ($N \times H_l$; code `Z_prev`, `W`, `G`). Write $G_{l-1} = \partial L/\partial Z_{l-1}$.",
        kind="gradient",
        signature="previous_gradient(Z_prev, W, G)",
        returns="G_{l-1}, shape (N, H_{l-1})",
        hint=r"Back through the affine layer ($G_l W_l^\top$), then through the ReLU.",
        solution=_RECURSION.format("(G @ W.T) * (Z_prev > 0)"),
        value=lambda Z_prev, W, G: float(np.sum(G * (_relu(Z_prev) @ W))),
        inputs=lambda rng, N: (
            _off_zero(rng, (N, (d := _dims(rng, 2))[0])),
            rng.standard_normal(d),
            rng.standard_normal((N, d[1])),
        ),
        outputs=(Output("G_prev", "", "0"),),
        wrong={
            "the mask forgotten": (_RECURSION.format("G @ W.T"), "mask"),
            "divided by N again": (_RECURSION.format("(G @ W.T) * (Z_prev > 0) / len(G)"), "factor 1/N"),
        },
    ),
    Exercise(
        id="dm-backward",
        page=_DM,
        level="full",
        title="The whole backward pass",
        statement=r"An $M$-layer ReLU net ($M = 3$ here): $Z_l = A_{l-1} W_l + \mathbf 1_N b_l^\top$, $A_l = "
        r"\operatorname{relu}(Z_l)$ for $l < M$, $A_0 = X$; $L$ the mean cross-entropy of $Z_M$ plus "
        r"$\lambda \sum_l \lVert W_l\rVert_F^2$. Write every gradient (a dict with keys W1, b1, ..., for any $M$).",
        kind="gradient",
        signature="mlp_backward(params, X, y, reg)",
        returns="a dict with keys W1, b1, ..., WM, bM, each gradient of its parameter's shape",
        hint=r"$G_M = (P - Y)/N$; $G_{l-1} = (G_l W_l^\top) \odot \operatorname{relu}'(Z_{l-1})$; "
        r"$\partial L/\partial W_l = A_{l-1}^\top G_l + 2\lambda W_l$.",
        solution=_deep(),
        value=_mlp_loss,
        inputs=_mlp_args(3),
        outputs=_mlp_outputs(3),
        wrong={
            "lambda W for the penalty": (_deep(k="1"), "regulariser"),
            "the 1/N forgotten": (_deep(N="1"), "factor N"),
        },
    ),
)

# ---------------------------------------------------------------------------- conventions

_CV = "conventions"

_SUM_CE = (
    "def grad_sum(Z, y):\n"
    "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    return {}\n"
)

CONVENTIONS = (
    Exercise(
        id="cv-numerator-shape",
        page=_CV,
        level="shape",
        title="Numerator or denominator layout",
        statement=r"For one example, $z = xW$ with $x$ a row ($1 \times D$) and $W$ ($D \times H$). In numerator "
        r"layout, "
        r"what is the shape of the Jacobian of $z$ with respect to $x$?",
        kind="shape",
        signature="jacobian_shape(D, H)",
        returns="a tuple of two sizes",
        hint="Numerator layout: one row per output.",
        solution="def jacobian_shape(D, H):\n    return (H, D)\n",
        value=lambda D, H: numerical_jacobian(lambda x: x @ np.ones((D, H)), np.ones(D)),
        inputs=lambda rng, N: tuple(_dims(rng, 2)),
        wrong={"denominator layout": ("def jacobian_shape(D, H):\n    return (D, H)\n", "transposed")},
    ),
    Exercise(
        id="cv-lambda-prime",
        page=_CV,
        level="step",
        title="Lambda or lambda/2",
        statement=r"Another text writes the penalty $\frac{\lambda'}{2}\lVert W\rVert_F^2$ (code `reg_prime`). Write "
        r"its "
        r"gradient by $W$.",
        kind="gradient",
        signature="penalty_gradient(W, reg_prime)",
        returns="the gradient, shape of W",
        hint=r"$d\,\lVert W\rVert_F^2 = 2\operatorname{tr}(W^\top dW)$.",
        solution="def penalty_gradient(W, reg_prime):\n    return reg_prime * W\n",
        value=lambda W, reg_prime: reg_prime / 2 * float(np.sum(W * W)),
        inputs=lambda rng, N: (rng.standard_normal(tuple(_dims(rng, 2))), 0.3),
        outputs=(Output("dW", "", "0"),),
        wrong={
            "2 lambda' W": ("def penalty_gradient(W, reg_prime):\n    return 2 * reg_prime * W\n", "scaled"),
            "lambda' W / 2": ("def penalty_gradient(W, reg_prime):\n    return reg_prime * W / 2\n", "scaled"),
        },
    ),
    Exercise(
        id="cv-columns",
        page=_CV,
        level="step",
        title="Rows or columns",
        statement=r"A text with examples as columns writes $Z^\top = W^\top X^\top + b\,\mathbf 1_N^\top$ and works "
        r"with $X^\top$ ($D \times N$, code `Xt`), $W^\top$ ($H \times D$, code `Wt`) and an upstream $G^\top$ "
        r"($H \times N$, code `Gt`), $L = \sum G \odot Z$. Write the gradient by $W^\top$.",
        kind="gradient",
        signature="grad_wt(Xt, Wt, Gt)",
        returns="dL/dW^T, shape (H, D)",
        hint=r"The gradient by $W^\top$ is the transpose of the gradient by $W$, $X^\top G$.",
        solution="def grad_wt(Xt, Wt, Gt):\n    return Gt @ Xt.T\n",
        value=lambda Xt, Wt, Gt: float(np.sum(Gt * (Wt @ Xt))),
        inputs=lambda rng, N: (
            rng.standard_normal(((d := _dims(rng, 2))[0], N)),
            rng.standard_normal((d[1], d[0])),
            rng.standard_normal((d[1], N)),
        ),
        outputs=(Output("dWt", "", "1"),),
        wrong={"the row form's X^T G": ("def grad_wt(Xt, Wt, Gt):\n    return Xt @ Gt.T\n", "transposed")},
    ),
    Exercise(
        id="cv-sum",
        page=_CV,
        level="step",
        title="The summed cross-entropy",
        statement=r"Another text sums the cross-entropy over the $N$ rows instead of averaging: "
        r"$L = \sum_n (\log\sum_c e^{Z_{nc}} - Z_{n y_n})$. Write $\partial L/\partial Z$.",
        kind="gradient",
        signature="grad_sum(Z, y)",
        returns="dL/dZ, shape (N, C)",
        hint="The mean's gradient times N.",
        solution=_SUM_CE.format("P - np.eye(Z.shape[1])[y]"),
        value=lambda Z, y: len(y) * _mean_ce(Z, y),
        inputs=_scores,
        outputs=(Output("dZ", "", "0"),),
        wrong={"the mean's gradient": (_SUM_CE.format("(P - np.eye(Z.shape[1])[y]) / len(y)"), "factor 1/N")},
    ),
)

_COLUMN_LAYER = "def column_layer_backward(Xt, Wt, b, Gt):\n    return {dXt}, Gt @ Xt.T, Gt.sum(axis={ax})\n"

CONVENTIONS_FULL = Exercise(
    id="cv-column-layer",
    page=_CV,
    level="full",
    title="A layer in the column convention",
    statement=r"In the column convention a layer is $Z^\top = W^\top X^\top + b\,\mathbf 1_N^\top$ (code `Xt` "
    r"$D \times N$, `Wt` $H \times D$, `b` of length $H$), with $L = \sum G \odot Z$ for a fixed upstream "
    r"$G^\top$ (code `Gt`, $H \times N$). Write the gradients by $X^\top$, $W^\top$ and $b$.",
    kind="gradient",
    signature="column_layer_backward(Xt, Wt, b, Gt)",
    returns="(dXt (D, N), dWt (H, D), db (H,))",
    hint=r"Transpose the row convention's $\partial L/\partial X = G W^\top$ and $\partial L/\partial W = X^\top G$; "
    r"the bias sums over the examples, which are now the columns.",
    solution=_COLUMN_LAYER.format(dXt="Wt.T @ Gt", ax="1"),
    value=lambda Xt, Wt, b, Gt: float(np.sum(Gt * (Wt @ Xt + b[:, None]))),
    inputs=lambda rng, N: (
        rng.standard_normal(((d := _dims(rng, 2))[0], N)),
        rng.standard_normal((d[1], d[0])),
        rng.standard_normal(d[1]),
        rng.standard_normal((d[1], N)),
    ),
    outputs=(Output("dXt", "0", "0"), Output("dWt", "1", "1"), Output("db", "2", "2", bias=True)),
    wrong={
        "db summed over the rows, as in the row convention": (_COLUMN_LAYER.format(dXt="Wt.T @ Gt", ax="0"), "axis"),
        "the row form's G W^T": (_COLUMN_LAYER.format(dXt="(Gt.T @ Wt)", ax="1"), "transposed"),
    },
)

# ---------------------------------------------------------------------------- layers of issue 10: shared pieces


def _normalise(X: Array, eps: float, axis: int) -> Array:
    """X minus its mean, over the standard deviation (biased variance plus eps), along ``axis``."""
    C = X - X.mean(axis=axis, keepdims=True)
    Xhat: Array = C / np.sqrt((C * C).mean(axis=axis, keepdims=True) + eps)
    return Xhat


def _norm_args(rng: np.random.Generator, N: int) -> Args:
    """X (N, D), gamma, beta (D,), eps, an upstream gradient dL/dXtilde (N, D).

    D is 3 to 5 and eps 0.1: with two entries and a tiny floor, X-hat is +-1 whatever X is, and the
    gradient by X is too small for finite differences to judge (batch norm at N = 2 likewise).
    """
    D = int(rng.integers(3, 6))
    X = 0.7 * rng.standard_normal((N, D)) + 0.5
    return X, rng.standard_normal(D), rng.standard_normal(D), 0.1, rng.standard_normal((N, D))


def _dropout_mask(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> Array:
    """A dropout mask (entries 0 or 1, kept with probability 1 - rho), with a kept and a dropped entry."""
    mask = (rng.random(shape) >= rho).astype(np.float64)
    mask.flat[0], mask.flat[-1] = 1.0, 0.0
    return mask


_RHO = 0.2  # the drop probability of the dropout exercises


def _attention(Q: Array, K: Array, V: Array) -> Array:
    return _softmax(Q @ K.T / np.sqrt(Q.shape[1])) @ V


def _causal_softmax(Sigma: Array) -> Array:
    """Row softmax of Sigma with the entries above the diagonal left out (exactly 0, no effect)."""
    keep = np.tril(np.ones(Sigma.shape, dtype=bool))
    m = np.where(keep, Sigma, -np.inf).max(axis=1, keepdims=True)
    E = np.exp(np.where(keep, Sigma - m, -np.inf))
    Pi: Array = E / E.sum(axis=1, keepdims=True)
    return Pi


def _attention_args(rng: np.random.Generator, N: int) -> Args:
    """Q (N, H), K (S, H), V (S, H_v), dL/dO (N, H_v), with H = 3 and S, H_v distinct, 4 to 6.

    At least 3 keys and 3 value columns: with one query and two keys, the gradients by Q and K can be
    small enough by chance for finite differences to lose digits. H is the same in every trial, so
    that a forgotten 1/sqrt(H) is a constant factor (sqrt 3) the check can name.
    """
    H = 3
    S, H_v = (int(d) for d in rng.choice(np.arange(4, 7), size=2, replace=False))
    Q, K = 0.7 * rng.standard_normal((N, H)), 0.7 * rng.standard_normal((S, H))  # scores of order one
    return Q, K, rng.standard_normal((S, H_v)), rng.standard_normal((N, H_v))


# ---------------------------------------------------------------------------- regression

_RG = "regression"

_HALF = "def half_mse_backward(X, W, b, Y):\n    R = {R}\n    return {dW}, R.sum(axis={ax})\n"

_REG_NET = (
    "def regression_backward(params, X, Y, reg):\n"
    '    Z1 = X @ params["W1"] + params["b1"]\n'
    "    A1 = np.maximum(Z1, 0.0)\n"
    '    Yhat = A1 @ params["W2"] + params["b2"]\n'
    "    G2 = {G2}\n"
    '    G1 = (G2 @ params["W2"].T) * (Z1 > 0)\n'
    "    return {{\n"
    '        "W1": X.T @ G1 + {pen} * params["W1"],\n'
    '        "b1": G1.sum(axis=0),\n'
    '        "W2": A1.T @ G2 + {pen} * params["W2"],\n'
    '        "b2": G2.sum(axis=0),\n'
    "    }}\n"
)


def _regression_loss(params: dict[str, Array], X: Array, Y: Array, reg: float) -> float:
    Yhat = _relu(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    penalty = reg * (float(np.sum(params["W1"] ** 2)) + float(np.sum(params["W2"] ** 2)))
    return float(np.sum((Yhat - Y) ** 2)) / len(X) + penalty


def _regression_args(rng: np.random.Generator, N: int) -> Args:
    D, H, C = _dims(rng, 3)
    params = {
        "W1": rng.standard_normal((D, H)) / np.sqrt(D),
        "b1": 0.1 * rng.standard_normal(H),
        "W2": rng.standard_normal((H, C)) / np.sqrt(H),
        "b2": 0.1 * rng.standard_normal(C),
    }
    return params, rng.standard_normal((N, D)), rng.standard_normal((N, C)), 0.1


def _linear_args(rng: np.random.Generator, N: int) -> Args:
    """X (N, D), W (D, C), b (C,), real targets Y (N, C)."""
    D, C = _dims(rng, 2)
    X = rng.standard_normal((N, D))
    return X, rng.standard_normal((D, C)), rng.standard_normal(C), rng.standard_normal((N, C))


REGRESSION = (
    Exercise(
        id="rg-shape-db",
        page=_RG,
        level="shape",
        title="The shape of the bias gradient",
        statement=r"The last layer predicts $\hat Y = XW + \mathbf 1_N b^\top$ ($X$ is $N \times D$, $W$ is "
        r"$D \times C$). What is the shape of $\partial L/\partial b$ for the mean squared error?",
        kind="shape",
        signature="bias_gradient_shape(N, D, C)",
        returns="a tuple of one size",
        hint="A gradient has the shape of its variable, whatever the batch size.",
        solution="def bias_gradient_shape(N, D, C):\n    return (C,)\n",
        value=lambda N, D, C: numerical_gradient(
            lambda b: float(np.sum((np.ones((N, D)) @ np.ones((D, C)) + b) ** 2)) / N, np.zeros(C)
        ),
        inputs=_sizes("N D C"),
        wrong={
            "one entry per example": ("def bias_gradient_shape(N, D, C):\n    return (N,)\n", "axis"),
            "the shape of the predictions": ("def bias_gradient_shape(N, D, C):\n    return (N, C)\n", "shape"),
        },
    ),
    Exercise(
        id="rg-mse",
        page=_RG,
        level="step",
        title="The gradient of the mean squared error",
        statement=r"$L = \frac1N\lVert\hat Y - Y\rVert_F^2$, the mean over the $N$ examples of the squared "
        r"distance between a row of predictions $\hat Y$ and its row of targets $Y$ (both $N \times C$). "
        r"Write $\partial L/\partial \hat Y$.",
        kind="gradient",
        signature="mse_gradient(Yhat, Y)",
        returns=r"dL/dYhat, shape (N, C)",
        hint=r"$dL = \frac2N\operatorname{tr}\big((\hat Y - Y)^\top d\hat Y\big)$.",
        solution="def mse_gradient(Yhat, Y):\n    return 2 * (Yhat - Y) / len(Y)\n",
        value=lambda Yhat, Y: float(np.sum((Yhat - Y) ** 2)) / len(Y),
        inputs=lambda rng, N: (rng.standard_normal((N, c := _dims(rng, 1)[0])), rng.standard_normal((N, c))),
        outputs=(Output("dYhat", "", "0"),),
        wrong={
            "the 2 forgotten (the gradient of the 1/2 convention)": (
                "def mse_gradient(Yhat, Y):\n    return (Yhat - Y) / len(Y)\n",
                "scaled",
            ),
            "summed over the examples": ("def mse_gradient(Yhat, Y):\n    return 2 * (Yhat - Y)\n", "factor N"),
            "Y - Yhat": ("def mse_gradient(Yhat, Y):\n    return 2 * (Y - Yhat) / len(Y)\n", "sign"),
            "divided by N twice": (
                "def mse_gradient(Yhat, Y):\n    return 2 * (Yhat - Y) / len(Y) ** 2\n",
                "factor 1/N",
            ),
        },
    ),
    Exercise(
        id="rg-normal",
        page=_RG,
        level="step",
        title="The gradient behind the normal equations",
        statement=r"Least squares without a bias: $L = \lVert XW - Y\rVert_F^2$ (a sum, no $\frac1N$), "
        r"$X$ is $N \times D$, $W$ is $D \times C$, targets $Y$ are $N \times C$. Write $\partial L/\partial W$ "
        r"(setting it to zero gives the normal equations $X^\top X W = X^\top Y$).",
        kind="gradient",
        signature="least_squares_gradient(X, W, Y)",
        returns="dL/dW, shape (D, C)",
        hint=r"$dL = 2\operatorname{tr}\big((XW - Y)^\top X\,dW\big)$: move $X$ to the other factor.",
        solution="def least_squares_gradient(X, W, Y):\n    return 2 * X.T @ (X @ W - Y)\n",
        value=lambda X, W, Y: float(np.sum((X @ W - Y) ** 2)),
        inputs=lambda rng, N: tuple(a for i, a in enumerate(_linear_args(rng, N)) if i != 2),
        outputs=(Output("dW", "", "1"),),
        wrong={
            "the normal equations' sides without the 2": (
                "def least_squares_gradient(X, W, Y):\n    return X.T @ X @ W - X.T @ Y\n",
                "scaled",
            ),
            "the residual times X, in the wrong order": (
                "def least_squares_gradient(X, W, Y):\n    return 2 * (X @ W - Y).T @ X\n",
                "transposed",
            ),
            "Y - XW": ("def least_squares_gradient(X, W, Y):\n    return 2 * X.T @ (Y - X @ W)\n", "sign"),
        },
    ),
    Exercise(
        id="rg-half",
        page=_RG,
        level="step",
        title="The 1/2 convention, with a bias",
        statement=r"With the $\frac12$ convention, $L = \frac1{2N}\lVert XW + \mathbf 1_N b^\top - Y\rVert_F^2$ "
        r"($X$: $N \times D$, $W$: $D \times C$, $b$: $C$ entries, targets $Y$: $N \times C$). "
        r"Write $\partial L/\partial W$ and $\partial L/\partial b$.",
        kind="gradient",
        signature="half_mse_backward(X, W, b, Y)",
        returns="(dW (D, C), db (C,))",
        hint=r"The $\frac12$ cancels the 2 of the square: $\partial L/\partial\hat Y = \frac1N(\hat Y - Y)$. The bias "
        r"is added to every row, so its gradient sums the rows.",
        solution=_HALF.format(R="(X @ W + b - Y) / len(X)", dW="X.T @ R", ax="0"),
        value=lambda X, W, b, Y: float(np.sum((X @ W + b - Y) ** 2)) / (2 * len(X)),
        inputs=_linear_args,
        outputs=(Output("dW", "0", "1"), Output("db", "1", "2", bias=True)),
        wrong={
            "the plain mean's 2 kept": (_HALF.format(R="2 * (X @ W + b - Y) / len(X)", dW="X.T @ R", ax="0"), "scaled"),
            "db summed over the outputs": (_HALF.format(R="(X @ W + b - Y) / len(X)", dW="X.T @ R", ax="1"), "axis"),
            "the 1/N forgotten": (_HALF.format(R="X @ W + b - Y", dW="X.T @ R", ax="0"), "factor N"),
        },
    ),
)

REGRESSION_FULL = Exercise(
    id="rg-net",
    page=_RG,
    level="full",
    title="The backward pass of a regression network",
    statement=r"A two-layer network predicts $\hat Y = \operatorname{relu}(X W_1 + \mathbf 1_N b_1^\top)\, W_2 + "
    r"\mathbf 1_N b_2^\top$ ($N \times C$) and is trained on $L = \frac1N\lVert\hat Y - Y\rVert_F^2 + "
    r"\lambda(\lVert W_1\rVert_F^2 + \lVert W_2\rVert_F^2)$ (code `reg`), targets $Y$ real. Write every "
    r"gradient.",
    kind="gradient",
    signature="regression_backward(params, X, Y, reg)",
    returns='a dict with keys "W1", "b1", "W2", "b2", each the shape of its parameter',
    hint=r"Start from $G_2 = \frac2N(\hat Y - Y)$, then the site's recursion: $G_1 = G_2 W_2^\top \odot "
    r"\operatorname{relu}'(Z_1)$; each weight gradient gets $2\lambda W_l$.",
    solution=_REG_NET.format(G2="2 * (Yhat - Y) / len(X)", pen="2 * reg"),
    value=_regression_loss,
    inputs=_regression_args,
    outputs=_mlp_outputs(2),
    wrong={
        "the 1/2 convention's gradient for the plain mean": (
            _REG_NET.format(G2="(Yhat - Y) / len(X)", pen="2 * reg"),
            "scaled",
        ),
        "summed over the examples": (_REG_NET.format(G2="2 * (Yhat - Y)", pen="2 * reg"), "factor N"),
        "the penalty's gradient lambda W": (_REG_NET.format(G2="2 * (Yhat - Y) / len(X)", pen="reg"), "regulariser"),
    },
)


# ---------------------------------------------------------------------------- activations-dropout

_AD = "activations-dropout"

_GELU = (
    "def gelu_backward(Z, dA):\n"
    "    T = np.tanh(np.sqrt(2 / np.pi) * (Z + 0.044715 * Z**3))\n"
    "    dkappa = np.sqrt(2 / np.pi) * (1 + {three} * 0.044715 * Z**2)\n"
    "    return dA * ({half} * (1 + T){second})\n"
)
_GELU_SECOND = " + {half} * Z * (1 - T**2) * dkappa"

_SCALED = "1 / (1 - rho) * "
_TANH_DROPOUT = (
    "def tanh_dropout_backward(X, W, b, mask, rho, dA_drop):\n"
    "    A = np.tanh(X @ W + b)\n"
    "    G = {scale}mask * dA_drop * (1 - A**2)\n"
    "    return G @ W.T, {dW}, G.sum(axis={ax})\n"
)


def _gelu(Z: Array) -> Array:
    out: Array = 0.5 * Z * (1 + np.tanh(np.sqrt(2 / np.pi) * (Z + 0.044715 * Z**3)))
    return out


def _entrywise_args(rng: np.random.Generator, N: int) -> Args:
    """Pre-activations Z (N, H), normals times 1.5, and a random upstream gradient dL/dA of their shape."""
    H = _dims(rng, 1)[0]
    return 1.5 * rng.standard_normal((N, H)), rng.standard_normal((N, H))


def _dropout_args(rng: np.random.Generator, N: int) -> Args:
    H = _dims(rng, 1)[0]
    return rng.standard_normal((N, H)), _dropout_mask(rng, (N, H), _RHO), _RHO, rng.standard_normal((N, H))


def _tanh_dropout_args(rng: np.random.Generator, N: int) -> Args:
    D, H = _dims(rng, 2)
    return (
        rng.standard_normal((N, D)),
        rng.standard_normal((D, H)) / np.sqrt(D),
        0.1 * rng.standard_normal(H),
        _dropout_mask(rng, (N, H), _RHO),
        _RHO,
        rng.standard_normal((N, H)),
    )


ACTIVATIONS_DROPOUT = (
    Exercise(
        id="ad-shape",
        page=_AD,
        level="shape",
        title="The shape of a gradient through dropout",
        statement=r"Dropout maps activations $A$ ($N \times H$) to $A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M "
        r"\odot A$. What is the shape of $\partial L/\partial A$?",
        kind="shape",
        signature="dropout_gradient_shape(N, H)",
        returns="a tuple of two sizes",
        hint="The gradient has the shape of its variable; dropout acts entry by entry.",
        solution="def dropout_gradient_shape(N, H):\n    return (N, H)\n",
        value=lambda N, H: numerical_gradient(lambda A: float(np.sum(A)) / (1 - _RHO), np.ones((N, H))),
        inputs=_sizes("N H"),
        wrong={
            "one row per hidden unit": ("def dropout_gradient_shape(N, H):\n    return (H, N)\n", "transposed"),
            "the shape of the Jacobian": ("def dropout_gradient_shape(N, H):\n    return (N * H, N * H)\n", "shape"),
        },
    ),
    Exercise(
        id="ad-tanh",
        page=_AD,
        level="step",
        title="Through tanh",
        statement=r"$A = \tanh(Z)$ entrywise ($N \times H$), with a fixed upstream $\partial L/\partial A$ "
        r"(code `dA`). Write $G = \partial L/\partial Z$.",
        kind="gradient",
        signature="tanh_backward(Z, dA)",
        returns="dL/dZ, shape (N, H)",
        hint=r"$\tanh' = 1 - \tanh^2$, evaluated at $Z$; the Jacobian is diagonal, so the backward step is "
        r"entrywise.",
        solution="def tanh_backward(Z, dA):\n    return dA * (1 - np.tanh(Z) ** 2)\n",
        value=lambda Z, dA: float(np.sum(dA * np.tanh(Z))),
        inputs=_entrywise_args,
        outputs=(Output("G", "", "0"),),
        wrong={
            "1 - Z^2: the derivative written with Z in place of tanh(Z)": (
                "def tanh_backward(Z, dA):\n    return dA * (1 - Z**2)\n",
                None,
            ),
            "the upstream gradient not multiplied in": (
                "def tanh_backward(Z, dA):\n    return 1 - np.tanh(Z) ** 2\n",
                None,
            ),
        },
    ),
    Exercise(
        id="ad-gelu",
        page=_AD,
        level="step",
        title="Through the GELU",
        statement=r"$A = \operatorname{GELU}(Z) = Z \odot \Phi(Z)$ entrywise, with $\Phi(t) = \frac12(1 + "
        r"\tanh\kappa(t))$ and $\kappa(t) = \sqrt{2/\pi}\,(t + 0.044715\,t^3)$. Write $G = \partial L/\partial Z$ "
        r"for a fixed upstream $\partial L/\partial A$ (code `dA`).",
        kind="gradient",
        signature="gelu_backward(Z, dA)",
        returns="dL/dZ, shape (N, H)",
        hint=r"The product rule: $\operatorname{GELU}'(t) = \Phi(t) + t\,\Phi'(t)$ with "
        r"$\Phi'(t) = \frac12(1 - \tanh^2\kappa(t))\,\kappa'(t)$.",
        solution=_GELU.format(three="3", half="0.5", second=_GELU_SECOND.format(half="0.5")),
        value=lambda Z, dA: float(np.sum(dA * _gelu(Z))),
        inputs=_entrywise_args,
        outputs=(Output("G", "", "0"),),
        wrong={
            "the product rule's second term forgotten": (_GELU.format(three="3", half="0.5", second=""), None),
            "the 1/2 of Phi forgotten": (
                _GELU.format(three="3", half="1", second=_GELU_SECOND.format(half="1")),
                "scaled",
            ),
            "the 3 of kappa' forgotten": (
                _GELU.format(three="1", half="0.5", second=_GELU_SECOND.format(half="0.5")),
                None,
            ),
        },
    ),
    Exercise(
        id="ad-dropout",
        page=_AD,
        level="step",
        title="Through dropout, with its mask",
        statement=r"Inverted dropout with drop probability $\rho$ and a fixed mask $\mathcal M$ (entries 0 or 1): "
        r"$A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M \odot A$. Write $\partial L/\partial A$ for a fixed "
        r"upstream $\partial L/\partial A_{\mathrm{drop}}$ (code `dA_drop`).",
        kind="gradient",
        signature="dropout_backward(A, mask, rho, dA_drop)",
        returns="dL/dA, shape (N, H)",
        hint="The backward pass reuses the forward pass's mask and its scale; an entry dropped forward gets no "
        "gradient.",
        solution="def dropout_backward(A, mask, rho, dA_drop):\n    return mask * dA_drop / (1 - rho)\n",
        value=lambda A, mask, rho, dA_drop: float(np.sum(dA_drop * mask * A)) / (1 - rho),
        inputs=_dropout_args,
        outputs=(Output("dA", "", "0"),),
        wrong={
            "the mask forgotten": (
                "def dropout_backward(A, mask, rho, dA_drop):\n    return dA_drop / (1 - rho)\n",
                "mask",
            ),
            "the scale 1/(1 - rho) forgotten": (
                "def dropout_backward(A, mask, rho, dA_drop):\n    return mask * dA_drop\n",
                "scaled",
            ),
            "the kept entries zeroed instead of the dropped ones": (
                "def dropout_backward(A, mask, rho, dA_drop):\n    return (1 - mask) * dA_drop / (1 - rho)\n",
                None,
            ),
        },
    ),
)

ACTIVATIONS_DROPOUT_FULL = Exercise(
    id="ad-layer",
    page=_AD,
    level="full",
    title="A tanh layer with dropout",
    statement=r"$Z = XW + \mathbf 1_N b^\top$, $A = \tanh(Z)$, "
    r"$A_{\mathrm{drop}} = \frac1{1-\rho}\,\mathcal M \odot A$ ($X$: $N \times D$, $W$: $D \times H$), "
    r"with a fixed upstream $\partial L/\partial A_{\mathrm{drop}}$ "
    r"(code `dA_drop`). Write $\partial L/\partial X$, $\partial L/\partial W$ and $\partial L/\partial b$.",
    kind="gradient",
    signature="tanh_dropout_backward(X, W, b, mask, rho, dA_drop)",
    returns="(dX (N, D), dW (D, H), db (H,))",
    hint=r"Backward through dropout, then tanh, gives $G = \partial L/\partial Z$; then the affine layer: "
    r"$G W^\top$, $X^\top G$, $G^\top \mathbf 1_N$.",
    solution=_TANH_DROPOUT.format(scale=_SCALED, dW="X.T @ G", ax="0"),
    value=lambda X, W, b, mask, rho, dA_drop: float(np.sum(dA_drop * mask * np.tanh(X @ W + b))) / (1 - rho),
    inputs=_tanh_dropout_args,
    outputs=(Output("dX", "0", "0"), Output("dW", "1", "1"), Output("db", "2", "2", bias=True)),
    wrong={
        "the scale 1/(1 - rho) forgotten": (_TANH_DROPOUT.format(scale="", dW="X.T @ G", ax="0"), "scaled"),
        "db summed over the hidden units": (_TANH_DROPOUT.format(scale=_SCALED, dW="X.T @ G", ax="1"), "axis"),
        "dW as G^T X": (_TANH_DROPOUT.format(scale=_SCALED, dW="G.T @ X", ax="0"), "transposed"),
        "the mask forgotten": (
            _TANH_DROPOUT.format(scale=_SCALED, dW="X.T @ G", ax="0").replace("mask * ", ""),
            None,
        ),
    },
)


# ---------------------------------------------------------------------------- normalisation

_NM = "normalisation"

_SCALE_SHIFT = "def scale_shift_backward(Xhat, gamma, beta, dXtilde):\n    return {dgamma}, {dbeta}\n"

_NORM_BACKWARD = (
    "def {name}(X, gamma, beta, eps, dXtilde):\n"
    "    C = X - X.mean(axis={stat}, keepdims=True)\n"
    "    s = np.sqrt((C * C).mean(axis={stat}, keepdims=True) + eps)\n"
    "    Xhat = C / s\n"
    "    dXhat = dXtilde * gamma\n"
    "    dX = ({dX}) / s\n"
    "    return dX, (dXtilde * Xhat).sum(axis={ax}), dXtilde.{dbeta}(axis={ax})\n"
)
_DX = "dXhat - dXhat.mean(axis={stat}, keepdims=True) - Xhat * (dXhat * Xhat).mean(axis={stat}, keepdims=True)"


def _norm_solution(name: str, stat: int, ax: int = 0, dbeta: str = "sum", dX: str = _DX) -> str:
    return _NORM_BACKWARD.format(name=name, stat=stat, ax=ax, dbeta=dbeta, dX=dX.format(stat=stat))


def _norm_loss(axis: int) -> Any:
    def value(X: Array, gamma: Array, beta: Array, eps: float, dXtilde: Array) -> float:
        return float(np.sum(dXtilde * (_normalise(X, eps, axis) * gamma + beta)))

    return value


def _scale_shift_args(rng: np.random.Generator, N: int) -> Args:
    """X-hat (N, D), gamma, beta (D,), dL/dXtilde (N, D)."""
    X, gamma, beta, eps, dXtilde = _norm_args(rng, N)
    return _normalise(X, eps, 0), gamma, beta, dXtilde


_NORM_OUTPUTS = (Output("dX", "0", "0"), Output("dgamma", "1", "1", bias=True), Output("dbeta", "2", "2", bias=True))

NORMALISATION = (
    Exercise(
        id="nm-shape",
        page=_NM,
        level="shape",
        title="The shape of the scale's gradient",
        statement=r"Batch norm of $X$ ($N \times D$) ends with $\tilde X = \hat X \operatorname{diag}(\gamma) + "
        r"\mathbf 1_N \beta^\top$. What is the shape of $\partial L/\partial \gamma$?",
        kind="shape",
        signature="scale_gradient_shape(N, D)",
        returns="a tuple of one size",
        hint=r"$\gamma \in \mathbb R^{D}$ scales each column, for every example.",
        solution="def scale_gradient_shape(N, D):\n    return (D,)\n",
        value=lambda N, D: numerical_gradient(
            lambda gamma: float(np.sum(np.arange(N * D).reshape(N, D) * gamma)), np.ones(D)
        ),
        inputs=_sizes("N D"),
        wrong={
            "one entry per example": ("def scale_gradient_shape(N, D):\n    return (N,)\n", "axis"),
            "the shape of X": ("def scale_gradient_shape(N, D):\n    return (N, D)\n", "shape"),
        },
    ),
    Exercise(
        id="nm-scale-shift",
        page=_NM,
        level="step",
        title="The gradients of the scale and the shift",
        statement=r"$\tilde X = \hat X \operatorname{diag}(\gamma) + \mathbf 1_N \beta^\top$ ($N \times D$), with a "
        r"fixed upstream $\partial L/\partial\tilde X$ (code `dXtilde`). Write $\partial L/\partial\gamma$ and "
        r"$\partial L/\partial\beta$.",
        kind="gradient",
        signature="scale_shift_backward(Xhat, gamma, beta, dXtilde)",
        returns="(dgamma (D,), dbeta (D,))",
        hint=r"Column $j$ of $\tilde X$ is $\gamma_j \hat X_{:,j} + \beta_j$: sum over the examples.",
        solution=_SCALE_SHIFT.format(dgamma="(dXtilde * Xhat).sum(axis=0)", dbeta="dXtilde.sum(axis=0)"),
        value=lambda Xhat, gamma, beta, dXtilde: float(np.sum(dXtilde * (Xhat * gamma + beta))),
        inputs=_scale_shift_args,
        outputs=(Output("dgamma", "0", "1", bias=True), Output("dbeta", "1", "2", bias=True)),
        wrong={
            "summed over the features": (
                _SCALE_SHIFT.format(dgamma="(dXtilde * Xhat).sum(axis=1)", dbeta="dXtilde.sum(axis=1)"),
                "axis",
            ),
            "averaged over the batch": (
                _SCALE_SHIFT.format(dgamma="(dXtilde * Xhat).mean(axis=0)", dbeta="dXtilde.mean(axis=0)"),
                "factor 1/N",
            ),
            "Xhat forgotten in dgamma": (
                _SCALE_SHIFT.format(dgamma="dXtilde.sum(axis=0)", dbeta="dXtilde.sum(axis=0)"),
                None,
            ),
        },
    ),
)

NORMALISATION_FULL = (
    Exercise(
        id="nm-batchnorm",
        page=_NM,
        level="full",
        title="The backward pass of batch norm",
        statement=r"Batch norm in training mode: column means $\mu$, standard deviations $s$ with $s_j^2 = \frac1N "
        r"\sum_n (X_{nj} - \mu_j)^2 + \epsilon_0$ (code `eps`), $\hat X = (X - \mathbf 1_N\mu^\top)"
        r"\operatorname{diag}(s)^{-1}$, $\tilde X = \hat X\operatorname{diag}(\gamma) + \mathbf 1_N\beta^\top$. "
        r"For a fixed upstream $\partial L/\partial\tilde X$ (code `dXtilde`), write $\partial L/\partial X$, "
        r"$\partial L/\partial\gamma$ and $\partial L/\partial\beta$.",
        kind="gradient",
        signature="batchnorm_backward(X, gamma, beta, eps, dXtilde)",
        returns="(dX (N, D), dgamma (D,), dbeta (D,))",
        hint=r"$\mu$ and $s$ depend on $X$ too. With $\partial L/\partial\hat X = \partial L/\partial\tilde X\,"
        r"\operatorname{diag}(\gamma)$, each column of $\partial L/\partial X$ is $\frac1{s_j}$ times "
        r"$\partial L/\partial\hat X$ minus its column mean minus $\hat X$ times the column mean of "
        r"$\partial L/\partial\hat X \odot \hat X$.",
        solution=_norm_solution("batchnorm_backward", 0),
        value=_norm_loss(0),
        inputs=_norm_args,
        outputs=_NORM_OUTPUTS,
        wrong={
            "the path through s forgotten": (
                _norm_solution("batchnorm_backward", 0, dX="dXhat - dXhat.mean(axis={stat}, keepdims=True)"),
                None,
            ),
            "mu and s taken as constants": (_norm_solution("batchnorm_backward", 0, dX="dXhat"), None),
            "dbeta averaged over the batch": (_norm_solution("batchnorm_backward", 0, dbeta="mean"), "factor 1/N"),
            "dgamma and dbeta summed over the features": (_norm_solution("batchnorm_backward", 0, ax=1), "axis"),
        },
    ),
    Exercise(
        id="nm-layernorm",
        page=_NM,
        level="full",
        title="The backward pass of layer norm",
        statement=r"Layer norm takes the statistics of each row: $\mu_{\mathrm{row}}, s_{\mathrm{row}} \in \mathbb "
        r"R^{N}$, $\hat X = \operatorname{diag}(s_{\mathrm{row}})^{-1}(X - \mu_{\mathrm{row}}\mathbf 1_D^\top)$, "
        r"and keeps the scale and shift per column, $\tilde X = \hat X\operatorname{diag}(\gamma) + "
        r"\mathbf 1_N\beta^\top$. Write $\partial L/\partial X$, $\partial L/\partial\gamma$ and "
        r"$\partial L/\partial\beta$ for a fixed upstream $\partial L/\partial\tilde X$ (code `dXtilde`).",
        kind="gradient",
        signature="layernorm_backward(X, gamma, beta, eps, dXtilde)",
        returns="(dX (N, D), dgamma (D,), dbeta (D,))",
        hint="Batch norm's formula for dX with the means taken along the rows (axis 1); the scale and shift "
        "still act on columns, so their gradients still sum over the examples.",
        solution=_norm_solution("layernorm_backward", 1),
        value=_norm_loss(1),
        inputs=_norm_args,
        outputs=_NORM_OUTPUTS,
        wrong={
            "batch norm's statistics (over the columns)": (_norm_solution("layernorm_backward", 0), None),
            "dgamma and dbeta summed along the rows, like the statistics": (
                _norm_solution("layernorm_backward", 1, ax=1),
                "axis",
            ),
            "dbeta averaged over the batch": (_norm_solution("layernorm_backward", 1, dbeta="mean"), "factor 1/N"),
        },
    ),
)


# ---------------------------------------------------------------------------- attention

_AT = "attention"

_ATTENTION_BACKWARD = (
    "def attention_backward(Q, K, V, dO):\n"
    "    H = Q.shape[1]\n"
    "    Sigma = Q @ K.T / np.sqrt(H)\n"
    "    E = np.exp(Sigma - Sigma.max(axis=1, keepdims=True))\n"
    "    Pi = E / E.sum(axis=1, keepdims=True)\n"
    "    dPi = dO @ V.T\n"
    "    dSigma = {dSigma}\n"
    "    return dSigma @ K{scale}, {dK}{scale}, {dV}\n"
)
_DSIGMA = "Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True))"

_CAUSAL = (
    "def causal_scores_gradient(Sigma, V, dO):\n"
    "    keep = np.tril(np.ones(Sigma.shape, dtype=bool))  # [j <= i]\n"
    "    m = np.where(keep, Sigma, -np.inf).max(axis=1, keepdims=True)\n"
    "    E = np.exp(np.where(keep, Sigma - m, -np.inf))\n"
    "    Pi = E / E.sum(axis=1, keepdims=True)\n"
    "    dPi = dO @ V.T\n"
    "    return {out}\n"
)

_RESIDUAL = (
    "def residual_backward(X, W_Q, W_K, W_V, dX_1):\n"
    "    H = W_Q.shape[1]\n"
    "    Q, K, V = X @ W_Q, X @ W_K, X @ W_V\n"
    "    Sigma = Q @ K.T / np.sqrt(H)\n"
    "    E = np.exp(Sigma - Sigma.max(axis=1, keepdims=True))\n"
    "    Pi = E / E.sum(axis=1, keepdims=True)\n"
    "    dPi = dX_1 @ V.T\n"
    "    dSigma = Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True))\n"
    "    dQ, dK, dV = dSigma @ K / np.sqrt(H), dSigma.T @ Q / np.sqrt(H), Pi.T @ dX_1\n"
    "    return {dX}\n"
)
_RESIDUAL_SUM = "dX_1 + dQ @ W_Q.T + dK @ W_K.T + dV @ W_V.T"


def _residual_args(rng: np.random.Generator, N: int) -> Args:
    D, H = _dims(rng, 2)
    X = rng.standard_normal((N, D))
    W_Q, W_K, W_V = (rng.standard_normal(shape) / np.sqrt(D) for shape in ((D, H), (D, H), (D, D)))
    return X, W_Q, W_K, W_V, rng.standard_normal((N, D))


def _causal_args(rng: np.random.Generator, N: int) -> Args:
    H_v = int(rng.integers(4, 7))  # wide values: dL/dPi = dO V^T is then rarely small by chance
    return 0.5 * rng.standard_normal((N, N)), rng.standard_normal((N, H_v)), rng.standard_normal((N, H_v))


def _attention_solution(
    dSigma: str = _DSIGMA, scale: str = " / np.sqrt(H)", dK: str = "dSigma.T @ Q", dV: str = "Pi.T @ dO"
) -> str:
    return _ATTENTION_BACKWARD.format(dSigma=dSigma, scale=scale, dK=dK, dV=dV)


ATTENTION = (
    Exercise(
        id="at-shape",
        page=_AT,
        level="shape",
        title="The shape of the keys' gradient",
        statement=r"Queries $Q$ are $N \times H$, keys $K$ are $S \times H$ and values $V$ are $S \times H_v$; "
        r"$O = \operatorname{softmax}(QK^\top/\sqrt H)\,V$. What is the shape of $\partial L/\partial K$?",
        kind="shape",
        signature="key_gradient_shape(N, S, H, H_v)",
        returns="a tuple of two sizes",
        hint="A gradient has the shape of its variable: one row per key.",
        solution="def key_gradient_shape(N, S, H, H_v):\n    return (S, H)\n",
        value=lambda N, S, H, H_v: numerical_gradient(
            lambda K: float(np.sum(_attention(np.ones((N, H)), K, np.arange(S * H_v).reshape(S, H_v)))),
            np.arange(S * H).reshape(S, H) / (S * H),
        ),
        inputs=_sizes("N S H H_v"),
        wrong={
            "one row per query/key column": (
                "def key_gradient_shape(N, S, H, H_v):\n    return (H, S)\n",
                "transposed",
            ),
            "the shape of Q": ("def key_gradient_shape(N, S, H, H_v):\n    return (N, H)\n", "shape"),
            "the shape of V": ("def key_gradient_shape(N, S, H, H_v):\n    return (S, H_v)\n", "shape"),
        },
    ),
    Exercise(
        id="at-values",
        page=_AT,
        level="step",
        title="The gradient of the values",
        statement=r"$\Sigma = QK^\top/\sqrt H$, $\Pi = \operatorname{softmax}(\Sigma)$ row by row, $O = \Pi V$. "
        r"For a fixed upstream $\partial L/\partial O$ ($N \times H_v$, code `dO`), write $\partial L/\partial V$.",
        kind="gradient",
        signature="values_gradient(Q, K, V, dO)",
        returns="dL/dV, shape (S, H_v)",
        hint=r"$dO = \Pi\,dV + \ldots$, and $\operatorname{tr}\big((\partial L/\partial O)^\top \Pi\,dV\big)$ "
        r"pairs $dV$ with $\Pi^\top \partial L/\partial O$.",
        solution=(
            "def values_gradient(Q, K, V, dO):\n"
            "    Sigma = Q @ K.T / np.sqrt(Q.shape[1])\n"
            "    E = np.exp(Sigma - Sigma.max(axis=1, keepdims=True))\n"
            "    return (E / E.sum(axis=1, keepdims=True)).T @ dO\n"
        ),
        value=lambda Q, K, V, dO: float(np.sum(dO * _attention(Q, K, V))),
        inputs=_attention_args,
        outputs=(Output("dV", "", "2"),),
        wrong={
            "dO^T Pi": (
                "def values_gradient(Q, K, V, dO):\n"
                "    Sigma = Q @ K.T / np.sqrt(Q.shape[1])\n"
                "    E = np.exp(Sigma - Sigma.max(axis=1, keepdims=True))\n"
                "    return dO.T @ (E / E.sum(axis=1, keepdims=True))\n",
                "transposed",
            ),
            "the scores in place of the weights": (
                "def values_gradient(Q, K, V, dO):\n    return (Q @ K.T / np.sqrt(Q.shape[1])).T @ dO\n",
                None,
            ),
        },
    ),
    Exercise(
        id="at-causal",
        page=_AT,
        level="step",
        title="The scores' gradient under a causal mask",
        statement=r"Self-attention with a causal mask ($S = N$): $\Pi_{ij} = [j \le i]\, e^{\Sigma_{ij}} / "
        r"\sum_{k \le i} e^{\Sigma_{ik}}$ and $O = \Pi V$. For a fixed upstream $\partial L/\partial O$ "
        r"(code `dO`), write $\partial L/\partial\Sigma$ ($N \times N$).",
        kind="gradient",
        signature="causal_scores_gradient(Sigma, V, dO)",
        returns="dL/dSigma, shape (N, N)",
        hint=r"The softmax's backward step is unchanged: $\Pi \odot \big(\partial L/\partial\Pi - "
        r"((\partial L/\partial\Pi \odot \Pi)\mathbf 1_N)\mathbf 1_N^\top\big)$, with the masked $\Pi$; "
        r"its zeros above the diagonal do the masking.",
        solution=_CAUSAL.format(out="Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True))"),
        value=lambda Sigma, V, dO: float(np.sum(dO * (_causal_softmax(Sigma) @ V))),
        inputs=_causal_args,
        outputs=(Output("dSigma", "", "0"),),
        wrong={
            "re-masked with np.tril(., -1): the diagonal dropped too": (
                _CAUSAL.format(out="np.tril(Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True)), -1)"),
                "mask",
            ),
            "the weights of the unmasked softmax": (
                _CAUSAL.format(out="np.tril(Pi * (dPi - (dPi * Pi).sum(axis=1, keepdims=True)))").replace(
                    "np.where(keep, Sigma - m, -np.inf)", "Sigma - Sigma.max(axis=1, keepdims=True)"
                ),
                None,
            ),
        },
    ),
)

ATTENTION_FULL = (
    Exercise(
        id="at-backward",
        page=_AT,
        level="full",
        title="The backward pass of attention",
        statement=r"$\Sigma = QK^\top/\sqrt H$ ($N \times S$), $\Pi = \operatorname{softmax}(\Sigma)$ row by row, "
        r"$O = \Pi V$. For a fixed upstream $\partial L/\partial O$ (code `dO`), write $\partial L/\partial Q$, "
        r"$\partial L/\partial K$ and $\partial L/\partial V$.",
        kind="gradient",
        signature="attention_backward(Q, K, V, dO)",
        returns="(dQ (N, H), dK (S, H), dV (S, H_v))",
        hint=r"Through $O = \Pi V$, then the row softmax (as on the softmax page), then "
        r"$d\Sigma = (dQ\,K^\top + Q\,dK^\top)/\sqrt H$.",
        solution=_attention_solution(),
        value=lambda Q, K, V, dO: float(np.sum(dO * _attention(Q, K, V))),
        inputs=_attention_args,
        outputs=(Output("dQ", "0", "0"), Output("dK", "1", "1"), Output("dV", "2", "2")),
        wrong={
            "the 1/sqrt(H) forgotten": (_attention_solution(scale=""), "scaled"),
            "the softmax's row-sum term forgotten": (_attention_solution(dSigma="Pi * dPi"), None),
            "dK as Q^T dSigma": (_attention_solution(dK="Q.T @ dSigma"), "transposed"),
            "dV as dO^T Pi": (_attention_solution(dV="dO.T @ Pi"), "transposed"),
        },
    ),
    Exercise(
        id="at-residual",
        page=_AT,
        level="full",
        title="Self-attention with a residual connection",
        statement=r"$X_1 = X + \operatorname{Attn}(X)$ with one head: $Q = XW_Q$, $K = XW_K$ ($W_Q, W_K$: "
        r"$D \times H$), $V = XW_V$ ($W_V$: $D \times D$, so $H_v = D$), $\operatorname{Attn}(X) = "
        r"\operatorname{softmax}(QK^\top/\sqrt H)\,V$. For a fixed upstream $\partial L/\partial X_1$ "
        r"(code `dX_1`), write $\partial L/\partial X$.",
        kind="gradient",
        signature="residual_backward(X, W_Q, W_K, W_V, dX_1)",
        returns="dL/dX, shape (N, D)",
        hint=r"$X$ is used four times (the identity and three projections): its gradient is the sum of the four, "
        r"$\partial L/\partial X_1 + \frac{\partial L}{\partial Q}W_Q^\top + \frac{\partial L}{\partial K}W_K^\top"
        r" + \frac{\partial L}{\partial V}W_V^\top$.",
        solution=_RESIDUAL.format(dX=_RESIDUAL_SUM),
        value=lambda X, W_Q, W_K, W_V, dX_1: float(np.sum(dX_1 * (X + _attention(X @ W_Q, X @ W_K, X @ W_V)))),
        inputs=_residual_args,
        outputs=(Output("dX", "", "0"),),
        wrong={
            "the identity path forgotten": (_RESIDUAL.format(dX=_RESIDUAL_SUM.replace("dX_1 + ", "")), None),
            "the keys' use of X forgotten": (_RESIDUAL.format(dX=_RESIDUAL_SUM.replace(" + dK @ W_K.T", "")), None),
            "only the identity path": (_RESIDUAL.format(dX="dX_1"), None),
        },
    ),
)


EXERCISES: dict[str, Exercise] = {
    ex.id: ex
    for ex in (
        *JACOBIAN_LAYOUT,
        JACOBIAN_LAYOUT_FULL,
        *TRACE_TRICKS,
        *SOFTMAX_CROSS_ENTROPY,
        *LOGISTIC_LOSS,
        *BATCH_EXTENSION,
        BATCH_EXTENSION_FULL,
        *DEEP_MLP,
        *CONVENTIONS,
        CONVENTIONS_FULL,
        *REGRESSION,
        REGRESSION_FULL,
        *ACTIVATIONS_DROPOUT,
        ACTIVATIONS_DROPOUT_FULL,
        *NORMALISATION,
        *NORMALISATION_FULL,
        *ATTENTION,
        *ATTENTION_FULL,
    )
}
"""Every exercise by id, page by page in the site's reading order."""
