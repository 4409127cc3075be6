"""The single-output ReLU net with logistic loss, as in a common course exercise.

In the site's notation (docs/notation.md): one example is a row x (D,) with label y in {-1, +1};
the parameters are Wi (D, H), bi (H,), Wo (H,) (the page's w_o) and bo a scalar:

    z = x Wi + bi   (H,)        a = relu(z)   (H,)        yhat = a . Wo + bo   (scalar)
    L = log(1 + exp(-y yhat))

(the exercise's own shapes: the output weight Wo is a vector and bo a number, not a (H, 1) matrix
and a (1,) bias). A batch X (N, D) with labels y (N,) is the same net on every row, with
Z = X Wi + 1 bi^T (N, H) and A = relu(Z) (N, H); its loss L is the SUM of the per-example losses
(not the mean), so its gradient is the sum of the per-example gradients.

`logistic_net_gradient` is the fast route: the inputs are validated once, here, and the
layer formulas run as the kernels of `matgrad.kernels` (tested equal to the composition of
`matgrad.affine_forward`, `matgrad.relu_forward` and `matgrad.logistic_loss`
and their backward passes); `logistic_net_gradient_kronecker` is the explicit-Jacobian route
for one example, written to teach the Kronecker form of dz/dvec(Wi)^T, not to be fast.

Types in the signatures: `ArrayLike` (anything `np.asarray` accepts) in, `FloatArray`
(`NDArray[np.floating]`: float32 or float64, the inputs' dtype) out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import kernels
from ._checks import (
    as_numeric,
    check_finite,
    check_ndim,
    common_float_dtype,
    sign_labels,
    to_float,
)
from ._typing import FloatArray
from .activations import sigmoid

__all__ = [
    "logistic_net_forward",
    "logistic_net_gradient",
    "logistic_net_gradient_kronecker",
    "logistic_net_loss",
    "logistic_net_loss_and_grads",
]

LogisticGrads = tuple[FloatArray, FloatArray, FloatArray, float]
"""The gradient `(dWi, dbi, dWo, dbo)` of L: shapes (D, H), (H,), (H,) and a float."""

_KEYS = ("Wi", "bi", "Wo", "bo")
_KEY_SET = frozenset(_KEYS)


def _validated(
    X: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Check shapes, dtypes and finiteness; return X, Wi, bi, Wo as arrays and bo as a 0-d array."""
    X_, Wi_, bi_, Wo_ = as_numeric(X, "X"), as_numeric(Wi, "Wi"), as_numeric(bi, "bi"), as_numeric(Wo, "Wo")
    weak_bo = isinstance(bo, (int, float, np.integer, np.floating)) and not isinstance(bo, bool)
    bo_ = as_numeric(bo, "bo")
    if bo_.ndim != 0:
        check_ndim(bo_, "bo", (0,), "() (a scalar)")
    if Wi_.ndim != 2:
        check_ndim(Wi_, "Wi", (2,), "(D, H)")
    d, h = Wi_.shape
    if X_.ndim != 1 and X_.ndim != 2:
        check_ndim(X_, "X", (1, 2), f"(D,) = ({d},) or (N, D) = (N, {d})")
    if X_.shape[-1] != d:
        raise ValueError(
            f"Wi has shape {Wi_.shape} but X has {X_.shape[-1]} columns (X shape {X_.shape}); "
            f"expected Wi of shape ({X_.shape[-1]}, H)"
        )
    if X_.ndim == 2 and X_.shape[0] == 0:
        raise ValueError("X must have at least one row; got shape (0, D)")
    if bi_.shape != (h,):
        raise ValueError(f"bi must have shape (H,) = ({h},) to match Wi {Wi_.shape}; got {bi_.shape}")
    if Wo_.shape != (h,):
        raise ValueError(f"Wo must have shape (H,) = ({h},) to match Wi {Wi_.shape}; got {Wo_.shape}")
    dtype = X_.dtype
    if not (dtype.kind == "f" and Wi_.dtype is dtype and bi_.dtype is dtype and Wo_.dtype is dtype):
        # A Python number for bo is "weak": it takes the arrays' dtype.
        named = [("X", X_), ("Wi", Wi_), ("bi", bi_), ("Wo", Wo_)]
        dtype = common_float_dtype(*named) if weak_bo else common_float_dtype(*named, ("bo", bo_))
        X_, Wi_, bi_, Wo_ = (to_float(a, dtype) for a in (X_, Wi_, bi_, Wo_))
    elif not weak_bo and bo_.dtype.kind == "f" and bo_.dtype is not dtype:
        common_float_dtype(("X", X_), ("Wi", Wi_), ("bi", bi_), ("Wo", Wo_), ("bo", bo_))  # raises
    bo_ = to_float(bo_, dtype)
    check_finite(("X", "Wi", "bi", "Wo", "bo"), (X_, Wi_, bi_, Wo_, bo_))
    return X_, Wi_, bi_, Wo_, bo_


