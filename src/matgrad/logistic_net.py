"""The single-output net with logistic loss, in the argument shapes of source 000.

For one example x (d,) and label Y in {-1, +1}, with Wi (d, h), bi (h,), Wo (h,), bo scalar::

    z = x Wi + bi   (h,)        H = relu(z)   (h,)        yhat = H . Wo + bo   (scalar)
    s = log(1 + exp(-Y yhat))

A batch X (N, d) with labels Y (N,) is the same net on every row; its loss is the SUM of the
per-example losses (not the mean), so its gradient is the sum of the per-example gradients.

:func:`logistic_net_gradient` is the fast route: the layer formulas of :mod:`matgrad.layers`
(the inputs are validated once, here), without copies;
:func:`logistic_net_gradient_kronecker` is the explicit-Jacobian route for one example, written
to teach the Kronecker form of d z / d vec(Wi), not to be fast.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import (
    as_numeric,
    check_finite,
    check_ndim,
    common_float_dtype,
    sign_labels,
    to_float,
)
from .activations import _sigmoid
from .layers import _add_bias_relu, _affine_forward, _column_sums, _relu_forward
from .losses import _logistic_loss

__all__ = [
    "logistic_net_forward",
    "logistic_net_gradient",
    "logistic_net_gradient_kronecker",
    "logistic_net_loss",
]


def _validated(X, Wi, bi, Wo, bo):
    """Check shapes, dtypes and finiteness; return X, Wi, bi, Wo as arrays and bo as a 0-d array."""
    X, Wi, bi, Wo = (as_numeric(a, n) for a, n in ((X, "X"), (Wi, "Wi"), (bi, "bi"), (Wo, "Wo")))
    weak_bo = isinstance(bo, numbers.Real) and not isinstance(bo, (bool, np.bool_))
    bo_arr = as_numeric(bo, "bo")
    check_ndim(bo_arr, "bo", (0,), "() (a scalar)")
    check_ndim(Wi, "Wi", (2,), "(d, h)")
    d, h = Wi.shape
    check_ndim(X, "X", (1, 2), f"(d,) = ({d},) or (N, d) = (N, {d})")
    if X.shape[-1] != d:
        raise ValueError(
            f"Wi has shape {Wi.shape} but X has {X.shape[-1]} columns (X shape {X.shape}); "
            f"expected Wi of shape ({X.shape[-1]}, h)"
        )
    if X.ndim == 2 and X.shape[0] == 0:
        raise ValueError("X must have at least one row; got shape (0, d)")
    if bi.shape != (h,):
        raise ValueError(f"bi must have shape (h,) = ({h},) to match Wi {Wi.shape}; got {bi.shape}")
    if Wo.shape != (h,):
        raise ValueError(f"Wo must have shape (h,) = ({h},) to match Wi {Wi.shape}; got {Wo.shape}")
    # A Python number for bo is "weak": it takes the arrays' dtype.
    named = dict(X=X, Wi=Wi, bi=bi, Wo=Wo) if weak_bo else dict(X=X, Wi=Wi, bi=bi, Wo=Wo, bo=bo_arr)
    dtype = common_float_dtype(**named)
    out = [to_float(a, dtype) for a in (X, Wi, bi, Wo, bo_arr)]
    for arr, name in zip(out, ("X", "Wi", "bi", "Wo", "bo"), strict=True):
        check_finite(arr, name)
    return out


def _forward(X, Wi, bi, Wo, bo):
    """Forward pass through the layers on validated arrays, X (N, d): yhat (N,) and the layer caches."""
    Z, affine_in = _affine_forward(X, Wi, bi)  # (N, h)
    H, relu_cache = _relu_forward(Z)  # (N, h)
    Yhat, affine_out = _affine_forward(H, Wo[:, None], bo.reshape(1))  # (N, 1); Wo as an (h, 1) view
    return Yhat[:, 0], (affine_in, relu_cache, affine_out)


def _loss_and_gradient(X, Y, Wi, bi, Wo, bo):
    """Summed loss and the gradient tuple in one forward/backward pass (validates its inputs).

    The layers' formulas, with X (N, d) (one example is the batch N = 1). Forward:
    ``Z = X Wi + 1 bi^T``, ``H = relu(Z)``, ``yhat = H Wo + bo``. Backward, with
    ``g = dL/dyhat = -Y sigmoid(-Y yhat)``: ``grad_bo = 1^T g``, ``grad_Wo = H^T g``,
    ``G = (g Wo^T) * 1[H > 0]``, ``grad_Wi = X^T G``, ``grad_bi = G^T 1``. ``dL/dX = G Wi^T`` is
    not computed: X is data.

    Z becomes H in place; G is a second N x h array, beside the boolean ReLU mask. The outer
    product g Wo^T is taken with ``einsum``: measured here, it ran 2-5x faster than the same product
    as a matrix product with an inner dimension of 1 (``g[:, None] @ Wo[None, :]``, which OpenBLAS
    handles poorly) and made no temporary buffer, unlike ``np.outer``.
    """
    X, Wi, bi, Wo, bo = _validated(X, Wi, bi, Wo, bo)
    Y = sign_labels(Y, X.shape[:-1], X.dtype, "Y").reshape(-1)
    X = np.atleast_2d(X)
    H = X @ Wi
    _add_bias_relu(H, bi)  # (N, h)
    yhat = H @ Wo
    yhat += bo  # (N,)
    loss, g = _logistic_loss(yhat, Y)  # g = dL/dyhat, (N,)
    dWo = H.T @ g  # (h,)
    G = np.einsum("n,j->nj", g, Wo)  # dL/dH = g Wo^T, (N, h), an outer product (see below)
    G *= H > 0  # dL/dZ: the ReLU mask
    return loss, (X.T @ G, _column_sums(G), dWo, float(g.sum()))


def logistic_net_forward(X, Wi, bi, Wo, bo):
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
    X, Wi, bi, Wo, bo = _validated(X, Wi, bi, Wo, bo)
    yhat, _ = _forward(np.atleast_2d(X), Wi, bi, Wo, bo)
    return float(yhat[0]) if X.ndim == 1 else yhat


def logistic_net_loss(X, Y, Wi, bi, Wo, bo):
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
    X, Wi, bi, Wo, bo = _validated(X, Wi, bi, Wo, bo)
    Y = sign_labels(Y, X.shape[:-1], X.dtype, "Y").reshape(-1)
    yhat, _ = _forward(np.atleast_2d(X), Wi, bi, Wo, bo)
    return _logistic_loss(yhat, Y)[0]


def logistic_net_gradient(X, Y, Wi, bi, Wo, bo):
    """Gradient of the (summed) logistic loss of the net with respect to Wi, bi, Wo, bo.

    Backward through the layers: ``g = dL/dyhat = -Y sigmoid(-Y yhat)`` (N,), then
    ``grad_bo = sum g``, ``grad_Wo = H^T g``, ``G = (g Wo^T) * 1[z > 0]`` (N, h),
    ``grad_Wi = X^T G``, ``grad_bi = G^T 1``. For one example ``grad_Wi`` is the outer product
    ``x g_z^T``: O(dh) work, where the Kronecker route builds an h x hd Jacobian.

    Parameters
    ----------
    X : array_like of shape (d,) (one example) or (N, d) (a batch, summed loss)
    Y : -1 or +1 for X (d,); shape (N,) with entries -1/+1 for X (N, d)
    Wi : (d, h); bi : (h,); Wo : (h,); bo : scalar

    Returns
    -------
    grad_Wi : ndarray (d, h)
    grad_bi : ndarray (h,)
    grad_Wo : ndarray (h,)
    grad_bo : float

    Raises
    ------
    ValueError
        As :func:`logistic_net_loss`.
    """
    return _loss_and_gradient(X, Y, Wi, bi, Wo, bo)[1]


def logistic_net_gradient_kronecker(X, Y, Wi, bi, Wo, bo):
    """The same gradient for ONE example, by multiplying explicit Jacobians (a teaching function).

    Numerator-layout Jacobians, vec column-major (``vec(Wi) = Wi.reshape(-1, order="F")``)::

        z = Wi^T x + bi = (I_h kron x^T) vec(Wi) + bi     so  dz/dvec(Wi) = I_h kron x^T  (h, hd)
        dH/dz = diag(1[z > 0])  (h, h)      dyhat/dH = Wo^T  (1, h)      ds/dyhat = -Y sigmoid(-Y yhat)

        ds/dvec(Wi) = ds/dyhat  dyhat/dH  dH/dz  dz/dvec(Wi)     (1 x 1)(1 x h)(h x h)(h x hd) = (1, hd)

    and grad_Wi = unvec(ds/dvec(Wi)^T, (d, h)). (Source 000 writes ``x kron I_h`` with an (hd x h)
    shape, which does not compose with the (h x h) factor; ``x^T kron I_h`` would be the row-major
    vec of Wi.) The work is O(h^2 d) per example against O(hd) for the outer product of the fast route.

    Parameters
    ----------
    X : array_like of shape (d,), one example (a batch is rejected)
    Y : -1 or +1
    Wi : (d, h); bi : (h,); Wo : (h,); bo : scalar

    Returns
    -------
    grad_Wi (d, h), grad_bi (h,), grad_Wo (h,), grad_bo float, equal to
    :func:`logistic_net_gradient` to rounding.

    Raises
    ------
    ValueError
        If X is not 1-D, or as :func:`logistic_net_loss`.
    """
    X, Wi, bi, Wo, bo = _validated(X, Wi, bi, Wo, bo)
    if X.ndim != 1:
        raise ValueError(f"the Kronecker route is per example: X must have shape (d,); got {X.shape}")
    Y = sign_labels(Y, (), X.dtype, "Y")
    d, h = Wi.shape
    x = X
    z = Wi.T @ x + bi  # (h,)
    H = np.maximum(z, 0)  # (h,)
    yhat = Wo @ H + bo  # scalar
    ds_dyhat = (-Y * _sigmoid(-Y * yhat)).reshape(1, 1)  # (1, 1)
    dyhat_dH = Wo.reshape(1, h)  # (1, h)
    dH_dz = np.diag((z > 0).astype(x.dtype))  # (h, h)
    dz_dvecWi = np.kron(np.eye(h, dtype=x.dtype), x.reshape(1, d))  # (h, h*d)
    dz_dbi = np.eye(h, dtype=x.dtype)  # (h, h)
    dyhat_dWo = H.reshape(1, h)  # (1, h)

    ds_dz = ds_dyhat @ dyhat_dH @ dH_dz  # (1, h)
    ds_dvecWi = ds_dz @ dz_dvecWi  # (1, h*d)
    grad_Wi = ds_dvecWi.reshape(-1, order="F").reshape((d, h), order="F")  # unvec of the transpose
    grad_bi = (ds_dz @ dz_dbi).reshape(h)
    grad_Wo = (ds_dyhat @ dyhat_dWo).reshape(h)
    grad_bo = float(ds_dyhat[0, 0])
    return grad_Wi, grad_bi, grad_Wo, grad_bo
