"""The single-output ReLU net with logistic loss, as in a common course exercise.

For one example x (d,) and label Y in {-1, +1}, with Wi (d, h), bi (h,), Wo (h,), bo scalar::

    z = x Wi + bi   (h,)        H = relu(z)   (h,)        yhat = H . Wo + bo   (scalar)
    s = log(1 + exp(-Y yhat))

(the exercise's own shapes: the output weight Wo is a vector and bo a number, not a (h, 1) matrix
and a (1,) bias). A batch X (N, d) with labels Y (N,) is the same net on every row; its loss is the
SUM of the per-example losses (not the mean), so its gradient is the sum of the per-example
gradients.

:func:`logistic_net_gradient` is the fast route: the inputs are validated once, here, and the
layer formulas run as the kernels of :mod:`matgrad.kernels` (tested equal to the composition of
:func:`matgrad.affine_forward`, :func:`matgrad.relu_forward` and :func:`matgrad.logistic_loss`
and their backward passes); :func:`logistic_net_gradient_kronecker` is the explicit-Jacobian route
for one example, written to teach the Kronecker form of d z / d vec(Wi), not to be fast.

Types in the signatures: ``ArrayLike`` (anything ``np.asarray`` accepts) in, ``FloatArray``
(``NDArray[np.floating]``: float32 or float64, the inputs' dtype) out.
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
"""The gradient ``(dWi, dbi, dWo, dbo)``: shapes (d, h), (h,), (h,) and a float."""

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
        check_ndim(Wi_, "Wi", (2,), "(d, h)")
    d, h = Wi_.shape
    if X_.ndim != 1 and X_.ndim != 2:
        check_ndim(X_, "X", (1, 2), f"(d,) = ({d},) or (N, d) = (N, {d})")
    if X_.shape[-1] != d:
        raise ValueError(
            f"Wi has shape {Wi_.shape} but X has {X_.shape[-1]} columns (X shape {X_.shape}); "
            f"expected Wi of shape ({X_.shape[-1]}, h)"
        )
    if X_.ndim == 2 and X_.shape[0] == 0:
        raise ValueError("X must have at least one row; got shape (0, d)")
    if bi_.shape != (h,):
        raise ValueError(f"bi must have shape (h,) = ({h},) to match Wi {Wi_.shape}; got {bi_.shape}")
    if Wo_.shape != (h,):
        raise ValueError(f"Wo must have shape (h,) = ({h},) to match Wi {Wi_.shape}; got {Wo_.shape}")
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


def _labels(Y: ArrayLike, X: FloatArray) -> FloatArray | float:
    """The labels for X, validated: a float -1.0/1.0 for one example (X (d,) or (1, d)), else (N,) in X's dtype."""
    shape = X.shape[:-1]  # () or (N,)
    given: object = Y
    if (
        shape == ()
        and isinstance(given, (int, float, np.integer, np.floating))
        and not isinstance(given, bool)
        and (given == 1 or given == -1)
    ):
        return float(given)  # one example, without an array (e.g. a label taken from an array)
    if type(given) is np.ndarray and given.shape == shape and given.dtype.kind in "iuf":
        if given.size == 1:
            one = given.item()  # per-example SGD: X (1, d), Y (1,)
            if one == 1 or one == -1:
                return float(one)
        else:
            batch = given.astype(X.dtype, copy=False)
            if (np.abs(batch) == 1).all():
                return batch  # a batch of -1/+1 labels; anything else gets sign_labels' message
    labels = sign_labels(Y, shape, X.dtype, "Y")
    return float(labels.reshape(-1)[0]) if labels.size == 1 else labels


def _forward(X: FloatArray, Wi: FloatArray, bi: FloatArray, Wo: FloatArray, bo: FloatArray) -> FloatArray:
    """``yhat = relu(X Wi + 1 bi^T) Wo + bo`` on validated arrays, X (N, d): yhat (N,)."""
    H = kernels.add_bias_relu(X.dot(Wi), bi)  # (N, h)
    yhat: FloatArray = H.dot(Wo)
    yhat += bo
    return yhat


