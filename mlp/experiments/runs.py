"""A training run: a frozen description of one (`Run`), the code that carries it out, its cached result.

Every experiment is a set of `Run` s. A run is cached by its fields (with the code a
run executes, `mlp.staleness.modules`, and the data checksums), so runs shared between
experiments are trained once, and an unchanged rebuild trains nothing. Two processes
asking for one run at once train it once: the second waits for the first's result.
A run reads its data through `mlp.experiments.loading`; `mlp.experiments.estimates` guesses
its cost, and `mlp.experiments.trainer` trains many at once.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from mlp import cache
from mlp.experiments.loading import load, sample
from mlp.params import init_params
from mlp.train import evaluate, train


@dataclass(frozen=True)
class Run:
    """One training run, fully described.

    ``final=False`` trains on the training split and validates every epoch;
    ``final=True`` trains on all training data and touches the test set once, at the
    end. ``limit`` keeps only the first ``limit`` training and ``limit // 5`` held-out
    examples (the quick profile). ``seed`` drives both the initialization and the
    shuffling, through two independent streams. ``standardize`` is `mlp.data`'s scaling of
    the images (``"global"`` or ``"pixel"``; the synthetic set ignores it). ``on_divergence``
    is `mlp.train.train`'s: ``"raise"`` fails on a loss that is not finite, ``"stop"``
    records where it appeared (the result's ``diverged``) and keeps the run.
    ``train_sample``: the training loss and accuracy of each epoch are measured on this
    many training examples, a fixed random draw (`sample`; ``None``: on all of them). It
    changes no update: the held-out numbers and the trained parameters are the same.
    ``record_train=False`` measures the training loss and accuracy only at the first and
    the last epoch (`mlp.train.train`'s), where only the held-out curve is shown.
    ``activation`` names the hidden layer's function (`mlp.activations.ACTIVATIONS`).
    """

    dataset: str = "mnist"
    final: bool = False
    n_hid: int = 300
    lr: float = 1e-3
    batch_size: int = 100
    epochs: int = 5
    seed: int = 0
    reduction: str = "sum"
    init: float | str = 1.0
    lr_decay: float = 1.0
    form: str = "vectorized"
    dtype: str = "float64"
    record_steps: bool = True
    record_epochs: bool = True
    keep_params: bool = False
    limit: int | None = None
    standardize: str = "global"
    on_divergence: str = "raise"
    train_sample: int | None = None
    record_train: bool = True
    activation: str = "sigmoid"

    def replace(self, **changes) -> "Run":
        return dataclasses.replace(self, **changes)


def initial(run: Run, n_in: int, n_out: int):
    """The run's initial parameters and its shuffling Generator, two streams of ``run.seed``."""
    init_rng, shuffle_rng = np.random.default_rng(run.seed).spawn(2)
    params = init_params(n_in, run.n_hid, n_out, init_rng, scale=run.init, dtype=np.dtype(run.dtype))
    return params, shuffle_rng


def execute(run: Run, progress: bool | None = False) -> dict:
    """Carry out ``run``; return its history and final numbers as plain data.

    A run stopped by a divergence (``run.on_divergence="stop"``) has shorter curves, and
    its held-out numbers are those of the last epoch evaluated before it. Besides its
    training seconds, a result tells the seconds it spent loading its data (once per
    process, `load`) and evaluating (the epochs' records and the final held-out pass).
    """
    start = time.perf_counter()
    (x, labels), held_out, n_out = load(run)
    loaded = time.perf_counter()
    params, shuffle_rng = initial(run, x.shape[1], n_out)
    params, history = train(
        params, (x, labels), None if run.final else held_out, train_eval=sample(x, labels, run.train_sample),
        lr=run.lr, batch_size=run.batch_size, epochs=run.epochs, seed=shuffle_rng,
        reduction=run.reduction, form=run.form, lr_decay=run.lr_decay,
        record_steps=run.record_steps, record_epochs=run.record_epochs, progress=progress,
        on_divergence=run.on_divergence, record_train=run.record_train, activation=run.activation,
    )
    held_loss, held_accuracy = evaluate(*held_out, params, activation=run.activation)
    result = {
        "run": dataclasses.asdict(run),
        "history": {name: np.asarray(values) for name, values in history.curves().items()},
        "diverged": history.diverged,  # None, or where the loss stopped being finite
        "held_out": "test" if run.final else "validation",
        "held_out_loss": held_loss,
        "held_out_accuracy": held_accuracy,
        "train_seconds": history.seconds[-1],
        "load_seconds": loaded - start,
        "evaluate_seconds": time.perf_counter() - loaded - history.seconds[-1],
    }
    if run.keep_params:
        result["params"] = params
    return result


def datasets(run: Run) -> tuple[str, ...]:
    """The data sets whose files' checksums key ``run``'s result (the synthetic set has no files)."""
    return () if run.dataset == "synth" else (run.dataset,)


def path(run: Run):
    """Where ``run``'s result is stored, once it is."""
    return cache.path_for("run", dataclasses.asdict(run), datasets(run))


def result(run: Run, progress: bool | None = False) -> dict:
    """The result of ``run``, from the cache or freshly computed (and then cached)."""
    return cache.cached("run", dataclasses.asdict(run), lambda: execute(run, progress), datasets(run))
