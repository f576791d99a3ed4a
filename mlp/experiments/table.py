"""The headline numbers of the experiments beside the report's, and its claims tested."""

from __future__ import annotations

import numpy as np

from mlp import report
from mlp.text import mean_std, percent, plain_table


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """``(experiment, quantity, ours, report)`` for each experiment present in ``results``, in the
    registry's order, each row from its experiment's ``rows`` (`mlp.experiments.Experiment`)."""
    from mlp.experiments import EXPERIMENTS

    return [(name, *row) for name, experiment in EXPERIMENTS.items() if name in results
            for row in experiment.rows(results[name])]


# One function per experiment: its result -> ``(quantity, ours, report)`` rows.

def dry_run_rows(r: dict) -> list:
    return [("largest |difference| from the report's derivatives", f"{r['max_difference_from_report']:.1e}",
             "rounded to 4 decimals"),
            ("largest |scalar - vectorized|", f"{r['max_difference_between_forms']:.1e}", "")]


def synthetic_data_rows(r: dict) -> list:
    return [("labels equal to 1 (train / validation)",
             f"{percent(r['train_fraction_1'])} / {percent(r['val_fraction_1'])}", "")]


def scalar_sgd_rows(r: dict) -> list:
    return [("validation accuracy", mean_std(r["val_accuracy"], interval=True), percent(report.SYNTH_ACCURACY)),
            ("majority-class accuracy", percent(r["majority_accuracy"]), "")]


def snapshot_rows(r: dict) -> list:
    return [("epochs whose parameters are kept (seed 0)", ", ".join(str(e) for e in r["epochs"]), "")]


def one_run_rows(r: dict) -> list:
    run = r["run"]
    return [(f"validation accuracy after {run['run']['epochs']} epochs "
             f"(batch {run['run']['batch_size']}, lr {run['run']['lr']:g})", percent(run["held_out_accuracy"]), "")]


def sweep_rows(r: dict, field: str) -> list:
    out = []
    for value, bands in {**r["bands"], **r.get("divergent", {})}.items():
        diverged = r.get("divergent", {}).get(value, {}).get("diverged")
        note = "" if diverged is None else (" — diverged" if diverged else " — did not diverge")
        out.append((f"validation accuracy, {field} {value:g}{note}",
                    mean_std(bands["final_val_accuracy"], interval=True), ""))
    return out


def float_types_rows(r: dict) -> list:
    r = r["val_accuracy"]
    return [("validation accuracy, lr 1e-3, float32 / float64", f"{mean_std(r['float32'])} / {mean_std(r['float64'])}", ""),
            ("largest |float32 - float64| of one seed", f"{100 * r['largest_difference']:.2f} points", "")]


def final_model_rows(r: dict) -> list:
    return [("test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"], interval=True),
             percent(report.FINAL_ACCURACY)),
            ("test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"], interval=True), ""),
            ("tuned recipe's training time per run", f"{r['tuned']['train_seconds']['mean']:.0f} s", "")]


def fashion_rows(r: dict) -> list:
    return [("test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"], interval=True), ""),
            ("test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"], interval=True), "")]


def init_scales_rows(r: dict) -> list:
    return [(f"test accuracy, report's recipe, init {scale['init']}", mean_std(scale["test_accuracy"]),
             percent(report.FINAL_ACCURACY)) for scale in r["scales"]]


def standardization_rows(r: dict) -> list:
    return [(f"test accuracy, {recipe}, global / per pixel",
             f"{percent(s['global']['mean'])} / {percent(s['pixel']['mean'])} ({s['pixel_vs_global']})", "")
            for recipe, s in r.items()]


def activations_rows(r: dict) -> list:
    return [(f"validation accuracy, {activation} hidden units", mean_std(r[activation]["val_accuracy"]), "")
            for activation in ("sigmoid", "relu")]


