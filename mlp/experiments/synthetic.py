"""The report's first experiments: the dry run (Table 1) and the synthetic data (3.1, 4.1)."""

from __future__ import annotations

import numpy as np

from mlp import data, report, scalar, vectorized
from mlp.experiments.profiles import seeds, sized
from mlp.experiments.runs import Run
from mlp.experiments.stats import summary
from mlp.experiments.table import near
from mlp.params import Params

# Report 3.1, Table 2: a 2-3-2 network, normal weights, zero biases, SGD, lr 1e-3, 100 epochs.
SCALAR_SGD = Run(dataset="synth", n_hid=3, lr=1e-3, batch_size=1, epochs=100, form="scalar",
                 record_steps=False, keep_params=True)
SCALAR_SGD_SEEDS = 3


def dry_run(profile: str, results=(), fetch=None) -> dict:
    """Table 1: both forms' derivatives at the report's dry-run point, beside its values."""
    x, label, params = report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS
    loss, scalar_grads = scalar.gradients(x, label, params)
    _, vector_grads = vectorized.gradients([x], [label], params)
    as_arrays = [Params(*map(np.asarray, g)) for g in (report.DRY_RUN_GRADS, scalar_grads, vector_grads)]
    reported, computed, vector = as_arrays
    return {
        "loss": loss,
        "report": reported,
        "scalar": computed,
        "vectorized": vector,
        "max_difference_from_report": report.dry_run_difference(computed),
        "max_difference_between_forms": max(float(np.abs(s - v).max()) for s, v in zip(computed, vector)),
    }


def ellipse(points: int = 400) -> np.ndarray:
    """The true class boundary q(x) = 0.6 of the synthetic data, as (points, 2)."""
    theta = np.linspace(0, 2 * np.pi, points)
    directions = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    q = np.einsum("ni,ij,nj->n", directions, data.SYNTH_Q, directions)
    return directions * np.sqrt(data.SYNTH_THRESHOLD / q)[:, None]


def synthetic_data(profile: str, results=(), fetch=None) -> dict:
    """Figure 2: the training and validation sets, with the true boundary the report did not draw."""
    (xtrain, ytrain), (xval, yval), _ = data.load_synth()
    limit = None if profile == "full" else 2_000
    return {
        "train": {"x": xtrain[:limit], "y": ytrain[:limit]},
        "val": {"x": xval[:limit], "y": yval[:limit]},
        "boundary": ellipse(),
        "train_fraction_1": float(ytrain.mean()),
        "val_fraction_1": float(yval.mean()),
    }


def scalar_sgd_runs(profile: str) -> list[Run]:
    return [sized(SCALAR_SGD.replace(seed=seed), profile) for seed in seeds(profile, SCALAR_SGD_SEEDS)]


def decision_grid(params: Params, extent: float = 4.0, points: int = 201) -> dict:
    """P(class 1) over a square grid, for drawing the learned boundary."""
    axis = np.linspace(-extent, extent, points)
    x1, x2 = np.meshgrid(axis, axis)
    grid = np.stack([x1.ravel(), x2.ravel()], axis=1)
    return {"axis": axis, "p1": vectorized.forward(grid, params).y[:, 1].reshape(points, points)}


def scalar_sgd(profile: str, results, fetch=None) -> dict:
    """Figure 3: scalar SGD on the synthetic data, its curves, accuracy and boundary."""
    (_, _), (_, yval), _ = data.load_synth()
    accuracies = [r["held_out_accuracy"] for r in results]
    out = {
        "runs": results,
        "val_accuracy": summary(accuracies),
        "boundary": decision_grid(results[0]["params"]),
        "majority_accuracy": float(max(yval.mean(), 1 - yval.mean())),
        "always_0_accuracy": float(1 - yval.mean()),
        "untrained_accuracy": summary([r["history"]["val_accuracy"][0] for r in results]),
        "report_accuracy": report.SYNTH_ACCURACY,
    }
    out["hypotheses"] = hypotheses(out, float(yval.mean()))
    baselines = (out["majority_accuracy"], out["always_0_accuracy"])
    out["untrained_constant"] = sum(abs(v - b) < 1e-12 for v in out["untrained_accuracy"]["values"] for b in baselines)
    return out


def hypotheses(sgd: dict, val_fraction_1: float, claimed: float = report.SYNTH_ACCURACY) -> list[dict]:
    """Ways to get a low number from a working recipe, each with the validation accuracies it gives
    on these data (one per seed where the seeds differ) and whether they come `near` ``claimed``.

    ``sgd`` is `scalar_sgd`'s summary. On two classes, inverting every prediction (or label)
    turns an accuracy a into 1 - a; predictions compared with the labels of other points (a
    misaligned or reshuffled label array) score on average a1^2 + (1 - a1)^2, with a1 the
    fraction of class 1 (``val_fraction_1``).
    """
    runs, a1 = sgd["runs"], val_fraction_1
    found = {
        "a trained network with inverted predictions or labels": 1 - sgd["val_accuracy"]["mean"],
        "an untrained network (epoch 0), one per seed": sgd["untrained_accuracy"]["values"],
        "a network evaluated after one epoch, one per seed": [r["history"]["val_accuracy"][1] for r in runs],
        "scored on the training set instead": float(np.mean([r["history"]["train_accuracy"][-1] for r in runs])),
        "predictions compared with misaligned labels": a1 * a1 + (1 - a1) * (1 - a1),
        "a network answering always class 0": sgd["always_0_accuracy"],
    }
    return [{"name": name, "accuracy": [float(v) for v in np.atleast_1d(values)], "near": near(values, claimed)}
            for name, values in found.items()]
