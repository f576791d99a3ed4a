"""The backward pass as layers: any depth, any activation, from one rule per layer.

Each layer's ``forward`` computes its output and keeps what its backward pass needs;
its ``backward(d_out)`` takes the gradient of the loss with respect to that output and
returns ``(d_in, d_params)``: the gradient with respect to its input, and with respect to
its own parameters (empty for a layer with none). A network is a list of layers ending in
`SoftmaxCrossEntropy`; `gradients` runs the list forward, then backward in reverse. With
``[Linear(w, b), Sigmoid(), Linear(v, c), SoftmaxCrossEntropy()]`` it computes what
`mlp.vectorized.gradients` computes (eq. 2.3 and 2.4); `from_params` builds that list.
"""

from __future__ import annotations

import numpy as np

from mlp.activations import ACTIVATIONS
from mlp.checks import check_choice
from mlp.params import Params
from mlp.vectorized import cross_entropy, one_hot, softmax


class Linear:
    """out = a w + b (the report's k = x w + b and z = h v + c)."""

    def __init__(self, w: np.ndarray, b: np.ndarray):
        self.w, self.b = w, b

    @property
    def params(self) -> tuple:
        return self.w, self.b

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return a @ self.w + self.b

    def backward(self, d_out: np.ndarray) -> tuple:
        # dw = aᵀ d_out, db = Σ_rows d_out (as dv, dc and dw, db of eq. 2.4); d_in = d_out wᵀ (as dh)
        return d_out @ self.w.T, (self.a.T @ d_out, d_out.sum(axis=0))


class Activation:
    """h = f(k) element by element; backward: dk = dh ⊙ f'(k). ``name`` is a key of
    `mlp.activations.ACTIVATIONS`."""

    params = ()

    def __init__(self, name: str):
        self.name = check_choice(name, "activation", tuple(ACTIVATIONS))
        self.f, self.df = ACTIVATIONS[name]

    def forward(self, k: np.ndarray) -> np.ndarray:
        self.k, self.h = k, self.f(k)
        return self.h

    def backward(self, dh: np.ndarray) -> tuple:
        return dh * self.df(self.k, self.h), ()


class Sigmoid(Activation):
    """h = σ(k); dk = dh ⊙ h (1 - h)."""

    def __init__(self):
        super().__init__("sigmoid")


class Tanh(Activation):
    """h = tanh(k); dk = dh ⊙ (1 - h²)."""

    def __init__(self):
        super().__init__("tanh")


class ReLU(Activation):
    """h = max(k, 0); dk = dh where k > 0, else 0."""

    def __init__(self):
        super().__init__("relu")


class SoftmaxCrossEntropy:
    """The loss of logits z against integer labels: y = softmax(z), -Σ ln y_label (or the
    mean); as one layer, its backward is dz = y - t (divided by B for the mean)."""

    params = ()

    def __init__(self, reduction: str = "sum"):
        self.reduction = reduction

    def forward(self, z: np.ndarray, labels: np.ndarray) -> float:
        self.y, self.labels = softmax(z), labels
        return cross_entropy(z, labels, self.reduction)

    def backward(self, d_loss: float = 1.0) -> tuple:
        dz = d_loss * (self.y - one_hot(self.labels, self.y.shape[1], self.y.dtype))
        return (dz / len(dz) if self.reduction == "mean" else dz), ()


def gradients(layers: list, x: np.ndarray, labels: np.ndarray) -> tuple[float, list]:
    """The loss and every layer's parameter gradients (a tuple per layer, in order):
    forward through the list, then each layer's backward in reverse, each passing d_in on."""
    a = x
    for layer in layers[:-1]:
        a = layer.forward(a)
    loss = layers[-1].forward(a, labels)
    d, grads = 1.0, []
    for layer in reversed(layers):
        d, d_params = layer.backward(d)
        grads.append(d_params)
    return loss, grads[::-1]


def network(sizes, activation: str = "sigmoid", rng=None, reduction: str = "sum") -> list:
    """Layers for ``sizes`` = (n_in, n_hid, ..., n_out): a `Linear` between each pair, the
    activation after each but the last, then `SoftmaxCrossEntropy`. Weights are drawn
    N(0, 1/fan_in) (LeCun), biases too, so that no gradient starts at zero."""
    rng = np.random.default_rng(rng)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        scale = 1.0 / np.sqrt(fan_in)
        layers.append(Linear(rng.normal(0.0, scale, (fan_in, fan_out)), rng.normal(0.0, scale, fan_out)))
        if i < len(sizes) - 2:
            layers.append(Activation(activation))
    return layers + [SoftmaxCrossEntropy(reduction)]


def from_params(params: Params, reduction: str = "sum") -> list:
    """The report's network as layers: [Linear(w, b), Sigmoid(), Linear(v, c), SoftmaxCrossEntropy()]."""
    w, b, v, c = params
    return [Linear(w, b), Sigmoid(), Linear(v, c), SoftmaxCrossEntropy(reduction)]


def parameters(layers: list) -> list:
    """Every parameter array of ``layers``, in order (w, b of each `Linear`)."""
    return [p for layer in layers for p in layer.params]