def mnist_inside_rows(r: dict) -> list:
    return [(f"saturated hidden units over test images, {recipe}, initial / trained",
             f"{percent(s['init']['saturated'])} / {percent(s['trained']['saturated'])}", "")
            for recipe, s in r["recipes"].items()]


def sweep_example_rows(r: dict) -> list:
    best = r["cells"][r["best"]]
    setting = ", ".join(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
                        for name, value in best["setting"].items())
    return [(f"best of {len(r['cells'])} cells ({setting}), validation accuracy",
             mean_std(best["accuracy"], interval=True), "")]


def format_rows(rows_: list[tuple[str, str, str, str]]) -> str:
    """A plain-text table of :func:`rows`."""
    return plain_table(("experiment", "quantity", "ours", "report"), rows_)


# ------------------------------------------------------------ the report's claims, tested

# When a curve counts as converged: the loss falls by less than 5% of its value afterwards.
CONVERGED_TOLERANCE = 0.05


def inside(value: float, s: dict) -> bool | None:
    """Whether ``value`` lies in the confidence interval of summary ``s``; ``None`` with one seed."""
    if s["n"] < 2:
        return None
    return bool(s["ci_low"] <= value <= s["ci_high"])


def position(value: float, s: dict) -> str | None:
    """Where ``value`` lies against the confidence interval of ``s``: "inside", "above" or "below"
    (``None`` with one seed)."""
    if s["n"] < 2:
        return None
    return "inside" if inside(value, s) else ("above" if value > s["ci_high"] else "below")


def distinct(a: float, b: float, n: int = 10_000, z: float = 3.0) -> bool:
    """Whether accuracy ``a`` differs from accuracy ``b``, measured on ``n`` examples, by more than ``z``
    of ``b``'s standard errors, sqrt(b (1 - b) / n)."""
    return bool(abs(a - b) > margin(b, n, z))


def margin(b: float, n: int = 10_000, z: float = 3.0) -> float:
    """``z`` standard errors of an accuracy ``b`` measured on ``n`` examples: z sqrt(b (1 - b) / n)."""
    return float(z * np.sqrt(b * (1 - b) / n))


def near(values, value: float) -> bool | None:
    """Whether accuracies ``values`` (one per seed, or one number) come near ``value``: the one rule
    of the Synthetic page's hypotheses.

    ``True`` when one of them is not :func:`distinct` from ``value`` (within three standard
    errors on 10,000 points); ``False`` when all are distinct and lie on one side of it;
    ``None`` (cannot tell) when they lie on both sides, none near: another seed could land on it.
    """
    values = np.atleast_1d(values)
    if not all(distinct(v, value) for v in values):
        return True
    if values.min() < value < values.max():
        return None
    return False


def randomness_explains(s: dict, value: float) -> bool:
    """Whether seed-to-seed variation could carry a run from the mean of ``s`` down to ``value``:
    three standard deviations below the mean reach it, or come within :func:`distinct` of it."""
    lowest = s["mean"] - 3 * s["std"]
    return bool(lowest <= value or not distinct(lowest, value))


def after_epoch(histories, epoch: int, tolerance: float = CONVERGED_TOLERANCE) -> dict | None:
    """How the validation loss moves after ``epoch``, on the mean of the runs' histories.

    ``drop`` is the fraction of its value at ``epoch`` that the validation loss still
    loses by the last epoch; it has ``converged`` when that is below ``tolerance`` in
    size, and it ``rises`` (what overfitting means) when it ends higher than it was.
    ``None`` when the runs stop at or before ``epoch``.
    """
    val = np.mean([h["val_loss"] for h in histories], axis=0)
    train = np.mean([h["train_loss"] for h in histories], axis=0)
    if len(val) <= epoch + 1:
        return None
    drop = 1 - val[-1] / val[epoch]
    return {"epoch": epoch, "last_epoch": len(val) - 1, "val_loss_at": float(val[epoch]),
            "val_loss_end": float(val[-1]), "drop": float(drop), "converged": bool(abs(drop) < tolerance),
            "rises": bool(val[-1] > val[epoch]), "val_minus_train_end": float(val[-1] - train[-1])}