def _labels(y: ArrayLike, X: FloatArray) -> FloatArray | float:
    """The labels for X, validated: a float -1.0/1.0 for one example (X (D,) or (1, D)), else (N,) in X's dtype."""
    shape = X.shape[:-1]  # () or (N,)
    given: object = y
    if (
        shape == ()
        and isinstance(given, (int, float, np.integer, np.floating))
        and not isinstance(given, bool)
        and (given == 1 or given == -1)
    ):
        return float(given)  # one example, without an array (e.g. a label taken from an array)
    if type(given) is np.ndarray and given.shape == shape and given.dtype.kind in "iuf":
        if given.size == 1:
            one = given.item()  # per-example SGD: X (1, D), y (1,)
            if one == 1 or one == -1:
                return float(one)
        elif (np.abs(given) == 1).all():  # tested before the cast: 1 + 1e-8 is not a label, even for float32 X
            return given.astype(X.dtype, copy=False)  # a batch of -1/+1 labels; anything else gets sign_labels' message
    labels = sign_labels(y, shape, X.dtype, "y")
    return float(labels.reshape(-1)[0]) if labels.size == 1 else labels


def _forward(X: FloatArray, Wi: FloatArray, bi: FloatArray, Wo: FloatArray, bo: FloatArray) -> FloatArray:
    """`yhat = relu(X Wi + 1 bi^T) Wo + bo` on validated arrays, X (N, D): yhat (N,)."""
    A = kernels.add_bias_relu(X.dot(Wi), bi)  # (N, H)
    yhat: FloatArray = A.dot(Wo)
    yhat += bo
    return yhat


