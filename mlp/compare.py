"""The two forms side by side: do they compute the same numbers, and how fast.

`scalar_vs_vectorized` and `batch_vs_examples` measure how far apart the
scalar and the vectorized gradients are; `speed` times both forms' forward and
backward pass on the same network and reports examples per second.
"""

from __future__ import annotations

import statistics
import timeit
from typing import NamedTuple

import numpy as np

from mlp import scalar, vectorized
from mlp.params import Params
from mlp.stopwatch import interleaved, repeated

FIELDS = ("loss", *Params._fields)


class Difference(NamedTuple):
    """How far apart two arrays are: the largest entry-wise gap, absolute and relative."""

    absolute: float  # max |a - b|
    relative: float  # max |a - b| / max |b|: the gap against the size of the values


def difference(a, b) -> Difference:
    """The `Difference` of ``a`` from the reference ``b`` (arrays or nested lists)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    absolute = float(np.max(np.abs(a - b)))
    scale = float(np.max(np.abs(b)))
    return Difference(absolute, absolute / scale if scale > 0 else (0.0 if absolute == 0 else np.inf))


def worst(differences) -> Difference:
    """The largest absolute and the largest relative gap of several `Difference` s."""
    differences = list(differences)
    return Difference(max(d.absolute for d in differences), max(d.relative for d in differences))


def scalar_vs_vectorized(x, labels, params: Params) -> dict:
    """``{"loss": Difference, "w": ..., "b": ..., "v": ..., "c": ...}``, worst over the examples.

    Each row of ``x`` goes through `mlp.scalar.gradients` and, as a batch of one,
    through `mlp.vectorized.gradients`; the vectorized values are the reference.
    """
    found = {name: [] for name in FIELDS}
    for xi, label in zip(np.asarray(x), np.asarray(labels)):
        loss_s, grads_s = scalar.gradients(xi, int(label), params)
        loss_v, grads_v = vectorized.gradients(xi[None, :], [label], params)
        for name, a, b in zip(FIELDS, (loss_s, *grads_s), (loss_v, *grads_v)):
            found[name].append(difference(a, b))
    return {name: worst(found[name]) for name in FIELDS}


def batch_vs_examples(x, labels, params: Params) -> dict:
    """The batch loss and gradients against the sum of the examples' own (scalar) ones.

    ``{"sum": {field: Difference}, "mean": {field: Difference}}``: for ``"sum"`` the batch
    values of `mlp.vectorized.gradients` are compared with the sum over examples of
    `mlp.scalar.gradients`; for ``"mean"`` with that sum divided by the batch size.
    """
    x, labels = np.asarray(x), np.asarray(labels)
    total_loss, total = 0.0, None
    for xi, label in zip(x, labels):
        loss, grads = scalar.gradients(xi, int(label), params)
        total_loss += loss
        total = grads.asarrays() if total is None else total + grads.asarrays()
    out = {}
    for reduction, scale in (("sum", 1.0), ("mean", 1.0 / len(x))):
        loss, grads = vectorized.gradients(x, labels, params, reduction)
        out[reduction] = {name: difference(a, scale * np.asarray(b))
                          for name, a, b in zip(FIELDS, (loss, *grads), (total_loss, *total))}
    return out


class Timing(NamedTuple):
    """One form's measured speed: seconds per example in each repeat."""

    form: str  # "scalar" or "vectorized"
    batch_size: int  # examples per forward and backward pass
    seconds: list  # seconds per example, one value per repeat

    @property
    def median(self) -> float:
        """The median over the repeats of the seconds per example."""
        return statistics.median(self.seconds)

    @property
    def examples_per_second(self) -> float:
        """Examples per second, from the median time."""
        return 1.0 / self.median


def speed(params: Params, batch_sizes=(1, 100), repeat: int = 5,
          threads: int | None = 1, seed=0) -> list[Timing]:
    """Time one forward and backward pass of each form on ``params``' network.

    The first `Timing` is the scalar form (one example per pass), then the
    vectorized form at each of ``batch_sizes``, on random inputs. Only the bare
    equations are timed (`mlp.scalar.forward` and ``backward``, the same of
    `mlp.vectorized`), not the argument checks. Each measurement runs a pass as
    many times as fills 0.2 s (``timeit``'s autorange); the forms take turns,
    ``repeat`` rounds of one measurement each, so that a change in the machine's load
    touches all of them alike. ``threads`` caps the BLAS threads of NumPy (``None``
    leaves them alone); 1 matches the scalar form, which uses one core.
    """
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    params = params.asarrays()
    n_in, _, n_out = params.sizes
    x, labels = rng.normal(size=(max(batch_sizes), n_in)), rng.integers(0, n_out, size=max(batch_sizes))
    as_lists, x0, label0 = params.tolist(), x[0].tolist(), int(labels[0])

    def scalar_pass():
        scalar.backward(x0, label0, as_lists, scalar.forward(x0, as_lists))

    def vectorized_pass(batch_size):
        xb, lb = x[:batch_size], labels[:batch_size]
        return lambda: vectorized.backward(xb, lb, params, vectorized.forward(xb, params))

    contenders = [("scalar", 1, scalar_pass)] + [("vectorized", b, vectorized_pass(b)) for b in batch_sizes]
    with threadpool_limits(threads):
        numbers = [timeit.Timer(fn).autorange()[0] for _, _, fn in contenders]
        seconds = interleaved({i: repeated(fn, number) for i, ((_, _, fn), number) in enumerate(zip(contenders, numbers))},
                              repeat)
    return [Timing(form, batch_size, (seconds[i] / (number * batch_size)).tolist())
            for i, ((form, batch_size, _), number) in enumerate(zip(contenders, numbers))]