# The level of the tests behind a ranking: a difference counts when p < LEVEL.
LEVEL = 0.05


def differ(a: dict, b: dict, stat: str = "mean") -> float | None:
    """The p-value of a test that summaries ``a`` and ``b`` (over seeds) differ in ``stat``.

    Welch's t-test for the means, the two-sided F-test for the variances (``stat="std"``).
    ``None`` when either has one seed (nothing to test). Two sets without spread differ
    for certain (p = 0) when their values differ, and not at all (p = 1) when they are equal.
    """
    from scipy import stats

    if min(a["n"], b["n"]) < 2:
        return None
    va, vb = a["std"] ** 2, b["std"] ** 2
    if stat == "mean":
        if va == vb == 0:
            return 0.0 if a["mean"] != b["mean"] else 1.0
        return float(stats.ttest_ind(a["values"], b["values"], equal_var=False).pvalue)
    if va == vb:
        return 1.0
    if min(va, vb) == 0:
        return 0.0
    f = stats.f(a["n"] - 1, b["n"] - 1)
    return float(min(1.0, 2 * min(f.cdf(va / vb), f.sf(va / vb))))


def ranked(bands: dict, field: str, claimed, stat: str = "mean", highest: bool = False) -> dict:
    """A claim that ``claimed`` comes first among ``bands`` (lowest ``stat`` of ``field``, or highest),
    judged by one rule.

    ``agrees`` is ``True`` when ``claimed`` comes first and a test (:func:`differ`) separates
    it from the runner-up; ``False`` when another value comes first and the test separates it
    from ``claimed``; ``None`` (cannot tell) when the test does not separate the two, or with one seed.
    """
    order = sorted(bands, key=lambda value: bands[value][field][stat], reverse=highest)
    found = order[0]
    other = order[1] if found == claimed else claimed
    p = differ(bands[found][field], bands[other][field], stat)
    decided = p is not None and p < LEVEL
    return {"agrees": (found == claimed) if decided else None, "claimed": claimed, "found": found,
            "compared_with": other, "p": p, "level": LEVEL,
            stat: {value: b[field][stat] for value, b in bands.items()}}


def both(*verdicts) -> bool | None:
    """Two verdicts of one claim together: no if either is no, yes if both are yes, else cannot tell."""
    if False in verdicts:
        return False
    return True if all(v is True for v in verdicts) else None


