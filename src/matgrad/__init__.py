"""matgrad: the reference NumPy implementation behind the matgrad site.

Backpropagation for MLPs in matrix notation, with rows as examples (`Z = X W + b`), gradients
of their variable's shape and numerator-layout Jacobians with column-major vec. Every public name
is importable from here; the modules keep one concept each:

- `matgrad.gradcheck`: vec/unvec, finite differences, relative error, gradient check and its diagnosis
- `matgrad.exercises`: checkable exercises, `check(exercise_id, candidate)` (imported on demand)
- `matgrad.activations`: relu, sigmoid, softmax, log_softmax and derivatives; the tanh and
  GELU (tanh form) layers
- `matgrad.dropout`: inverted dropout (forward/backward pair, the mask kept in the cache)
- `matgrad.layers`: forward/backward pairs (affine, relu, sigmoid, softmax)
- `matgrad.attention`: scaled dot-product attention (causal mask) and multi-head self-attention
- `matgrad.losses`: softmax cross-entropy (mean), logistic loss (sum), mean squared error (mean), L2 penalty
- `matgrad.normalization`: batch norm and layer norm (forward/backward pairs)
- `matgrad.mlp`: the M-layer ReLU net (and the two-layer case)
- `matgrad.logistic_net`: the single-output logistic net of a common course exercise
  (Wi (D, H), bi (H,), Wo (H,), bo scalar; summed logistic loss, labels -1/+1)
- `matgrad.training`: gradient descent and SGD
- `matgrad.datasets`: iris, rings, train/test split
- `matgrad.kernels`: the fast, unchecked, in-place kernels the two nets run (not re-exported)

Gradient names: `dA` always means dL/dA, the gradient of the scalar loss L with respect to A,
of A's shape (`dW`, `db`, `dZ`, `dyhat`, `dWi`, `dbo`, ...); the pages write the
gradient of a layer's pre-activation, dZ_l, as G_l. Teaching code (activations, layers, losses)
is written as the formulas of the pages; the nets validate their inputs once per call and run
`matgrad.kernels`, which tests hold equal to the composition of the teaching layers.
"""

from .activations import (
    gelu_backward,
    gelu_forward,
    log_softmax,
    relu,
    relu_derivative,
    sigmoid,
    softmax,
    softmax_jacobian,
    tanh_backward,
    tanh_forward,
)
from .attention import attention_backward, attention_forward, self_attention_backward, self_attention_forward
from .datasets import IRIS_CLASSES, IRIS_FEATURES, load_iris, make_rings, train_test_split
from .dropout import dropout_backward, dropout_forward
from .gradcheck import (
    GradientCheckError,
    check_gradient,
    diagnose,
    numerical_gradient,
    numerical_jacobian,
    relative_error,
    unvec,
    vec,
)
from .layers import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
)
from .logistic_net import (
    logistic_net_forward,
    logistic_net_gradient,
    logistic_net_gradient_kronecker,
    logistic_net_loss,
    logistic_net_loss_and_grads,
)
from .losses import l2_penalty, logistic_loss, mse_loss, softmax_cross_entropy
from .mlp import init_mlp, mlp_forward_backward, mlp_loss_and_grads, two_layer_forward_backward
from .normalization import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward
from .training import train

__version__ = "0.1.0"

__all__ = [
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "GradientCheckError",
    "affine_backward",
    "affine_forward",
    "attention_backward",
    "attention_forward",
    "batchnorm_backward",
    "batchnorm_forward",
    "check_gradient",
    "diagnose",
    "dropout_backward",
    "dropout_forward",
    "gelu_backward",
    "gelu_forward",
    "init_mlp",
    "l2_penalty",
    "layernorm_backward",
    "layernorm_forward",
    "load_iris",
    "log_softmax",
    "logistic_loss",
    "logistic_net_forward",
    "logistic_net_gradient",
    "logistic_net_gradient_kronecker",
    "logistic_net_loss",
    "logistic_net_loss_and_grads",
    "make_rings",
    "mlp_forward_backward",
    "mlp_loss_and_grads",
    "mse_loss",
    "numerical_gradient",
    "numerical_jacobian",
    "relative_error",
    "relu",
    "relu_backward",
    "relu_derivative",
    "relu_forward",
    "self_attention_backward",
    "self_attention_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "softmax_backward",
    "softmax_cross_entropy",
    "softmax_forward",
    "softmax_jacobian",
    "tanh_backward",
    "tanh_forward",
    "train",
    "train_test_split",
    "two_layer_forward_backward",
    "unvec",
    "vec",
]
