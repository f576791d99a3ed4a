"""One training loop for stochastic (batch size 1) and mini-batch gradient descent.

Each epoch draws a fresh permutation from the seeded generator and walks it in
consecutive batches, each gathered in that order into one buffer made once per run.
Before the first update and after every epoch the training set (or a fixed sample of it)
and the validation set are evaluated, so the curves start where training starts (epoch 0).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.linalg.blas  # noqa: F401  the steps' BLAS (mlp.kernels), loaded with the trainer, not by a train() call

from mlp import fast, scalar, vectorized
from mlp.activations import ACTIVATIONS
from mlp.checks import check_choice, check_count, check_flag, check_positive, check_reduction, check_rng
from mlp.params import Params, check_params

FORMS = ("vectorized", "scalar")
ON_DIVERGENCE = ("raise", "stop")


@dataclass
class History:
    """What a training run recorded.

    Per epoch (index 0 is before any update; with ``record_epochs=False`` only before
    the first and after the last): ``train_loss``/``val_loss`` are the mean
    cross-entropy per example, ``train_accuracy``/``val_accuracy`` the fraction right
    (the training ones on `train`'s ``train_eval`` if given),
    ``seconds`` the training wall time so far (evaluation excluded). Without validation
    data ``val_loss`` and ``val_accuracy`` stay empty. Per update:
    ``step_loss`` is the mean loss per example of the batch, before the update.

    ``diverged`` is ``None``, or, for a run stopped by ``on_divergence="stop"``, where
    the loss diverged (`diverging`): ``{"epoch", "step", "lr", "loss"}`` (``step`` counts
    from 1 within the epoch; ``step=0`` means the evaluation after the epoch, or before
    training at epoch 0). The
    per-epoch lists then end with the last epoch evaluated before it, and
    ``step_loss`` with the loss that diverged.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    diverged: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def curves(self) -> dict:
        """The recorded lists by name (everything but ``diverged``)."""
        return {name: values for name, values in self.to_dict().items() if name != "diverged"}


class DivergenceError(FloatingPointError):
    """Training diverged (`diverging`); ``where`` is the `History.diverged` record, ``hint``
    what to change (the learning rate, the reduction)."""

    def __init__(self, message: str, where: dict, hint: str = ""):
        super().__init__(message)
        self.where, self.hint = where, hint


# A loss per example this many times the untrained network's (or ln n_out, if larger) has
# diverged, finite or not: the weights are growing without bound.
DIVERGENCE_FACTOR = 1_000


def divergence_limit(initial_loss: float, n_out: int) -> float:
    """The loss per example above which training counts as diverged: `DIVERGENCE_FACTOR`
    times the untrained network's loss, or times ln n_out (a uniform guess's) if that is larger."""
    return DIVERGENCE_FACTOR * max(initial_loss, math.log(n_out))


def diverging(loss: float, limit: float) -> bool:
    """Whether a loss per example means divergence: not finite (NaN, infinite) or above ``limit``."""
    return not loss <= limit  # NaN compares false


# Rows `evaluate` takes at a time: a chunk's arrays (a few MB) are reused from one chunk to the
# next, where 10,000 rows' arrays were mapped afresh each time (an evaluation took 1.2 times as long).
CHUNK = 1_000


def evaluate(x, labels, params: Params, chunk: int = CHUNK, activation: str = "sigmoid") -> tuple[float, float]:
    """Mean cross-entropy per example and accuracy (the fraction of rows whose most probable
    class is the label) of ``params`` on the labelled set ``(x, labels)``, checked first;
    by `mlp.vectorized.logits` (`mlp.vectorized.forward`'s z, through the step's BLAS), ``chunk`` examples at a time."""
    x, labels, params = vectorized.check_batch(x, labels, params)
    if len(x) == 0:
        raise ValueError("x holds no examples: evaluation needs at least one")
    total_loss, right = 0.0, 0
    for start in range(0, len(x), chunk):
        xb, lb = x[start:start + chunk], labels[start:start + chunk]
        z = vectorized.logits(xb, params, activation)
        total_loss += vectorized.cross_entropy(z, lb, "sum")
        right += int(np.count_nonzero(z.argmax(axis=1) == lb))
    return total_loss / len(x), right / len(x)


# --8<-- [start:steps]
def vectorized_step(x, labels, params: Params, lr: float, reduction: str, activation: str = "sigmoid") -> float:
    """One gradient-descent update of ``params`` in place on a batch; returns its loss.
    Training runs its fused twin, `mlp.vectorized.step`, tested equal to it."""
    fwd = vectorized.forward(x, params, activation)
    grads = vectorized.backward(x, labels, params, fwd, reduction, activation).grads
    for p, g in zip(params, grads):
        p -= lr * g
    return vectorized.cross_entropy(fwd.z, labels, reduction)


def scalar_step(x: list, label: int, params: Params, lr: float) -> float:
    """One stochastic gradient-descent update of nested-list ``params`` in place.
    Training runs its fused twin, `mlp.fast.scalar_step`, tested equal to it."""
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


# --8<-- [start:train]
def train(params: Params, train_data, val_data=None, *, lr: float, batch_size: int = 1,
          epochs: int = 1, seed=0, reduction: str = "mean", form: str = "vectorized",
          lr_decay: float = 1.0, record_steps: bool = True, record_epochs: bool = True,
          progress: bool | None = None, on_divergence: str = "raise",
          train_eval=None, record_train: bool = True, activation: str = "sigmoid") -> tuple[Params, History]:
    """Train a copy of ``params`` by gradient descent; return it and its `History`.

    ``train_data`` and ``val_data`` are ``(x, labels)`` pairs. ``form="scalar"`` updates
    one example at a time in plain floats (``batch_size`` must be 1); ``"vectorized"``
    a batch at a time in NumPy; both through the fast twins of `mlp.fast`. A
    ``batch_size`` above the number of training examples is cut to it (full-batch
    gradient descent). ``reduction="mean"`` (the default) steps along the mean loss's
    gradient, so a learning rate suits any batch size; ``"sum"`` along the summed loss's,
    eq. 2.4, as the report trains (the step grows with the batch). The learning
    rate is multiplied by ``lr_decay`` after every epoch. ``seed`` (an int or a
    Generator) drives the shuffling. ``record_epochs=False`` skips the evaluations
    between the first and the last epoch, which cost a forward pass over the data each.
    ``progress``: a progress bar; ``None`` shows it only on a terminal. Evaluation always
    uses the vectorized forward pass, which equals the scalar one. ``train_eval``, an
    ``(x, labels)`` pair, is where the training loss and accuracy are measured instead of
    all of ``train_data`` (a fixed sample of it costs less); it changes no update.
    ``record_train=False`` measures them only before the first and after the last epoch
    (NaN between), where only the held-out curve is wanted. ``activation``: the hidden
    layer's function, a name in `mlp.activations.ACTIVATIONS` (the scalar form: sigmoid only).

    A loss that diverges (`diverging`: not finite, or `DIVERGENCE_FACTOR` times the
    untrained network's; a learning rate far too large) raises `DivergenceError` at the
    step where it appears; ``on_divergence="stop"`` instead ends training there, marks
    ``History.diverged``, and returns the parameters of the last evaluated epoch.
    """
    x, labels, val, measured, params = check_arguments(
        params, train_data, val_data, train_eval, lr=lr, batch_size=batch_size, epochs=epochs,
        reduction=reduction, form=form, lr_decay=lr_decay, record_steps=record_steps,
        record_epochs=record_epochs, record_train=record_train, progress=progress, on_divergence=on_divergence)
    params = params.tolist() if form == "scalar" else params.map(np.copy)  # the caller's stay as given
    batch_size = min(batch_size, len(x))
    take_steps = stepper(form, params, batch_size, reduction, activation)
    rng = check_rng(seed, "seed")
    history, elapsed = History(), 0.0
    evaluated = record(history, params, measured, val, elapsed, math.inf, activation=activation)
    if evaluated is None:  # the untrained network's loss overflows already
        diverge(history, on_divergence, epoch=0, step=0, lr=lr, loss=math.nan,
                batch_size=batch_size, reduction=reduction)
        return params.asarrays(x.dtype), history
    limit = divergence_limit(history.train_loss[0], len(params.c))
    bar = progress_bar(epochs * -(-len(x) // batch_size), progress)
    with bar, np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught below, as a divergence
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = shuffle(len(x), rng)
            step, loss = walk(take_steps(x, labels, order, lr), history, bar, record_steps, limit)
            elapsed += time.perf_counter() - start
            if diverging(loss, limit):
                diverge(history, on_divergence, epoch=epoch, step=step, lr=lr, loss=loss,
                        batch_size=batch_size, reduction=reduction)
                break
            if record_epochs or epoch == epochs:
                latest = record(history, params, measured, val, elapsed, limit,
                                measure_train=record_train or epoch == epochs, activation=activation)
                if latest is None:  # the epoch's last update made the parameters overflow or diverge
                    diverge(history, on_divergence, epoch=epoch, step=0, lr=lr, loss=math.nan,
                            batch_size=batch_size, reduction=reduction)
                    break
                evaluated = latest
            lr *= lr_decay
            show_progress(bar, loss, history, fresh=record_epochs or epoch == epochs)
    return evaluated if history.diverged else params.asarrays(x.dtype), history
# --8<-- [end:train]


# --8<-- [start:checks]
def check_arguments(params, train_data, val_data, train_eval, *, lr, batch_size, epochs, reduction, form,
                    lr_decay, record_steps, record_epochs, record_train, progress, on_divergence):
    """Every argument of `train`, checked once (not at every step): ``(x, labels, val, measured, params)``.

    The data are converted to the parameters' float type and checked against their
    shapes by `mlp.vectorized.check_batch`; ``val`` is ``None`` without validation data;
    ``measured`` is ``train_eval``, or ``(x, labels)`` without it.
    """
    check_reduction(reduction)
    check_choice(form, "form", FORMS)
    check_choice(on_divergence, "on_divergence", ON_DIVERGENCE)
    check_count(batch_size, "batch_size")
    check_count(epochs, "epochs", minimum=0)
    if form == "scalar" and batch_size != 1:
        raise ValueError(f"the scalar form trains one example at a time: batch_size must be 1, got {batch_size}")
    check_positive(lr, "lr")
    check_positive(lr_decay, "lr_decay")  # above 1 is allowed: a rate that grows
    check_flag(record_steps, "record_steps")
    check_flag(record_epochs, "record_epochs")
    check_flag(record_train, "record_train")
    if progress is not None:
        check_flag(progress, "progress")
    params = check_params(params)
    x, labels = checked_data(train_data, "train_data", params)
    if len(x) == 0:
        raise ValueError("train_data holds no examples")
    val = None
    if val_data is not None:
        val = checked_data(val_data, "val_data", params)
        if len(val[0]) == 0:
            raise ValueError("val_data holds no examples (pass None for no validation)")
    measured = (x, labels)
    if train_eval is not None:
        measured = checked_data(train_eval, "train_eval", params)
        if len(measured[0]) == 0:
            raise ValueError("train_eval holds no examples (pass None to measure on all of train_data)")
    return x, labels, val, measured, params


def checked_data(data, name: str, params: Params) -> tuple:
    """``data`` as a checked ``(x, labels)`` pair for ``params`` (`mlp.vectorized.check_batch`);
    an error names ``name``."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be an (x, labels) pair, got {type(data).__name__}"
                        + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else ""))
    try:
        return vectorized.check_batch(*data, params)[:2]
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name}: {error}") from None
# --8<-- [end:checks]


# --8<-- [start:stepper]
def stepper(form: str, params: Params, batch_size: int, reduction: str, activation: str = "sigmoid"):
    """``take_steps(x, labels, order, lr)``: the losses (means per example) of one epoch's steps, lazily.

    The steps are the fused twins of the plain ones (`mlp.vectorized.step`,
    `mlp.fast.scalar_step`), updating ``params`` in place, over the examples in ``order``:
    one at a time for the scalar form, and for the vectorized one a batch at a time
    (`batches`), each gathered into the same buffer.
    """
    check_choice(activation, "activation", ("sigmoid",) if form == "scalar" else tuple(ACTIVATIONS))
    if form == "scalar":
        def take_steps(x, labels, order, lr):
            return (fast.scalar_step(xi, li, params, lr) for xi, li in zip(x[order].tolist(), labels[order].tolist()))
        return take_steps

    buffer = np.empty((batch_size, params.w.shape[0]), params.w.dtype)  # the batch, rewritten at every step
    per_example = reduction == "sum"

    def take_steps(x, labels, order, lr):
        for xb, lb in batches(x, labels, order, batch_size, buffer):
            loss = vectorized.step(xb, lb, params, lr, reduction, activation)
            yield loss / len(lb) if per_example else loss
    return take_steps
# --8<-- [end:stepper]


# --8<-- [start:shuffle]
def shuffle(n: int, rng: np.random.Generator) -> np.ndarray:
    """A fresh random order of the ``n`` training examples, drawn once per epoch."""
    return rng.permutation(n)


def batches(x: np.ndarray, labels: np.ndarray, order: np.ndarray, batch_size: int, out: np.ndarray):
    """An epoch's batches: consecutive runs of ``batch_size`` examples in ``order`` (the last
    may be shorter), each ``(its rows of x, gathered into out; its labels)``."""
    ls = labels[order]
    for i in range(0, len(order), batch_size):
        yield gather(x, order[i:i + batch_size], out), ls[i:i + batch_size]


def gather(x: np.ndarray, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``x[rows]``, copied into the first ``len(rows)`` rows of ``out``: one batch, still in cache for its step.

    ``mode="clip"`` (the rows are in range) lets NumPy write into ``out`` directly; its
    default mode copies through a temporary buffer.
    """
    return np.take(x, rows, axis=0, out=out[:len(rows)], mode="clip")
# --8<-- [end:shuffle]


# --8<-- [start:record]
def walk(steps, history: History, bar, record_steps: bool, limit: float = math.inf) -> tuple[int, float]:
    """Take an epoch's ``steps``, recording each loss; stop after the first that diverges (`diverging`).

    Returns the number of steps taken and the last loss.
    """
    step, loss = 0, math.nan
    for step, loss in enumerate(steps, 1):
        if record_steps:
            history.step_loss.append(loss)
        bar.update()
        if diverging(loss, limit):
            break
    return step, loss


def record(history: History, params: Params, train_set, val, elapsed: float, limit: float,
           measure_train: bool = True, activation: str = "sigmoid") -> Params | None:
    """Evaluate ``params`` on the training set (only if ``measure_train``, else NaN) and on
    the validation set if there is one, and append the numbers to ``history``.

    Returns the evaluated parameters as arrays, or ``None`` (recording nothing) if the
    training loss (without it, the validation loss) diverges (`diverging` over ``limit``).
    """
    arrays = params.asarrays(train_set[0].dtype)
    train_loss, train_acc = evaluate(*train_set, arrays, activation=activation) if measure_train else (np.nan, np.nan)
    val_loss, val_acc = evaluate(*val, arrays, activation=activation) if val else (np.nan, np.nan)
    if diverging(train_loss if measure_train else val_loss if val else 0.0, limit):
        return None
    series = [(history.train_loss, train_loss), (history.train_accuracy, train_acc), (history.seconds, elapsed)]
    if val:
        series += [(history.val_loss, val_loss), (history.val_accuracy, val_acc)]
    for values, value in series:
        values.append(value)
    return arrays.map(np.copy)
# --8<-- [end:record]


# --8<-- [start:diverge]
def diverge(history: History, on_divergence: str, *, epoch: int, step: int, lr: float, loss: float,
            batch_size: int, reduction: str) -> None:
    """Mark where the loss diverged; raise `DivergenceError` unless asked to stop."""
    history.diverged = {"epoch": epoch, "step": step, "lr": lr, "loss": loss}
    if on_divergence == "stop":
        return
    where = f"step {step} of epoch {epoch}" if step else f"the evaluation after epoch {epoch}"
    if not epoch:
        where = "the evaluation before training (the initial parameters overflow)"
    hint = "lower the learning rate"
    if reduction == "sum" and batch_size > 1:
        hint += (f", or use reduction='mean' (with the summed loss, a batch of {batch_size} takes a step "
                 f"{batch_size} times that of one example: lr {lr:g} summed is lr {lr * batch_size:g} mean)")
    raise DivergenceError(f"training diverged: the loss is {loss:.4g} at {where}, learning rate {lr:g}. "
                          f"Try to {hint}; or pass on_divergence='stop' to record the divergence "
                          "instead of raising.", history.diverged, hint)
# --8<-- [end:diverge]


# --8<-- [start:progress]
def progress_bar(total: int, show: bool | None):
    """A tqdm bar over ``total`` updates; ``show=None`` shows it only on a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, disable=None if show is None else not show, unit="step",
                mininterval=0.5, dynamic_ncols=True, leave=False)


def show_progress(bar, loss: float, history: History, fresh: bool) -> None:
    """The epoch's last step loss on the bar, and the validation accuracy if just evaluated."""
    if fresh and history.val_accuracy:
        bar.set_postfix(loss=f"{loss:.4f}", val_acc=f"{history.val_accuracy[-1]:.4f}")
    else:
        bar.set_postfix(loss=f"{loss:.4f}")
# --8<-- [end:progress]
