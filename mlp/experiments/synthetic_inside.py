"""Inside the network: the values and gradients at every node, and parameters kept mid-training.

- `backprop_point` runs the scalar form's forward and backward pass on one example and
  keeps every node, for drawing the computational graph with its numbers.
- `random_point` is a seeded example and network where no gradient vanishes, unlike
  Table 1's, whose first-layer gradients are all zero; `hidden_gradient_terms` shows why.
- `train_snapshots` trains a run in segments and keeps the parameters at chosen epochs;
  the segments share one shuffling Generator, so they make exactly the updates of one run.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mlp import cache, report, scalar
from mlp.experiments.profiles import sized
from mlp.experiments.runs import datasets, initial, load
from mlp.experiments.synthetic import SCALAR_SGD, decision_grid
from mlp.params import Params
from mlp.train import train

SNAPSHOT_EPOCHS = (0, 1, 5, 20, 100)  # epochs of the report's scalar run whose parameters are kept
RANDOM_POINT_SEED = 1


def backprop_point(x, label: int, params: Params) -> dict:
    """Every node of one example's forward and backward pass through the scalar form."""
    x, label, params = scalar.check_example(x, label, params)
    fwd = scalar.forward(x, params)
    return {"x": x, "label": label, "params": params, "forward": fwd,
            "backward": scalar.backward(x, label, params, fwd), "loss": scalar.cross_entropy(fwd.z, label)}


def dry_run_point() -> dict:
    """`backprop_point` at Table 1's example and parameters."""
    return backprop_point(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)


def random_point(seed: int = RANDOM_POINT_SEED, sizes=(2, 3, 2)) -> dict:
    """`backprop_point` at an input, label, weights and biases drawn from a seeded generator.

    Inputs, weights and biases are standard normal, the label uniform over the classes.
    """
    rng = np.random.default_rng(seed)
    n_in, n_hid, n_out = sizes
    params = Params(rng.normal(size=(n_in, n_hid)), rng.normal(size=n_hid),
                    rng.normal(size=(n_hid, n_out)), rng.normal(size=n_out))
    return backprop_point(rng.normal(size=n_in), int(rng.integers(n_out)), params)


def all_gradients_nonzero(point: dict) -> bool:
    """Whether every node's and every parameter's gradient at ``point`` is non-zero."""
    return all(np.all(np.asarray(g) != 0) for g in point["backward"])


def hidden_gradient_terms(point: dict) -> dict:
    """Why dh_j = Σ_m dz_m v_jm vanishes or not, with two outputs.

    Softmax with cross-entropy gives dz = y − t, which sums to 1 − 1 = 0; with two
    outputs dz_2 = −dz_1, so dh_j = dz_1 (v_j1 − v_j2): zero exactly when row j of v has
    equal entries. Returns the sum of dz, each row's v_j1 − v_j2, dh, that product, and
    the largest gap between the two ways of computing dh_j.
    """
    dz, dh, v = point["backward"].dz, point["backward"].dh, point["params"].v
    if len(dz) != 2:
        raise ValueError(f"the two-output identity needs 2 outputs, got {len(dz)}")
    row_gaps = [row[0] - row[1] for row in v]
    product = [dz[0] * gap for gap in row_gaps]
    return {"dz_sum": sum(dz), "row_gaps": row_gaps, "dh": list(dh), "dz1_times_gap": product,
            "max_identity_error": max(abs(a - b) for a, b in zip(dh, product))}


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
