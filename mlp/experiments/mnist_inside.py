"""Inside the MNIST network: the images it sees, what its hidden units learn, where they
saturate, and which test images the tuned model gets wrong.

Everything is computed from the first seed of the report's recipe and of the tuned
recipe (the runs of the final model, which keep their parameters), on the images as
the loader hands them out. Only small summaries are kept: a few images, histograms and
counts, never the 10,000 test images.
"""

from __future__ import annotations


import numpy as np

from mlp import cache, vectorized
from mlp.experiments import mnist
from mlp.experiments.loading import load, sample
from mlp.experiments.runs import Run, initial, path
from mlp.train import evaluate

DIGITS_PER_CLASS = 4
UNITS_SHOWN = 8  # hidden units whose first-layer weights are drawn (the first ones: units are exchangeable)
MISTAKES_SHOWN = 8
K_EDGES = np.linspace(-60.0, 60.0, 121)  # bins of the pre-activations k (values beyond go to the end bins)
SLOPE_EDGES = np.linspace(0.0, 0.25, 26)  # bins of sigma'(k) = h (1 - h), at most 1/4
SATURATED = 0.01  # sigma'(k) below this (4% of its largest value): the unit passes almost no gradient


def first_per_class(labels, per_class: int) -> np.ndarray:
    """Indices of the first ``per_class`` examples of each class, class by class, in loader order."""
    labels = np.asarray(labels)
    return np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in np.unique(labels)])


def saturation(x, params) -> dict:
    """Histograms over the rows of ``x`` and all hidden units of ``k`` and ``sigma'(k)``,
    and the fraction of those values with ``sigma'(k) < SATURATED``."""
    fwd = vectorized.forward(x, params)
    slope = fwd.h * (1 - fwd.h)
    k = np.clip(fwd.k, K_EDGES[0], K_EDGES[-1])
    return {"k_counts": np.histogram(k, K_EDGES)[0], "slope_counts": np.histogram(slope, SLOPE_EDGES)[0],
            "saturated": float(np.mean(slope < SATURATED))}


def confusion(labels, predicted, n_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class): row = true, column = predicted."""
    return np.bincount(np.asarray(labels) * n_classes + np.asarray(predicted),
                       minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def confident_mistakes(x, labels, params, n: int) -> list[dict]:
    """The ``n`` wrongly classified rows of ``x`` with the highest probability on the wrong class."""
    y = vectorized.forward(x, params).y
    predicted = y.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    order = wrong[np.argsort(-y[wrong, predicted[wrong]], kind="stable")][:n]
    return [{"image": x[i], "label": int(labels[i]), "predicted": int(predicted[i]),
             "probability": float(y[i, predicted[i]]), "index": int(i)} for i in order]


def _recipe(result: dict, x, n_out: int) -> dict:
    """Weights of the shown units and the saturation, at initialization and after training."""
    run = Run(**result["run"])
    start, end = initial(run, x.shape[1], n_out)[0], result["params"]
    return {"run": result["run"], "test_accuracy": result["held_out_accuracy"],
            "weights": np.asarray(end.w[:, :UNITS_SHOWN]).T, "initial_weights": np.asarray(start.w[:, :UNITS_SHOWN]).T,
            "init": saturation(x, start), "trained": saturation(x, end)}


def sample_error(result: dict, x, labels) -> dict:
    """A trained network's loss and accuracy on all of its training images ``x``, on the
    sample its training curves are measured on (`mlp.experiments.loading.sample`), and on the
    even- and the odd-numbered images apart: how far the sample is from the whole set, and
    why it is drawn at random rather than evenly spaced."""
    sets = {"all": (x, labels), "sample": sample(x, labels, Run(**result["run"]).train_sample),
            "even": (x[0::2], labels[0::2]), "odd": (x[1::2], labels[1::2])}
    out = {"n_all": len(x), "n_sample": len(sets["sample"][0])}
    for name, (xs, ls) in sets.items():
        out[f"{name}_loss"], out[f"{name}_accuracy"] = evaluate(np.ascontiguousarray(xs), ls, result["params"])
    return out


def inside_runs(profile: str) -> list[Run]:
    return mnist.report_recipe_runs(profile)[:1]


def inside_followup(profile: str, fetch) -> list[Run]:
    return mnist.chosen_runs(profile, fetch)[:1]


def mnist_inside(profile: str, results, fetch) -> dict:
    """Training digits, first-layer weights, saturation, confusion matrix and mistakes.

    Computed once and stored (`mlp.cache.cached`) under the two runs' stored entries
    (`summary_key`) and this module's code: the pages that show it read it, not compute it again.
    """
    report, tuned = results[0], fetch(inside_followup(profile, fetch))[0]
    return cache.cached("inside", summary_key(report, tuned), lambda: _inside(report, tuned), ("mnist",),
                        code=(__name__,))


def summary_key(report: dict, tuned: dict) -> dict:
    """What the summary depends on besides the code that computes it: the two runs' stored results."""
    runs = [Run(**result["run"]) for result in (report, tuned)]
    paths = [path(run) for run in runs]
    return {"runs": cache.fingerprint(paths)}


def _inside(report: dict, tuned: dict) -> dict:
    (x_train, y_train), (x_test, y_test), n_out = load(Run(**report["run"]))
    shown = first_per_class(y_train, DIGITS_PER_CLASS)
    predicted = vectorized.predict(x_test, tuned["params"])
    return {
        "digits": {"images": x_train[shown], "labels": y_train[shown]},
        "recipes": {"report": _recipe(report, x_test, n_out), "tuned": _recipe(tuned, x_test, n_out)},
        "k_edges": K_EDGES, "slope_edges": SLOPE_EDGES, "saturated_below": SATURATED,
        "n_test": len(y_test),
        "confusion": confusion(y_test, predicted, n_out),
        "mistakes": confident_mistakes(x_test, y_test, tuned["params"], MISTAKES_SHOWN),
        "train_sample": sample_error(report, x_train, y_train),
    }
