"""The network's parameters, and their initialization.

The four fields mirror the report's symbols: the first layer ``k = x w + b`` and the
second layer ``z = h v + c``. A gradient is a `Params` of the same shapes, so a
gradient-descent step reads ``params - lr * grads``.
"""

from __future__ import annotations

from numbers import Number
from typing import NamedTuple

import numpy as np

from mlp.checks import as_float_array, check_count, check_float_type, check_positive, check_rng


class Params(NamedTuple):
    """Weights and biases of the two layers.

    Shapes: ``w`` (n_in, n_hid), ``b`` (n_hid,), ``v`` (n_hid, n_out), ``c`` (n_out,).
    Arithmetic (``+``, ``-`` with a `Params` of the same shapes, ``*`` by a number) acts
    field by field; the fields may be NumPy arrays or, for the scalar network, nested lists
    of floats.
    """

    w: object
    b: object
    v: object
    c: object

    def map(self, fn, *others: "Params") -> "Params":
        """Apply ``fn`` to each field (and the matching fields of ``others``)."""
        return Params(*(fn(*fields) for fields in zip(self, *others)))

    def __add__(self, other):
        return self.map(np.add, self._same_shapes(other, "+"))

    def __sub__(self, other):
        return self.map(np.subtract, self._same_shapes(other, "-"))

    def __mul__(self, scale):
        if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, Number):
            raise TypeError(f"Params can be multiplied only by a number, got {type(scale).__name__}")
        return self.map(lambda field: np.multiply(field, scale))

    __rmul__ = __mul__

    def __neg__(self):
        return self.map(np.negative)

    def _same_shapes(self, other, op: str) -> "Params":
        """``other``, if it is a `Params` whose fields have the shapes of this one's."""
        if not isinstance(other, Params):
            raise TypeError(f"Params {op} needs another Params (w, b, v, c), got {type(other).__name__}")
        for name, mine, theirs in zip(self._fields, self, other):
            if np.shape(mine) != np.shape(theirs):
                raise ValueError(f"Params {op} needs the same shapes: {name} is {np.shape(mine)} "
                                 f"on the left, {np.shape(theirs)} on the right")
        return other

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(n_in, n_hid, n_out)``, read from the weight shapes."""
        w, v = np.shape(self.w), np.shape(self.v)
        for name, shape in (("w", w), ("v", v)):
            if len(shape) != 2:
                raise ValueError(f"params.{name} must have 2 dimensions, got shape {shape}")
        return w[0], w[1], v[1]

    def tolist(self) -> "Params":
        """The same parameters as nested lists of Python floats (for the scalar form)."""
        return self.map(lambda field: np.asarray(field, dtype=float).tolist())

    def asarrays(self, dtype=np.float64) -> "Params":
        """The same parameters as NumPy arrays of ``dtype``."""
        return self.map(lambda field: np.asarray(field, dtype=dtype))


INIT_NAMES = ("lecun", "glorot", "uniform")  # named initializations of `init_params`


def check_init(scale, name: str = "scale"):
    """``scale`` if `init_params` takes it: a positive finite number or one of `INIT_NAMES`."""
    if scale == "xavier":
        raise ValueError(f"{name} 'xavier' is ambiguous: use 'lecun' for sqrt(1/fan_in) "
                         "or 'glorot' for sqrt(2/(fan_in + fan_out)) (Glorot and Bengio's, often called Xavier)")
    if isinstance(scale, str):
        if scale not in INIT_NAMES:
            raise ValueError(f"{name} must be a positive number or one of {', '.join(map(repr, INIT_NAMES))}, "
                             f"got {scale!r}")
        return scale
    return check_positive(scale, name)


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
    scale = check_init(scale, "scale")
    rng = check_rng(rng, "rng")

    def draw(fan_in: int, fan_out: int) -> np.ndarray:
        if scale == "uniform":
            bound = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-bound, bound, size=(fan_in, fan_out))
        std = {"lecun": np.sqrt(1.0 / fan_in), "glorot": np.sqrt(2.0 / (fan_in + fan_out))}.get(scale, scale)
        return rng.normal(0.0, float(std), size=(fan_in, fan_out))

    w, v = draw(n_in, n_hid), draw(n_hid, n_out)
    with np.errstate(over="ignore"):  # a scale too large for dtype: refused just below
        params = Params(w, np.zeros(n_hid), v, np.zeros(n_out)).asarrays(dtype)
    if not all(np.all(np.isfinite(field)) for field in params):
        raise ValueError(f"scale {scale!r} is too large: the weights overflow {np.dtype(dtype)}")
    return params


def check_params(params) -> Params:
    """``params`` as a `Params` of float arrays with consistent shapes: at least one input
    and one hidden unit, and two classes (a softmax over one class is always right)."""
    if not isinstance(params, Params):
        raise TypeError(f"params must be an mlp.Params, got {type(params).__name__}")
    w = as_float_array(params.w, "params.w", 2)
    dtype = w.dtype
    b = as_float_array(params.b, "params.b", 1, dtype)
    v = as_float_array(params.v, "params.v", 2, dtype)
    c = as_float_array(params.c, "params.c", 1, dtype)
    n_in, n_hid = w.shape
    if b.shape != (n_hid,) or v.shape[0] != n_hid or c.shape != (v.shape[1],):
        raise ValueError(
            "params shapes do not fit together: "
            f"w {w.shape}, b {b.shape}, v {v.shape}, c {c.shape}; "
            "expected (n_in, n_hid), (n_hid,), (n_hid, n_out), (n_out,)"
        )
    if n_in < 1 or n_hid < 1 or v.shape[1] < 2:
        raise ValueError(f"params must have n_in >= 1, n_hid >= 1 and n_out >= 2, got sizes "
                         f"{n_in}-{n_hid}-{v.shape[1]}")
    return Params(w, b, v, c)


FORMAT = "mlp-params-1"  # the `save` format's name, stored in the file


def save(path, params: Params) -> None:
    """Write ``params`` to ``path`` as an ``.npz`` of the four arrays (and a format tag).

    Nothing but arrays of numbers: `load` reads it with ``allow_pickle=False``. NumPy adds
    ``.npz`` to a name without it.
    """
    params = check_params(params)
    np.savez(path, format=np.array(FORMAT), **params._asdict())


def load(path) -> Params:
    """The `Params` that `save` wrote to ``path``, checked as `check_params` checks them.

    A file that is not such an ``.npz`` (another format, a missing or extra array, arrays
    whose shapes or float type do not fit together) raises a ``ValueError`` naming ``path``.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except FileNotFoundError:
        raise
    except Exception as error:  # not a zip, a damaged one, or a pickled object
        raise ValueError(f"{path} is not a parameters file written by mlp.save: {error}") from None
    if set(arrays) != {"format", *Params._fields} or str(arrays.pop("format")[()]) != FORMAT:
        raise ValueError(f"{path} is not a parameters file written by mlp.save: it holds "
                         f"{', '.join(sorted(arrays)) or 'nothing'}; expected format, w, b, v and c")
    try:
        return check_params(Params(**arrays))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None


def random_params(n_in: int, n_hid: int, n_out: int, rng=None, *, scale: float | str = 1.0,
                  dtype=np.float64) -> Params:
    """`init_params`, then biases ``b`` and ``c`` drawn from a standard normal with the same ``rng``:
    a network in which every parameter moves the loss, for checking gradients and steps."""
    rng = check_rng(rng, "rng")
    params = init_params(n_in, n_hid, n_out, rng, scale=scale, dtype=dtype)
    return params._replace(b=rng.normal(size=n_hid), c=rng.normal(size=n_out)).asarrays(dtype)