def _loss_and_gradient(
    X: ArrayLike, Y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> tuple[float, LogisticGrads]:
    """Summed loss and the gradient ``(dWi, dbi, dWo, dbo)`` in one forward/backward pass (validates).

    The layers' formulas, with X (N, d). Forward: ``Z = X Wi + 1 bi^T``, ``H = relu(Z)``,
    ``yhat = H Wo + bo``. Backward, with ``dyhat = dL/dyhat = -Y sigmoid(-Y yhat)`` (N,):
    ``dbo = 1^T dyhat``, ``dWo = H^T dyhat``, ``dZ = (dyhat Wo^T) * 1[H > 0]`` (N, h),
    ``dWi = X^T dZ``, ``dbi = dZ^T 1``. ``dX = dZ Wi^T`` is not computed: X is data.

    One example (X (d,), or a batch of one row, as in per-example SGD) takes the same formulas on
    vectors (:func:`_one_example`).
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    labels = _labels(Y, X_)
    if isinstance(labels, float):
        return _one_example(X_.reshape(-1), labels, Wi_, bi_, Wo_, float(bo_))
    H = kernels.add_bias_relu(X_.dot(Wi_), bi_)  # (N, h)
    yhat = H.dot(Wo_)
    yhat += bo_  # (N,)
    loss, dyhat = kernels.logistic_loss_sum(yhat, labels)  # dL/dyhat, (N,)
    dWo = H.T.dot(dyhat)  # (h,)
    dZ = kernels.outer(dyhat, Wo_)  # dL/dH = dyhat Wo^T, (N, h)
    dZ *= H > 0  # dL/dZ: the ReLU mask
    return loss, (X_.T.dot(dZ), kernels.column_sums(dZ), dWo, float(dyhat.sum()))


def _one_example(
    x: FloatArray, label: float, Wi: FloatArray, bi: FloatArray, Wo: FloatArray, bo: float
) -> tuple[float, LogisticGrads]:
    """The loss and gradient of ONE example x (d,) with label -1.0 or 1.0, on validated arrays.

    The formulas of :func:`_loss_and_gradient` on vectors: ``z = x Wi + bi`` (h,),
    ``H = relu(z)``, ``yhat = H . Wo + bo``; ``dyhat`` a float, ``dWo = dyhat H``,
    ``dz = dyhat Wo * 1[z > 0]``, ``dWi = x dz^T`` (d, h), ``dbi = dz``, ``dbo = dyhat``.
    On vectors this small every NumPy call costs about the same, so the count is what matters:
    the ReLU mask is taken once as 0.0/1.0 (``heaviside``) and serves both the forward and the
    backward pass, the loss is computed in Python floats, and the outer product x dz^T is a
    matrix product with an inner dimension of 1 (here the fastest of the forms measured).
    """
    z = x.dot(Wi)
    z += bi  # (h,)
    mask = np.heaviside(z, 0.0)  # 1[z > 0] (h,)
    H = np.maximum(z, 0.0, out=z)  # relu(z), (h,)
    loss, dyhat = kernels.logistic_loss_one(float(H.dot(Wo)) + bo, label)
    dWo = H * dyhat  # (h,)
    dz = Wo * mask
    dz *= dyhat  # dL/dz, (h,)
    dWi = x[:, None].dot(dz[None, :])  # x dz^T, (d, h)
    return loss, (dWi, dz, dWo, dyhat)


def logistic_net_forward(
    X: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> float | FloatArray:
    """Output ``yhat = relu(X Wi + bi) . Wo + bo`` of the net (no loss).

    Parameters
    ----------
    X : array_like of shape (d,) for one example, or (N, d) for N examples (rows)
    Wi : array_like of shape (d, h)
    bi : array_like of shape (h,)
    Wo : array_like of shape (h,)
    bo : float (or 0-d array)

    Returns
    -------
    yhat : float for X of shape (d,); ndarray of shape (N,) for X of shape (N, d)

    Raises
    ------
    ValueError
        On shape mismatch between X and Wi or among the parameters, mixed float32/float64
        arrays, or non-finite values.
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    yhat = _forward(np.atleast_2d(X_), Wi_, bi_, Wo_, bo_)
    return float(yhat[0]) if X_.ndim == 1 else yhat


def logistic_net_loss(X: ArrayLike, Y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike) -> float:
    """Logistic loss of the net, ``sum_n log(1 + exp(-Y_n yhat_n))`` (stable for any margin).

    Parameters
    ----------
    X : array_like of shape (d,) or (N, d)
    Y : label -1 or +1 for X (d,); array_like of shape (N,) with entries -1/+1 for X (N, d)
    Wi (d, h), bi (h,), Wo (h,), bo scalar : the parameters

    Returns
    -------
    float, the summed loss.

    Raises
    ------
    ValueError
        As :func:`logistic_net_forward`, and for labels of the wrong shape or other than -1/+1.
    """
    X_, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    labels = sign_labels(Y, X_.shape[:-1], X_.dtype, "Y").reshape(-1)
    yhat = _forward(np.atleast_2d(X_), Wi_, bi_, Wo_, bo_)
    return kernels.logistic_loss_sum(yhat, labels)[0]


def logistic_net_gradient(
    X: ArrayLike, Y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> LogisticGrads:
    """Gradient of the (summed) logistic loss of the net with respect to Wi, bi, Wo, bo.

    Backward through the layers: ``dyhat = dL/dyhat = -Y sigmoid(-Y yhat)`` (N,), then
    ``dbo = sum dyhat``, ``dWo = H^T dyhat``, ``dZ = (dyhat Wo^T) * 1[Z > 0]`` (N, h),
    ``dWi = X^T dZ``, ``dbi = dZ^T 1``. For one example ``dWi`` is the outer product
    ``x dz^T``: O(dh) work, where the Kronecker route builds an h x hd Jacobian.

    Parameters
    ----------
    X : array_like of shape (d,) (one example) or (N, d) (a batch, summed loss)
    Y : -1 or +1 for X (d,); shape (N,) with entries -1/+1 for X (N, d)
    Wi : (d, h); bi : (h,); Wo : (h,); bo : scalar

    Returns
    -------
    dWi : ndarray (d, h)
    dbi : ndarray (h,)
    dWo : ndarray (h,)
    dbo : float

    Raises
    ------
    ValueError
        As :func:`logistic_net_loss`.
    """
    return _loss_and_gradient(X, Y, Wi, bi, Wo, bo)[1]


def logistic_net_loss_and_grads(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike
) -> tuple[float, dict[str, FloatArray | float]]:
    """:func:`matgrad.train` adapter for the logistic net (summed logistic loss).

    Parameters
    ----------
    params : dict with exactly the keys Wi (d, h), bi (h,), Wo (h,), bo (scalar)
    X : (N, d) or (d,); y : (N,) labels -1/+1 (or a single label for X (d,))

    Returns
    -------
    loss : float; grads : dict with keys Wi, bi, Wo, bo (the gradient of bo a float)

    Raises
    ------
    ValueError
        If the keys are not exactly Wi, bi, Wo, bo, or as :func:`logistic_net_gradient`.
    """
    if not isinstance(params, Mapping) or params.keys() != _KEY_SET:
        got = list(params) if isinstance(params, Mapping) else type(params).__name__
        raise ValueError(f"params must have exactly the keys {list(_KEYS)}; got {got}")
    loss, (dWi, dbi, dWo, dbo) = _loss_and_gradient(X, y, params["Wi"], params["bi"], params["Wo"], params["bo"])
    return loss, {"Wi": dWi, "bi": dbi, "Wo": dWo, "bo": dbo}


def logistic_net_gradient_kronecker(
    X: ArrayLike, Y: ArrayLike, Wi: ArrayLike, bi: ArrayLike, Wo: ArrayLike, bo: ArrayLike
) -> LogisticGrads:
    """The same gradient for ONE example, by multiplying explicit Jacobians (a teaching function).

    Numerator-layout Jacobians, vec column-major (``vec(Wi) = Wi.reshape(-1, order="F")``)::

        z = Wi^T x + bi = (I_h kron x^T) vec(Wi) + bi     so  dz/dvec(Wi) = I_h kron x^T  (h, hd)
        dH/dz = diag(1[z > 0])  (h, h)      dyhat/dH = Wo^T  (1, h)      ds/dyhat = -Y sigmoid(-Y yhat)

        ds/dvec(Wi) = ds/dyhat  dyhat/dH  dH/dz  dz/dvec(Wi)     (1 x 1)(1 x h)(h x h)(h x hd) = (1, hd)

    and dWi = unvec(ds/dvec(Wi)^T, (d, h)). (A factor written ``x kron I_h`` with an (hd x h)
    shape, as some texts do, does not compose with the (h x h) factor; ``x^T kron I_h`` would be
    the row-major vec of Wi.) The work is O(h^2 d) per example against O(hd) for the outer product
    of the fast route.

    Parameters
    ----------
    X : array_like of shape (d,), one example (a batch is rejected)
    Y : -1 or +1
    Wi : (d, h); bi : (h,); Wo : (h,); bo : scalar

    Returns
    -------
    dWi (d, h), dbi (h,), dWo (h,), dbo float, equal to :func:`logistic_net_gradient` to rounding.

    Raises
    ------
    ValueError
        If X is not 1-D, or as :func:`logistic_net_loss`.
    """
    x, Wi_, bi_, Wo_, bo_ = _validated(X, Wi, bi, Wo, bo)
    if x.ndim != 1:
        raise ValueError(f"the Kronecker route is per example: X must have shape (d,); got {x.shape}")
    label = sign_labels(Y, (), x.dtype, "Y")
    d, h = Wi_.shape
    z = Wi_.T @ x + bi_  # (h,)
    H = np.maximum(z, 0)  # (h,)
    yhat = Wo_ @ H + bo_  # scalar
    ds_dyhat = (-label * sigmoid(-label * yhat)).reshape(1, 1)  # (1, 1)
    dyhat_dH = Wo_.reshape(1, h)  # (1, h)
    dH_dz = np.diag((z > 0).astype(x.dtype))  # (h, h)
    dz_dvecWi = np.kron(np.eye(h, dtype=x.dtype), x.reshape(1, d))  # (h, h*d)
    dz_dbi = np.eye(h, dtype=x.dtype)  # (h, h)
    dyhat_dWo = H.reshape(1, h)  # (1, h)

    ds_dz = ds_dyhat @ dyhat_dH @ dH_dz  # (1, h)
    ds_dvecWi = ds_dz @ dz_dvecWi  # (1, h*d)
    dWi: NDArray[Any] = ds_dvecWi.reshape(-1, order="F").reshape((d, h), order="F")  # unvec of the transpose
    dbi = (ds_dz @ dz_dbi).reshape(h)
    dWo = (ds_dyhat @ dyhat_dWo).reshape(h)
    dbo = float(ds_dyhat[0, 0])
    return dWi, dbi, dWo, dbo
