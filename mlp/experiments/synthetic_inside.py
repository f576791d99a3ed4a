"""Inside the network: the values and gradients at every node, and parameters kept mid-training.

- `backprop_point`, `random_point`, `dry_run_point`, `all_gradients_nonzero` and
  `hidden_gradient_terms` live in `mlp.example`, the course's running example, and are
  named here too.
- `train_snapshots` trains a run in segments and keeps the parameters at chosen epochs;
  the segments share one shuffling Generator, so they make exactly the updates of one run.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mlp import cache
from mlp.example import (  # noqa: F401  (named here too)
    all_gradients_nonzero, backprop_point, dry_run_point, hidden_gradient_terms, random_point)
from mlp.experiments.profiles import sized
from mlp.experiments.loading import load
from mlp.experiments.runs import datasets, initial
from mlp.experiments.synthetic import SCALAR_SGD, decision_grid
from mlp.params import Params
from mlp.train import train

SNAPSHOT_EPOCHS = (0, 1, 5, 20, 100)  # epochs of the report's scalar run whose parameters are kept


def train_snapshots(run, epochs) -> list[Params]:
    """The parameters of ``run`` after each of ``epochs`` (sorted, 0 = initial, last = run.epochs).

    One training in segments through `mlp.train.train`, all of them drawing from the
    run's one shuffling Generator: the same permutations, the same updates, as one
    call for ``run.epochs`` epochs (which `mlp.experiments.runs.execute` makes).
    """
    epochs = list(epochs)
    if epochs != sorted(set(epochs)) or epochs[0] < 0 or epochs[-1] != run.epochs:
        raise ValueError(f"epochs must rise from 0 or more to the run's {run.epochs}, got {epochs}")
    if run.lr_decay != 1.0:
        raise ValueError("segments would restart the learning-rate decay: lr_decay must be 1")
    (x, labels), _, n_out = load(run)
    params, shuffle_rng = initial(run, x.shape[1], n_out)
    kept, done = [], 0
    for epoch in epochs:
        if epoch > done:
            params, _ = train(params, (x, labels), lr=run.lr, batch_size=run.batch_size, epochs=epoch - done,
                              seed=shuffle_rng, reduction=run.reduction, form=run.form,
                              record_steps=False, record_epochs=False, progress=False)
            done = epoch
        kept.append(params.map(np.copy))
    return kept


def snapshot_epochs(run) -> list[int]:
    """`SNAPSHOT_EPOCHS` that the run reaches, and its last epoch."""
    return sorted({e for e in SNAPSHOT_EPOCHS if e < run.epochs} | {run.epochs})


def synthetic_snapshots(profile: str, results=(), fetch=None) -> dict:
    """The report's scalar SGD run (seed 0) with its parameters at `SNAPSHOT_EPOCHS`, and their boundaries."""
    run = sized(SCALAR_SGD.replace(seed=0), profile)
    epochs = snapshot_epochs(run)
    config = {"run": dataclasses.asdict(run), "epochs": epochs}
    params = cache.cached("snapshots", config, lambda: train_snapshots(run, epochs), datasets(run), code=(__name__,))
    return {"run": dataclasses.asdict(run), "epochs": epochs, "params": params,
            "boundaries": [decision_grid(p) for p in params]}
