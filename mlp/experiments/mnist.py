"""The report's MNIST experiments (3.2, 4.2), and what it lacked: a tuned recipe, seeds, tests.

All runs train the report's 784-300-10 sigmoid network (Table 3) on standardized MNIST.
"""

from __future__ import annotations

import numpy as np

from mlp import report
from mlp.experiments.profiles import seeds, sized
from mlp.experiments.runs import Run
from mlp.experiments.stats import band, summary, welch

# Table 3 and 3.2: normal weights, zero biases, summed loss, 55,000 / 5,000 split.
# The training curves are measured on a fixed random draw of 10,000 training images (the
# held-out ones on all): measuring all 55,000 after every epoch cost as much again as a
# third of the training, and changes no update.
TRAIN_SAMPLE = 10_000
# The runs train in float32, at about half float64's time (the Performance page); the report
# used NumPy's default, float64. `float_types` trains one sweep in both, seed by seed.
DTYPE, REPORT_DTYPE = "float32", "float64"
BASE = Run(dataset="mnist", n_hid=300, init=1.0, reduction="sum", train_sample=TRAIN_SAMPLE, dtype=DTYPE)
SGD = BASE.replace(lr=1e-2, batch_size=1, epochs=5)  # Figure 4
# Figure 5: "1000 batches for each epoch" of 55,000 examples: batches of 55.
MINIBATCH = BASE.replace(lr=1e-3, batch_size=55, epochs=5)
# Figures 6, 7: their curves are the loss per update and the validation accuracy, so the
# training set is measured at the first and the last epoch only.
SWEEP = BASE.replace(lr=1e-3, batch_size=100, epochs=5, record_steps=True, record_train=False)
LEARNING_RATES = (1e-3, 1e-4, 1e-5, 1e-6)
DIVERGENT_RATES = (1e-1, 1e-2)  # the report says these "exploded"; checked here
BATCH_SIZES = (100, 250, 500, 1000)
REPORT_RECIPE = BASE.replace(final=True, record_steps=False, record_epochs=False, **report.FINAL_RECIPE)
# Candidates for a tuned recipe of the same network; the best on validation is kept.
TUNED_CANDIDATES = tuple(
    BASE.replace(init="lecun", reduction="mean", batch_size=32, epochs=10, record_steps=False,
                 record_epochs=False, **changes)
    for changes in ({"lr": 0.1}, {"lr": 0.3}, {"lr": 0.5, "lr_decay": 0.8})
)
# Seeds of each repeated run.
SWEEP_SEEDS = 5  # Figures 6 and 7, per learning rate or batch size
FINAL_SEEDS = 5  # the report's recipe, on MNIST and on Fashion-MNIST
TUNED_SEEDS = 3  # the tuned recipe


def mnist_sgd_runs(profile: str) -> list[Run]:
    return [sized(SGD, profile)]


def one_run(run: dict) -> dict:
    """A summary of one run: the run, how steady its steps are (`step_noise`) and the epochs
    whose validation loss is below the training loss (`val_below_train`)."""
    return {"run": run, "step_noise": step_noise(run), "val_below_train": val_below_train(run)}


