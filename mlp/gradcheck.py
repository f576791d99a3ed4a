"""Checking backpropagation against central finite differences.

For each parameter θ, ∂L/∂θ ≈ (L(θ + ε) - L(θ - ε)) / 2ε. Its truncation error grows
as ε² and its rounding error as (machine epsilon)/ε; in float64 ε = 1e-5 (near the cube
root of machine epsilon) balances the two. Analytic and numerical gradients are compared
by the relative error ‖a - n‖ / (‖a‖ + ‖n‖) of each parameter, which is scale-free:
about 1e-7 or less means the derivative is right, 1e-2 or more means it is wrong.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from mlp import scalar, vectorized
from mlp.checks import check_count, check_positive, check_rng
from mlp.params import Params, check_params


def relative_error(analytic, numerical, tiny: float = 1e-300) -> float:
    """‖a - n‖ / (‖a‖ + ‖n‖) over the entries where ``numerical`` is not NaN.

    Measured over a whole parameter rather than entry by entry, so that an entry whose
    true gradient is tiny (and its difference quotient mostly rounding) cannot dominate.
    """
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:  # broadcasting would compare the wrong entries
        raise ValueError(f"analytic and numerical must have one shape, got {a.shape} and {n.shape}")
    checked = ~np.isnan(n)
    a, n = a[checked], n[checked]
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), tiny))


def numerical_gradients(loss: Callable[[Params], float], params: Params, eps: float = 1e-5,
                        entries: int | None = None, rng=None) -> Params:
    """Central-difference gradient of ``loss`` with respect to the entries of ``params``.

    With ``entries``, only that many randomly chosen entries of each field are
    differentiated (the rest are NaN): a large network has too many to try them all.
    """
    if not callable(loss):
        raise TypeError(f"loss must be a function of the parameters, got {loss!r}")
    params = check_params(params).asarrays(np.float64)
    eps = check_positive(eps, "eps")
    entries = None if entries is None else check_count(entries, "entries")
    return Params(*central_differences(lambda: loss(params), list(params), eps, entries, rng))


def central_differences(loss: Callable[[], float], arrays: list, eps: float = 1e-5,
                        entries: int | None = None, rng=None) -> list:
    """(loss(a + ε) - loss(a - ε)) / 2ε for each entry of each of ``arrays``, which ``loss``
    reads: each entry is moved in place and put back. With ``entries``, only that many
    randomly chosen entries of each array (the rest are NaN)."""
    rng = check_rng(rng, "rng")
    grads = []
    for array in arrays:
        flat, flat_grad = array.reshape(-1), np.full(array.size, np.nan)  # flat: a view into array
        chosen = range(flat.size)
        if entries is not None and entries < flat.size:
            chosen = rng.choice(flat.size, size=entries, replace=False)
        for index in chosen:
            saved = flat[index]
            flat[index] = saved + eps
            up = loss()
            flat[index] = saved - eps
            down = loss()
            flat[index] = saved
            flat_grad[index] = (up - down) / (2 * eps)
        grads.append(flat_grad.reshape(array.shape))
    return grads


class Check(NamedTuple):
    """Per-parameter relative errors of one gradient check, and their maximum."""

    errors: dict
    max_error: float


def compare(analytic: Params, numerical: Params) -> Check:
    """Relative error of each field of ``analytic`` against ``numerical``."""
    for name, given in (("analytic", analytic), ("numerical", numerical)):
        if not isinstance(given, Params):
            raise TypeError(f"{name} must be an mlp.Params, got {type(given).__name__}")
    errors = {name: relative_error(a, n) for name, a, n in zip(Params._fields, analytic, numerical)}
    return Check(errors, max(errors.values()))


def vectorized_loss(x: np.ndarray, labels: np.ndarray, reduction: str = "sum") -> Callable[[Params], float]:
    """The loss of a checked batch as a function of the parameters, for `numerical_gradients`."""
    return lambda p: vectorized.cross_entropy(vectorized.forward(x, p).z, labels, reduction)


def scalar_loss(x: list, label: int) -> Callable[[Params], float]:
    """The loss of one checked example as a function of the parameters, in the scalar form."""
    return lambda p: scalar.cross_entropy(scalar.forward(x, p.tolist()).z, label)


def check_vectorized(x, labels, params: Params, reduction: str = "sum", eps: float = 1e-5,
                     entries: int | None = None, rng=None) -> Check:
    """Gradient check of `mlp.vectorized.gradients` on a batch."""
    _, analytic = vectorized.gradients(x, labels, params, reduction)
    x, labels, _ = vectorized.check_batch(x, labels, params)
    loss = vectorized_loss(x, labels, reduction)
    return compare(analytic, numerical_gradients(loss, params, eps, entries, rng))


def check_scalar(x, label: int, params: Params, eps: float = 1e-5,
                 entries: int | None = None, rng=None) -> Check:
    """Gradient check of `mlp.scalar.gradients` on one example."""
    _, analytic = scalar.gradients(x, label, params)
    x, label, _ = scalar.check_example(x, label, params)
    return compare(analytic, numerical_gradients(scalar_loss(x, label), params, eps, entries, rng))
