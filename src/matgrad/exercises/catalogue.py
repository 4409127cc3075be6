"""The exercises of the site, page by page (docs/notation.yml's symbols; rows are examples).

Each exercise is an `matgrad.exercises.core.Exercise`: a statement, the reader's signature,
the scalar (or map) whose derivative is asked, random arguments, the hidden reference solution and
the catalogued wrong answers with the diagnosis each must get. Losses are written here in plain
NumPy (stable forms), independently of matgrad's own layers; upstream gradients are random.

Exercises for the layers of issue 10 (batch and layer normalisation, mean squared error, tanh,
GELU, dropout, attention) are to be added at the end of `EXERCISES` once those layers are
in matgrad.
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
        statement=r"$L = \sum_{ij} G_{ij}\,\sigma(XW + \mathbf 1_N b^\top)_{ij}$ with $X$ ($N \times D$), $W$ "
        r"($D \times H$), $b$ (length $H$) and a fixed upstream $G$ ($N \times H$). Write $\partial L/\partial X$, "
        r"$\partial L/\partial W$ and $\partial L/\partial b$.",
        kind="gradient",
        signature="layer_backward(X, W, b, G)",
        returns="(dX (N, D), dW (D, H), db (H,))",
        hint=r"First the gradient at the pre-activations, $G \odot \sigma'(Z)$ with $\sigma' = \sigma(1 - \sigma)$; "
        r"then $dZ = dX\,W + X\,dW + \mathbf 1_N db^\top$.",
        solution=(
            "def layer_backward(X, W, b, G):\n"
            "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
            "    dZ = G * S * (1 - S)\n"
            "    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)\n"
        ),
        value=lambda X, W, b, G: float(np.sum(G * _sigmoid(X @ W + b))),
        inputs=_layer_args,
        outputs=(Output("dX", "0", "0"), Output("dW", "1", "1"), Output("db", "2", "2", bias=True)),
        wrong={
            "db summed over the wrong axis": (
                "def layer_backward(X, W, b, G):\n"
                "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
                "    dZ = G * S * (1 - S)\n"
                "    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)\n",
                "axis",
            ),
            "dW transposed": (
                "def layer_backward(X, W, b, G):\n"
                "    S = 1 / (1 + np.exp(-(X @ W + b)))\n"
                "    dZ = G * S * (1 - S)\n"
                "    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)\n",
                "transposed",
            ),
            "sigma' forgotten": (
                "def layer_backward(X, W, b, G):\n    return G @ W.T, X.T @ G, G.sum(axis=0)\n",
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
    "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
    "    N = X.shape[0]\n"
    "    Z1 = X @ W1 + b1\n"
    "    A1 = np.maximum(Z1, 0)\n"
    "    Z2 = A1 @ W2 + b2\n"
    "    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))\n"
    "    P /= P.sum(axis=1, keepdims=True)\n"
    "    G2 = (P - np.eye(W2.shape[1])[y]) / {N}\n"
    "    G1 = (G2 @ W2.T) * (Z1 > 0)\n"
    "    return {{'W1': X.T @ G1 + {k} * reg * W1, 'b1': G1.sum(axis={ax}),\n"
    "            'W2': {dW2}, 'b2': G2.sum(axis=0)}}\n"
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
        "        Z = A @ params[f'W{l}'] + params[f'b{l}']\n"
        "        A = np.maximum(Z, 0) if l < M else Z\n"
        "        Zs.append(Z)\n"
        "        As.append(A)\n"
        "    P = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    P /= P.sum(axis=1, keepdims=True)\n"
        f"    G = (P - np.eye(Z.shape[1])[y]) / {N}\n"
        "    grads = {}\n"
        "    for l in range(M, 0, -1):\n"
        f"        grads[f'W{{l}}'] = As[l - 1].T @ G + {k} * reg * params[f'W{{l}}']\n"
        "        grads[f'b{l}'] = G.sum(axis=0)\n"
        "        if l > 1:\n"
        "            Z = Zs[l - 2]\n"
        f"            G = (G @ params[f'W{{l}}'].T) * {last}\n"
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
    )
}
"""Every exercise by id, page by page in the site's reading order."""