def step_noise(run: dict) -> float:
    """Standard deviation over mean of the per-update loss in the run's last epoch."""
    steps = np.asarray(run["history"]["step_loss"])
    last = steps[-len(steps) // run["run"]["epochs"]:]
    return float(last.std() / last.mean())


def val_below_train(run: dict) -> list[int]:
    """The epochs (from 1) after which the validation loss is below the training loss, both
    measured at the same parameters."""
    h = run["history"]
    return [e for e in range(1, len(h["val_loss"])) if h["val_loss"][e] < h["train_loss"][e]]


def mnist_sgd(profile: str, results, fetch=None) -> dict:
    """Figure 4: SGD (batch size 1), loss per step and per epoch, accuracy per epoch."""
    return one_run(results[0])


def mnist_minibatch_runs(profile: str) -> list[Run]:
    return [sized(MINIBATCH, profile)]


def mnist_minibatch(profile: str, results, fetch=None) -> dict:
    """Figure 5: mini-batch gradient descent, the same curves as Figure 4."""
    return one_run(results[0])


def _sweep_runs(profile: str, field: str, value) -> list[Run]:
    """The runs of one swept value, one per seed.

    A rate the report saw explode is recorded if its loss overflows, not raised.
    """
    on_divergence = "stop" if field == "lr" and value in DIVERGENT_RATES else "raise"
    return [sized(SWEEP.replace(seed=seed, on_divergence=on_divergence, **{field: value}), profile)
            for seed in seeds(profile, SWEEP_SEEDS)]


def _sweep(profile: str, field: str, values) -> list[Run]:
    return [run for value in values for run in _sweep_runs(profile, field, value)]


def by_run(results) -> dict:
    """``{Run: result}``, so a summary finds its runs by what they are, not by position."""
    return {Run(**r["run"]): r for r in results}


def _bands(profile: str, field: str, values, results) -> dict:
    """Per value: mean ± std bands over seeds of the curves, and a summary of the end point."""
    found = by_run(results)
    out = {}
    for value in values:
        group = [found[run] for run in _sweep_runs(profile, field, value)]
        histories = [r["history"] for r in group]
        out[value] = {
            "step_loss": band([h["step_loss"] for h in histories]),
            "train_loss": band([h["train_loss"] for h in histories]),
            "train_accuracy": band([h["train_accuracy"] for h in histories]),
            "val_accuracy": band([h["val_accuracy"] for h in histories]),
            "final_val_accuracy": summary([r["held_out_accuracy"] for r in group]),
            "final_train_loss": summary([h["train_loss"][-1] for h in histories]),
            "initial_train_loss": summary([h["train_loss"][0] for h in histories]),
            "overflowed": sum(r.get("diverged") is not None for r in group),  # runs whose loss overflowed
        }
    return out


def learning_rates_runs(profile: str) -> list[Run]:
    return _sweep(profile, "lr", LEARNING_RATES + DIVERGENT_RATES)


def learning_rates(profile: str, results, fetch=None) -> dict:
    """Figure 6: learning rates 1e-3 ... 1e-6 over seeds; and whether 1e-2 and 1e-1 diverge.

    A rate counts as diverged when training leaves the training loss higher than it
    started, on average over seeds, or when the loss of any seed overflowed.
    """
    bands = _bands(profile, "lr", LEARNING_RATES + DIVERGENT_RATES, results)
    return {
        "bands": {lr: bands[lr] for lr in LEARNING_RATES},
        "divergent": {lr: {**bands[lr], "diverged": bool(bands[lr]["overflowed"] > 0
                                                         or bands[lr]["final_train_loss"]["mean"]
                                                         > bands[lr]["initial_train_loss"]["mean"])}
                      for lr in DIVERGENT_RATES},
        "batch_size": SWEEP.batch_size,
    }


def batch_sizes_runs(profile: str) -> list[Run]:
    return _sweep(profile, "batch_size", BATCH_SIZES)


def batch_sizes(profile: str, results, fetch=None) -> dict:
    """Figure 7: batch sizes 100 ... 1000 over seeds, learning rate 1e-3."""
    return {"bands": _bands(profile, "batch_size", BATCH_SIZES, results), "lr": SWEEP.lr}


def float_types_runs(profile: str) -> list[Run]:
    """Figure 6's rate 10^-3, each seed in float32 and again in float64."""
    runs = _sweep_runs(profile, "lr", SWEEP.lr)
    return runs + [run.replace(dtype=REPORT_DTYPE) for run in runs]


def float_types(profile: str, results, fetch=None) -> dict:
    """float32 against float64 on the same seeds, so from the same initial weights through the
    same batches: a difference is rounding alone, to be set beside the spread between seeds."""
    found = by_run(results)
    runs = _sweep_runs(profile, "lr", SWEEP.lr)
    single, double = ([found[run.replace(dtype=dtype)] for run in runs] for dtype in (DTYPE, REPORT_DTYPE))
    out = {}
    for name, of in (("val_accuracy", lambda r: r["held_out_accuracy"]),
                     ("train_loss", lambda r: r["history"]["train_loss"][-1])):
        a, b = np.array([of(r) for r in single]), np.array([of(r) for r in double])
        out[name] = {DTYPE: summary(a), REPORT_DTYPE: summary(b), "largest_difference": float(np.abs(a - b).max())}
    out["train_seconds"] = {dtype: summary([r["train_seconds"] for r in group])
                            for dtype, group in ((DTYPE, single), (REPORT_DTYPE, double))}
    return out


def report_recipe_runs(profile: str, **changes) -> list[Run]:
    """The report's recipe (with ``changes``) on all 60,000 images, once per seed.

    The first seed keeps its trained parameters, for the pictures of the network's inside.
    """
    return [sized(REPORT_RECIPE.replace(seed=seed, keep_params=seed == 0, **changes), profile)
            for seed in seeds(profile, FINAL_SEEDS)]


def final_model_runs(profile: str) -> list[Run]:
    return report_recipe_runs(profile) + [sized(run, profile) for run in TUNED_CANDIDATES]


def tuned_final_runs(profile: str, chosen: Run, dataset: str = "mnist") -> list[Run]:
    """The chosen recipe trained on all 60,000 images, once per seed (the first keeps its parameters)."""
    return [sized(chosen.replace(final=True, dataset=dataset, seed=seed, keep_params=seed == 0), profile)
            for seed in seeds(profile, TUNED_SEEDS)]


def choose(profile: str, candidate_results) -> Run:
    """The candidate with the best validation accuracy (the test set plays no part)."""
    best = int(np.argmax([r["held_out_accuracy"] for r in candidate_results]))
    return TUNED_CANDIDATES[best]


def chosen_runs(profile: str, fetch, dataset: str = "mnist") -> list[Run]:
    """The final runs of the recipe that validation chose (trains the candidates if needed)."""
    candidates = fetch([sized(run, profile) for run in TUNED_CANDIDATES])
    return tuned_final_runs(profile, choose(profile, candidates), dataset)


def final_model(profile: str, results, fetch) -> dict:
    """The report's recipe and the tuned one, each trained on 60,000 and tested once per seed."""
    found = by_run(results)
    report_runs = [found[run] for run in report_recipe_runs(profile)]
    candidates = [found[sized(run, profile)] for run in TUNED_CANDIDATES]
    tuned_results = fetch(chosen_runs(profile, fetch))
    report_acc = [r["held_out_accuracy"] for r in report_runs]
    tuned_acc = [r["held_out_accuracy"] for r in tuned_results]
    return {
        "report_recipe": {"runs": report_runs, "test_accuracy": summary(report_acc)},
        "candidates": [{"run": r["run"], "val_accuracy": r["held_out_accuracy"]} for r in candidates],
        "tuned": {"runs": tuned_results, "test_accuracy": summary(tuned_acc),
                  "train_seconds": summary([r["train_seconds"] for r in tuned_results])},
        "tuned_vs_report": welch(tuned_acc, report_acc) if min(len(tuned_acc), len(report_acc)) > 1 else None,
        "report_accuracy": report.FINAL_ACCURACY,
    }


def fashion_runs(profile: str) -> list[Run]:
    return report_recipe_runs(profile, dataset="fashion-mnist")


def fashion(profile: str, results, fetch) -> dict:
    """The report's and the tuned recipe on Fashion-MNIST, tested once per seed."""
    tuned_results = fetch(chosen_runs(profile, fetch, "fashion-mnist"))
    return {
        "report_recipe": {"runs": results, "test_accuracy": summary([r["held_out_accuracy"] for r in results])},
        "tuned": {"runs": tuned_results,
                  "test_accuracy": summary([r["held_out_accuracy"] for r in tuned_results])},
    }
