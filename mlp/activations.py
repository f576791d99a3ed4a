"""The hidden layer's activations, each beside its derivative: defined once, here.

An activation is a pair: ``f`` computes h = f(k) element by element, and ``df`` its
derivative f'(k), given both k and h, so that each can use the cheaper of the two
(σ'(k) = h (1 - h) needs no exponential; ReLU's mask reads k). The backward pass
multiplies by it: dk = dh ⊙ f'(k). Every vectorized form that trains takes its
activation from `ACTIVATIONS`; adding one there makes it trainable.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    """h = f(k) and f'(k) = df(k, h), both element-wise, in k's dtype."""

    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]


def sigmoid(k: np.ndarray) -> np.ndarray:
    """σ(k) = 1 / (1 + e^(-k)), computed without overflow for any finite k."""
    e = np.exp(-np.abs(k))  # in (0, 1]: never overflows
    return np.where(k >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(k: np.ndarray, h: np.ndarray) -> np.ndarray:
    """σ'(k) = σ(k) (1 - σ(k)) = h (1 - h)."""
    return h * (1.0 - h)


def tanh_prime(k: np.ndarray, h: np.ndarray) -> np.ndarray:
    """tanh'(k) = 1 - tanh(k)² = 1 - h²."""
    return 1.0 - h * h


def relu(k: np.ndarray) -> np.ndarray:
    """max(k, 0)."""
    return np.maximum(k, 0)


def relu_prime(k: np.ndarray, h: np.ndarray) -> np.ndarray:
    """1 where k > 0, else 0 (the derivative at 0 taken as 0)."""
    return (k > 0).astype(k.dtype)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_prime),
    "tanh": Activation(np.tanh, tanh_prime),
    "relu": Activation(relu, relu_prime),
}
