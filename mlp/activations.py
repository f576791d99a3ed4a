"""The hidden layer's activations, each beside its derivative: defined once, here.

An activation is a pair: ``f`` computes h = f(k) element by element, and ``df`` its
derivative f'(k), given both k and h, so that each can use the cheaper of the two
(σ'(k) = h (1 - h) needs no exponential; ReLU's mask reads k). The backward pass
multiplies by it: dk = dh ⊙ f'(k). Every vectorized form that trains takes its
activation from `ACTIVATIONS`; adding one there makes it trainable.

Each function writes its result into ``out`` when given one (k's shape and dtype; it may
be ``k`` itself) and returns it, so that the training step (`mlp.vectorized.step`) need
not allocate a new array at every update.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    """h = f(k, out=None) and f'(k) = df(k, h, out=None), both element-wise, in k's dtype."""

    f: Callable[..., np.ndarray]
    df: Callable[..., np.ndarray]


def sigmoid(k: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(k) = 1 / (1 + e^(-k)), computed without overflow for any finite k: with e = e^(-|k|),
    in (0, 1], σ(k) = 1 / (1 + e) for k ≥ 0 and e / (1 + e) for k < 0."""
    right = k >= 0
    e = np.abs(k)
    np.negative(e, out=e)
    np.exp(e, out=e)
    h = np.add(e, 1.0, out=out)
    np.maximum(e, right, out=e)  # the numerator: 1 for k ≥ 0 (e ≤ 1), e for k < 0
    return np.divide(e, h, out=h)


def sigmoid_prime(k: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ'(k) = σ(k) (1 - σ(k)) = h (1 - h)."""
    d = np.subtract(1.0, h, out=out)
    return np.multiply(d, h, out=d)


def tanh(k: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(k) = (e^k - e^(-k)) / (e^k + e^(-k))."""
    return np.tanh(k, out=out)


def tanh_prime(k: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh'(k) = 1 - tanh(k)² = 1 - h²."""
    d = np.multiply(h, h, out=out)
    return np.subtract(1.0, d, out=d)


def relu(k: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(k, 0)."""
    return np.maximum(k, 0, out=out)


def relu_prime(k: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 where k > 0, else 0 (the derivative at 0 taken as 0)."""
    return np.greater(k, 0, out=np.empty_like(k) if out is None else out)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_prime),
    "tanh": Activation(tanh, tanh_prime),
    "relu": Activation(relu, relu_prime),
}