def claims(results: dict) -> dict:
    """Each testable claim of the report, checked against ``results`` (all experiments).

    Returns ``{claim: {"agrees": True | False | None, ...the numbers behind it}}``;
    ``agrees`` is ``None`` ("cannot tell") when the results cannot decide: one seed, runs
    too short (the quick profile), a difference no test separates from noise, or a
    comparison confounded by a second change (Figure 5's learning rates).
    """
    out = {}
    dry = results["dry_run"]
    out["dry_run"] = {"agrees": report.dry_run_agrees(dry["scalar"]), "difference": dry["max_difference_from_report"],
                      "tolerance": report.DRY_RUN_TOLERANCE}

    sgd = results["scalar_sgd"]
    out["synthetic_accuracy"] = {
        "agrees": inside(report.SYNTH_ACCURACY, sgd["val_accuracy"]), "ours": sgd["val_accuracy"],
        "majority": sgd["majority_accuracy"],
        "below_majority": report.SYNTH_ACCURACY < sgd["majority_accuracy"],
        "randomness_explains": randomness_explains(sgd["val_accuracy"], report.SYNTH_ACCURACY),
        "lowest_plausible": sgd["val_accuracy"]["mean"] - 3 * sgd["val_accuracy"]["std"],
    }
    late = after_epoch([r["history"] for r in sgd["runs"]], report.CONVERGED_AFTER)
    out["synthetic_converges"] = {"agrees": None if late is None else late["converged"], "after": late}
    out["synthetic_overfits"] = {"agrees": None if late is None else late["rises"], "after": late}

    sgd_mnist = results["mnist_sgd"]["run"]
    early = after_epoch([sgd_mnist["history"]], report.SGD_OVERFITS_AFTER)
    out["mnist_sgd_overfits"] = {"agrees": None if early is None else early["rises"], "after": early}
    minibatch = results["mnist_minibatch"]["run"]
    lr_sgd, lr_minibatch = sgd_mnist["run"]["lr"], minibatch["run"]["lr"]
    acc_sgd, acc_minibatch = sgd_mnist["held_out_accuracy"], minibatch["held_out_accuracy"]
    # Decided only at one learning rate: with two, the comparison measures the rates as much as the method.
    confounded = lr_sgd != lr_minibatch
    out["minibatch_beats_sgd"] = {
        "agrees": None if confounded or not distinct(acc_minibatch, acc_sgd) else acc_minibatch > acc_sgd,
        "sgd": acc_sgd, "minibatch": acc_minibatch, "lr_sgd": lr_sgd, "lr_minibatch": lr_minibatch,
        "confounded": confounded,
    }

    lr = results["learning_rates"]
    all_rates = {**lr["bands"], **lr["divergent"]}
    out["lr_most_consistent"] = ranked(lr["bands"], "final_val_accuracy", report.MOST_CONSISTENT_LR, "std")
    out["lr_least_consistent"] = ranked(lr["bands"], "final_val_accuracy", report.LEAST_CONSISTENT_LR, "std",
                                        highest=True)
    best = ranked(all_rates, "final_val_accuracy", report.BEST_LR, highest=True)
    out["lr_best"] = {**best, "accuracy": best["mean"]}
    out["lr_explode"] = {
        "agrees": all(d["diverged"] for d in lr["divergent"].values()),
        "diverged": {value: bool(d["diverged"]) for value, d in lr["divergent"].items()},
        "initial_loss": {value: d["initial_train_loss"]["mean"] for value, d in lr["divergent"].items()},
        "final_loss": {value: d["final_train_loss"]["mean"] for value, d in lr["divergent"].items()},
        "accuracy": {value: d["final_val_accuracy"]["mean"] for value, d in lr["divergent"].items()},
    }

    bs = results["batch_sizes"]["bands"]
    by_accuracy = ranked(bs, "final_val_accuracy", report.WORST_BATCH)
    by_loss = ranked(bs, "final_train_loss", report.WORST_BATCH, highest=True)
    means = [b["final_val_accuracy"]["mean"] for b in bs.values()]
    out["batch_worst"] = {
        "agrees": both(by_accuracy["agrees"], by_loss["agrees"]), "claimed": report.WORST_BATCH,
        "by_accuracy": by_accuracy, "by_loss": by_loss,
        "lowest_accuracy": by_accuracy["found"], "highest_loss": by_loss["found"],
        "accuracy": by_accuracy["mean"], "spread": max(means) - min(means),
        "typical_std": float(np.mean([b["final_val_accuracy"]["std"] for b in bs.values()])),
    }
    lowest = ranked(bs, "final_train_loss", report.LOWEST_LOSS_BATCH)
    out["batch_lowest_loss"] = {**lowest, "loss": lowest["mean"]}

    final = results["final_model"]["report_recipe"]["test_accuracy"]
    tuned = results["final_model"].get("tuned", {}).get("test_accuracy")
    sweep = results.get("init_scales")
    out["final_accuracy"] = {"agrees": inside(report.FINAL_ACCURACY, final), "ours": final, "tuned": tuned,
                             "position": position(report.FINAL_ACCURACY, final),
                             # the initial weight scales whose interval holds the report's number (None: undecided)
                             "inside_with": None if sweep is None else sweep["inside"]}
    return out