def _loss_and_gradient(
    X: ArrayLike, y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> tuple[float, LogisticGrads]:
    """Summed loss and the gradient `(dWi, dbi, dWo, dbo)` in one forward/backward pass (validates).

    The layers' formulas, with X (N, D). Forward: `Z = X Wi + 1 bi^T`, `A = relu(Z)`,
    `yhat = A Wo + bo`. Backward, with `dyhat = dL/dyhat = -y * sigmoid(-y * yhat)` (N,):
    `dbo = 1^T dyhat`, `dWo = A^T dyhat`, `dZ = (dyhat Wo^T) * relu'(Z)` (N, H) (G, dL/dZ),
    `dWi = X^T dZ`, `dbi = dZ^T 1`. `dX = dZ Wi^T` is not computed: X is data.

    One example (X (D,), or a batch of one row, as in per-example SGD) takes the same formulas on
    vectors (`_one_example`).
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    labels = _labels(y, X_)
    if isinstance(labels, float):
        return _one_example(X_.reshape(-1), labels, Wi_, bi_, Wo_, float(bo_))
    A = kernels.add_bias_relu(X_.dot(Wi_), bi_)  # (N, H)
    yhat = A.dot(Wo_)
    yhat += bo_  # (N,)
    loss, dyhat = kernels.logistic_loss_sum(yhat, labels)  # dL/dyhat, (N,)
    dWo = A.T.dot(dyhat)  # (H,)
    dZ = kernels.outer(dyhat, Wo_)  # dL/dA = dyhat Wo^T, (N, H)
    dZ *= A > 0  # dL/dZ: the ReLU mask (A > 0 exactly where Z > 0)
    return loss, (X_.T.dot(dZ), kernels.column_sums(dZ), dWo, float(dyhat.sum()))


def _one_example(
    x: FloatArray, label: float, Wi: FloatArray, bi: FloatArray, Wo: FloatArray, bo: float
) -> tuple[float, LogisticGrads]:
    """The loss and gradient of ONE example x (D,) with label -1.0 or 1.0, on validated arrays.

    The formulas of `_loss_and_gradient` on vectors: `z = x Wi + bi` (H,),
    `a = relu(z)`, `yhat = a . Wo + bo`; `dyhat` a float, `dWo = dyhat a`,
    `dz = dyhat Wo * relu'(z)` (the row g), `dWi = x^T dz` (D, H) with x and dz rows,
    `dbi = dz`, `dbo = dyhat`.
    On vectors this small every NumPy call costs about the same, so the count is what matters:
    the ReLU mask is taken once as 0.0/1.0 (`heaviside`) and serves both the forward and the
    backward pass, the loss is computed in Python floats, and the outer product x^T dz is a
    matrix product with an inner dimension of 1 (here the fastest of the forms measured).
    """
    z = x.dot(Wi)
    z += bi  # (H,)
    mask = np.heaviside(z, 0.0)  # relu'(z): 1 where z > 0, else 0 (H,)
    a = np.maximum(z, 0.0, out=z)  # relu(z), (H,)
    loss, dyhat = kernels.logistic_loss_one(float(a.dot(Wo)) + bo, label)
    dWo = a * dyhat  # (H,)
    dz = Wo * mask
    dz *= dyhat  # dL/dz, (H,)
    dWi = x[:, None].dot(dz[None, :])  # x^T dz with x, dz rows: (D, H)
    return loss, (dWi, dz, dWo, dyhat)


def logistic_net_forward(
    X: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> float | FloatArray:
    """Output `yhat = relu(X Wi + bi) . Wo + bo` of the net (no loss).

    Parameters
    ----------
    X : array_like of shape (D,) for one example, or (N, D) for N examples (rows)
    Wi : array_like of shape (D, H)
    bi : array_like of shape (H,)
    Wo : array_like of shape (H,)
    bo : float (or 0-d array)

    Returns
    -------
    yhat : float for X of shape (D,); ndarray of shape (N,) for X of shape (N, D)

    Raises
    ------
    ValueError
        On shape mismatch between X and Wi or among the parameters, mixed float32/float64
        arrays, or non-finite values.
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    yhat = _forward(np.atleast_2d(X_), Wi_, bi_, Wo_, bo_)
    return float(yhat[0]) if X_.ndim == 1 else yhat


def logistic_net_loss(X: ArrayLike, y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike) -> float:
    """Logistic loss of the net, `L = sum_n log(1 + exp(-y_n yhat_n))` (stable for any margin).

    Parameters
    ----------
    X : array_like of shape (D,) or (N, D)
    y : label -1 or +1 for X (D,); array_like of shape (N,) with entries -1/+1 for X (N, D)
    Wi (D, H), bi (H,), Wo (H,), bo scalar : the parameters

    Returns
    -------
    float, the summed loss L.

    Raises
    ------
    ValueError
        As `logistic_net_forward`, and for labels of the wrong shape or other than -1/+1.
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    labels = sign_labels(y, X_.shape[:-1], X_.dtype, "y").reshape(-1)
    yhat = _forward(np.atleast_2d(X_), Wi_, bi_, Wo_, bo_)
    return kernels.logistic_loss_sum(yhat, labels)[0]


def logistic_net_gradient(
    X: ArrayLike, y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> LogisticGrads:
    """Gradient of the (summed) logistic loss L of the net with respect to Wi, bi, Wo, bo.

    Backward through the layers: `dyhat = dL/dyhat = -y * sigmoid(-y * yhat)` (N,), then
    `dbo = sum dyhat`, `dWo = A^T dyhat`, `dZ = (dyhat Wo^T) * relu'(Z)` (N, H),
    `dWi = X^T dZ`, `dbi = dZ^T 1`. For one example `dWi` is the outer product
    `x^T dz` (x and dz rows): O(DH) work, where the Kronecker route builds an H x DH Jacobian.

    Parameters
    ----------
    X : array_like of shape (D,) (one example) or (N, D) (a batch, summed loss)
    y : -1 or +1 for X (D,); shape (N,) with entries -1/+1 for X (N, D)
    Wi : (D, H); bi : (H,); Wo : (H,); bo : scalar

    Returns
    -------
    dWi : ndarray (D, H)
    dbi : ndarray (H,)
    dWo : ndarray (H,)
    dbo : float

    Raises
    ------
    ValueError
        As `logistic_net_loss`.
    """
    return _loss_and_gradient(X, y, Wi, bi, Wo, bo)[1]


def logistic_net_loss_and_grads(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike
) -> tuple[float, dict[str, FloatArray | float]]:
    """`matgrad.train` adapter for the logistic net (summed logistic loss).

    Parameters
    ----------
    params : dict with exactly the keys Wi (D, H), bi (H,), Wo (H,), bo (scalar)
    X : (N, D) or (D,); y : (N,) labels -1/+1 (or a single label for X (D,))

    Returns
    -------
    loss : float; grads : dict with keys Wi, bi, Wo, bo (the gradient of bo a float)

    Raises
    ------
    ValueError
        If the keys are not exactly Wi, bi, Wo, bo, or as `logistic_net_gradient`.
    """
    if not isinstance(params, Mapping) or params.keys() != _KEY_SET:
        got = list(params) if isinstance(params, Mapping) else type(params).__name__
        raise ValueError(f"params must have exactly the keys {list(_KEYS)}; got {got}")
    loss, (dWi, dbi, dWo, dbo) = _loss_and_gradient(X, y, params["Wi"], params["bi"], params["Wo"], params["bo"])
    return loss, {"Wi": dWi, "bi": dbi, "Wo": dWo, "bo": dbo}


def logistic_net_gradient_kronecker(
    X: ArrayLike, y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> LogisticGrads:
    """The same gradient for ONE example, by multiplying explicit Jacobians (a teaching function).

    Numerator-layout Jacobians, x a ROW (1, D), vec column-major (`vec(Wi) = Wi.reshape(-1, order="F")`):

        z = x Wi + bi^T = (I_H kron x) vec(Wi) + bi^T     so  dz/dvec(Wi)^T = I_H kron x  (H, DH)
        da/dz = diag(relu'(z))  (H, H)      dyhat/da = Wo^T  (1, H)      dL/dyhat = -y * sigmoid(-y * yhat)

        dL/dvec(Wi)^T = dL/dyhat  dyhat/da  da/dz  dz/dvec(Wi)^T     (1 x 1)(1 x H)(H x H)(H x DH) = (1, DH)

    and dWi = unvec((dL/dvec(Wi)^T)^T, (D, H)). (In a column text, x a column (D, 1) and
    z = Wi^T x + bi, the same Jacobian is written I_H kron x^T; there a factor x kron I_H has shape
    (DH, H) and does not compose with the (H, H) factor. With x a row and the row-major vec of Wi the
    Jacobian is x kron I_H (H, DH).) The work is O(H^2 D) per example against O(DH) for the outer
    product of the fast route.

    Parameters
    ----------
    X : array_like of shape (D,), one example x (a batch is rejected)
    y : -1 or +1
    Wi : (D, H); bi : (H,); Wo : (H,); bo : scalar

    Returns
    -------
    dWi (D, H), dbi (H,), dWo (H,), dbo float, equal to `logistic_net_gradient` to rounding.

    Raises
    ------
    ValueError
        If X is not 1-D, or as `logistic_net_loss`.
    """
    x, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    if x.ndim != 1:
        raise ValueError(f"the Kronecker route is per example: X must have shape (D,); got {x.shape}")
    label = sign_labels(y, (), x.dtype, "y")
    d, h = Wi_.shape  # D, H
    z = x @ Wi_ + bi_  # (H,)
    a = np.maximum(z, 0)  # (H,)
    yhat = a @ Wo_ + bo_  # scalar
    dL_dyhat = (-label * sigmoid(-label * yhat)).reshape(1, 1)  # (1, 1)
    dyhat_da = Wo_.reshape(1, h)  # (1, H)
    da_dz = np.diag((z > 0).astype(x.dtype))  # diag(relu'(z)), (H, H)
    dz_dvecWi = np.kron(np.eye(h, dtype=x.dtype), x.reshape(1, d))  # I_H kron x, x a row: (H, D*H)
    dz_dbi = np.eye(h, dtype=x.dtype)  # (H, H)
    dyhat_dWo = a.reshape(1, h)  # (1, H)

    dL_dz = dL_dyhat @ dyhat_da @ da_dz  # (1, H)
    dL_dvecWi = dL_dz @ dz_dvecWi  # (1, D*H)
    dWi: NDArray[Any] = dL_dvecWi.reshape(-1, order="F").reshape((d, h), order="F")  # unvec of the transpose
    dbi = (dL_dz @ dz_dbi).reshape(h)
    dWo = (dL_dyhat @ dyhat_dWo).reshape(h)
    dbo = float(dL_dyhat[0, 0])
    return dWi, dbi, dWo, dbo
