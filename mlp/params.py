"""The network's parameters, and their initialization.

The four fields mirror the report's symbols: the first layer ``k = x w + b`` and the
second layer ``z = h v + c``. A gradient is a `Params` of the same shapes, so a
gradient-descent step reads ``params - lr * grads``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp.checks import check_count, check_float_type, check_positive, check_rng


class Params(NamedTuple):
    """Weights and biases of the two layers.

    Shapes: ``w`` (n_in, n_hid), ``b`` (n_hid,), ``v`` (n_hid, n_out), ``c`` (n_out,).
    Arithmetic (``+``, ``-``, ``*`` by a number) acts field by field; the fields may
    be NumPy arrays or, for the scalar network, nested lists of floats.
    """

    w: object
    b: object
    v: object
    c: object

    def map(self, fn, *others: "Params") -> "Params":
        """Apply ``fn`` to each field (and the matching fields of ``others``)."""
        return Params(*(fn(*fields) for fields in zip(self, *others)))

    def __add__(self, other):
        return self.map(np.add, other)

    def __sub__(self, other):
        return self.map(np.subtract, other)

    def __mul__(self, scale):
        return self.map(lambda field: np.multiply(field, scale))

    __rmul__ = __mul__

    def __neg__(self):
        return self.map(np.negative)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(n_in, n_hid, n_out)``, read from the weight shapes."""
        w, v = np.shape(self.w), np.shape(self.v)
        return w[0], w[1], v[1]

    def tolist(self) -> "Params":
        """The same parameters as nested lists of Python floats (for the scalar form)."""
        return self.map(lambda field: np.asarray(field, dtype=float).tolist())

    def asarrays(self, dtype=np.float64) -> "Params":
        """The same parameters as NumPy arrays of ``dtype``."""
        return self.map(lambda field: np.asarray(field, dtype=dtype))


INIT_NAMES = ("lecun", "glorot", "uniform")  # named initializations of `init_params`


def init_params(
    n_in: int,
    n_hid: int,
    n_out: int,
    rng=None,
    *,
    scale: float | str = 1.0,
    dtype=np.float64,
) -> Params:
    """Random weights and zero biases, as in the report (section 3.1).

    ``scale`` sets the weights' distribution: a number is the standard deviation of a
    normal (the report uses 1.0, a standard normal); ``"lecun"`` is a normal of standard
    deviation ``sqrt(1/fan_in)`` (LeCun et al., 1998); ``"glorot"`` one of
    ``sqrt(2/(fan_in + fan_out))`` (Glorot and Bengio, 2010, also called Xavier);
    ``"uniform"`` is uniform on ``±1/sqrt(fan_in)``, the default of common libraries
    (PyTorch's ``nn.Linear``), of standard deviation ``sqrt(1/(3 fan_in))``. ``rng`` is a
    seed or a ``numpy.random.Generator``; the global NumPy RNG is never touched. ``dtype``
    is float64 or float32, the types the package computes (and is tested) in.
    """
    n_in, n_hid = check_count(n_in, "n_in"), check_count(n_hid, "n_hid")
    n_out = check_count(n_out, "n_out", minimum=2)  # softmax over at least two classes
    dtype = check_float_type(dtype)
    if scale == "xavier":
        raise ValueError("scale 'xavier' is ambiguous: use 'lecun' for sqrt(1/fan_in) "
                         "or 'glorot' for sqrt(2/(fan_in + fan_out)) (Glorot and Bengio's, often called Xavier)")
    if isinstance(scale, str):
        if scale not in INIT_NAMES:
            raise ValueError(f"scale must be a positive number or one of {', '.join(map(repr, INIT_NAMES))}, got {scale!r}")
    else:
        scale = check_positive(scale, "scale")
    rng = check_rng(rng, "rng")

    def draw(fan_in: int, fan_out: int) -> np.ndarray:
        if scale == "uniform":
            bound = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-bound, bound, size=(fan_in, fan_out))
        std = {"lecun": np.sqrt(1.0 / fan_in), "glorot": np.sqrt(2.0 / (fan_in + fan_out))}.get(scale, scale)
        return rng.normal(0.0, float(std), size=(fan_in, fan_out))

    w, v = draw(n_in, n_hid), draw(n_hid, n_out)
    return Params(w, np.zeros(n_hid), v, np.zeros(n_out)).asarrays(dtype)


def random_params(n_in: int, n_hid: int, n_out: int, rng=None, *, scale: float | str = 1.0,
                  dtype=np.float64) -> Params:
    """`init_params`, then biases ``b`` and ``c`` drawn from a standard normal with the same ``rng``:
    a network in which every parameter moves the loss, for checking gradients and steps."""
    rng = check_rng(rng, "rng")
    params = init_params(n_in, n_hid, n_out, rng, scale=scale, dtype=dtype)
    return params._replace(b=rng.normal(size=n_hid), c=rng.normal(size=n_out)).asarrays(dtype)
