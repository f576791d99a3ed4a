"""One training loop for stochastic (batch size 1) and mini-batch gradient descent.

Each epoch draws a fresh permutation from the seeded generator, gathers the shuffled
data once, and walks it in consecutive batches. Before the first update and after every
epoch the whole training and validation sets are evaluated, so the curves start where
training starts (epoch 0).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from mlp import fast, scalar, vectorized
from mlp.checks import check_reduction
from mlp.params import Params


@dataclass
class History:
    """What a training run recorded.

    Per epoch (index 0 is before any update; with ``record_epochs=False`` only before
    the first and after the last): ``train_loss``/``val_loss`` are the mean
    cross-entropy per example, ``train_accuracy``/``val_accuracy`` the fraction right,
    ``seconds`` the training wall time so far (evaluation excluded). Per update:
    ``step_loss`` is the mean loss per example of the batch, before the update.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(x: np.ndarray, labels: np.ndarray, params: Params, chunk: int = 10_000) -> tuple[float, float]:
    """Mean cross-entropy per example and accuracy of ``params`` on a data set."""
    total_loss, right = 0.0, 0
    dtype, n = np.result_type(x, params.w), min(chunk, len(x))
    h, z = np.empty((n, params.w.shape[1]), dtype), np.empty((n, params.c.shape[0]), dtype)
    for start in range(0, len(x), chunk):
        xb, lb = x[start:start + chunk], labels[start:start + chunk]
        hb, zb = h[:len(xb)], z[:len(xb)]
        fast.forward_into(xb, params, hb, zb)
        total_loss += vectorized.cross_entropy(zb, lb, "sum")
        right += int(np.count_nonzero(zb.argmax(axis=1) == lb))
    return total_loss / len(x), right / len(x)


# --8<-- [start:steps]
def vectorized_step(x, labels, params: Params, lr: float, reduction: str) -> float:
    """One gradient-descent update of ``params`` in place on a batch; returns its loss."""
    fwd = vectorized.forward(x, params)
    grads = vectorized.backward(x, labels, params, fwd, reduction).grads
    for p, g in zip(params, grads):
        p -= lr * g
    return vectorized.cross_entropy(fwd.z, labels, reduction)


def scalar_step(x: list, label: int, params: Params, lr: float) -> float:
    """One stochastic gradient-descent update of nested-list ``params`` in place."""
    fwd = scalar.forward(x, params)
    bwd = scalar.backward(x, label, params, fwd)
    for rows, grads in ((params.w, bwd.dw), (params.v, bwd.dv)):
        for row, grad_row in zip(rows, grads):
            for j, g in enumerate(grad_row):
                row[j] -= lr * g
    for biases, grads in ((params.b, bwd.db), (params.c, bwd.dc)):
        for j, g in enumerate(grads):
            biases[j] -= lr * g
    return scalar.cross_entropy(fwd.z, label)
# --8<-- [end:steps]


def train(params: Params, train_data, val_data=None, *, lr: float, batch_size: int = 1,
          epochs: int = 1, seed=0, reduction: str = "sum", form: str = "vectorized",
          lr_decay: float = 1.0, record_steps: bool = True, record_epochs: bool = True,
          progress: bool | None = None) -> tuple[Params, History]:
    """Train a copy of ``params`` by gradient descent; return it and its `History`.

    ``train_data`` and ``val_data`` are ``(x, labels)`` pairs. ``form="scalar"`` updates
    one example at a time in plain floats (``batch_size`` must be 1); ``"vectorized"``
    a batch at a time in NumPy; both through the fast twins of `mlp.fast`. The learning
    rate is multiplied by ``lr_decay`` after every epoch. ``seed`` (an int or a
    Generator) drives the shuffling. ``record_epochs=False`` skips the evaluations
    between the first and the last epoch, which cost a forward pass over the data each.
    ``progress``: a progress bar; ``None`` shows it only on a terminal. Evaluation always
    uses the vectorized forward pass, which equals the scalar one.
    """
    check_reduction(reduction)
    if form not in ("vectorized", "scalar"):
        raise ValueError(f"form must be 'vectorized' or 'scalar', got {form!r}")
    _check_count("batch_size", batch_size, minimum=1)
    _check_count("epochs", epochs, minimum=0)
    if form == "scalar" and batch_size != 1:
        raise ValueError(f"the scalar form trains one example at a time: batch_size must be 1, got {batch_size}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not 0 < lr < np.inf:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    x, labels, params = vectorized.check_batch(*train_data, params)
    val = vectorized.check_batch(*val_data, params)[:2] if val_data is not None else None
    params = params.tolist() if form == "scalar" else params.map(np.copy)
    step = fast.scalar_step if form == "scalar" else fast.Step(params, batch_size)  # the steps' fast twins
    rng = np.random.default_rng(seed)
    xs = np.empty_like(x)  # the shuffled data, rewritten every epoch (fresh pages cost time)
    history, elapsed = History(), 0.0

    def record():
        arrays = params.asarrays(x.dtype)
        train_loss, train_acc = evaluate(x, labels, arrays)
        val_loss, val_acc = evaluate(*val, arrays) if val else (np.nan, np.nan)
        for series, value in zip((history.train_loss, history.train_accuracy, history.val_loss,
                                  history.val_accuracy, history.seconds),
                                 (train_loss, train_acc, val_loss, val_acc, elapsed)):
            series.append(value)

    record()
    bar = _progress(epochs * -(-len(x) // batch_size), progress)
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = rng.permutation(len(x))
            np.take(x, order, axis=0, out=xs)  # one gather per epoch, then contiguous slices
            ls = labels[order]
            if form == "scalar":
                steps = (step(xi, li, params, lr) for xi, li in zip(xs.tolist(), ls.tolist()))
            else:
                steps = (step(xs[i:i + batch_size], ls[i:i + batch_size], lr, reduction)
                         / (min(batch_size, len(x) - i) if reduction == "sum" else 1)
                         for i in range(0, len(x), batch_size))
            for loss in steps:
                if record_steps:
                    history.step_loss.append(loss)
                bar.update()
            elapsed += time.perf_counter() - start
            lr *= lr_decay
            if record_epochs or epoch == epochs:
                record()
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}", val_acc=f"{history.val_accuracy[-1]:.4f}")
    finally:
        bar.close()
    return params.asarrays(x.dtype), history


def _check_count(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _progress(total: int, show: bool | None):
    """A tqdm bar over ``total`` updates; ``show=None`` shows it only on a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, disable=None if show is None else not show, unit="step",
                mininterval=0.5, dynamic_ncols=True, leave=False)
