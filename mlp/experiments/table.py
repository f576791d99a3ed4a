"""The headline numbers of the experiments beside the report's, and its claims tested."""

from __future__ import annotations

import numpy as np

from mlp import report
from mlp.text import mean_std, percent, plain_table


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    """``(experiment, quantity, ours, report)`` for each experiment present in ``results``."""
    out = []
    if "dry_run" in results:
        r = results["dry_run"]
        out.append(("dry_run", "largest |difference| from the report's derivatives",
                    f"{r['max_difference_from_report']:.1e}", "rounded to 4 decimals"))
        out.append(("dry_run", "largest |scalar - vectorized|", f"{r['max_difference_between_forms']:.1e}", ""))
    if "synthetic_data" in results:
        r = results["synthetic_data"]
        out.append(("synthetic_data", "labels equal to 1 (train / validation)",
                    f"{percent(r['train_fraction_1'])} / {percent(r['val_fraction_1'])}", ""))
    if "scalar_sgd" in results:
        r = results["scalar_sgd"]
        out.append(("scalar_sgd", "validation accuracy", mean_std(r["val_accuracy"], interval=True),
                    percent(report.SYNTH_ACCURACY)))
        out.append(("scalar_sgd", "majority-class accuracy", percent(r["majority_accuracy"]), ""))
    for name in ("mnist_sgd", "mnist_minibatch"):
        if name in results:
            run = results[name]["run"]
            out.append((name, f"validation accuracy after {run['run']['epochs']} epochs "
                              f"(batch {run['run']['batch_size']}, lr {run['run']['lr']:g})",
                        percent(run["held_out_accuracy"]), ""))
    for name, field in (("learning_rates", "lr"), ("batch_sizes", "batch size")):
        if name in results:
            r = results[name]
            for value, bands in {**r["bands"], **r.get("divergent", {})}.items():
                diverged = r.get("divergent", {}).get(value, {}).get("diverged")
                note = "" if diverged is None else (" — diverged" if diverged else " — did not diverge")
                out.append((name, f"validation accuracy, {field} {value:g}{note}",
                            mean_std(bands["final_val_accuracy"], interval=True), ""))
    if "final_model" in results:
        r = results["final_model"]
        out.append(("final_model", "test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"], interval=True),
                    percent(report.FINAL_ACCURACY)))
        out.append(("final_model", "test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"], interval=True), ""))
        out.append(("final_model", "tuned recipe's training time per run",
                    f"{r['tuned']['train_seconds']['mean']:.0f} s", ""))
    if "init_scales" in results:
        for scale in results["init_scales"]["scales"]:
            out.append(("init_scales", f"test accuracy, report's recipe, init {scale['init']}",
                        mean_std(scale["test_accuracy"]), percent(report.FINAL_ACCURACY)))
    if "standardization" in results:
        for recipe, r in results["standardization"].items():
            out.append(("standardization", f"test accuracy, {recipe}, global / per pixel",
                        f"{percent(r['global']['mean'])} / {percent(r['pixel']['mean'])} ({r['pixel_vs_global']})", ""))
    if "mnist_inside" in results:
        for recipe, r in results["mnist_inside"]["recipes"].items():
            out.append(("mnist_inside", f"saturated hidden units over test images, {recipe}, initial / trained",
                        f"{percent(r['init']['saturated'])} / {percent(r['trained']['saturated'])}", ""))
    if "fashion" in results:
        r = results["fashion"]
        out.append(("fashion", "test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"], interval=True), ""))
        out.append(("fashion", "test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"], interval=True), ""))
    if "sweep_example" in results:
        r = results["sweep_example"]
        best = r["cells"][r["best"]]
        setting = ", ".join(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
                            for name, value in best["setting"].items())
        out.append(("sweep_example", f"best of {len(r['cells'])} cells ({setting}), validation accuracy",
                    mean_std(best["accuracy"], interval=True), ""))
    if "synthetic_snapshots" in results:
        r = results["synthetic_snapshots"]
        out.append(("synthetic_snapshots", "epochs whose parameters are kept (seed 0)",
                    ", ".join(str(e) for e in r["epochs"]), ""))
    return out


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


def distinct(a: float, b: float, n: int = 10_000, z: float = 3.0) -> bool:
    """Whether accuracy ``a`` differs from accuracy ``b``, measured on ``n`` examples, by more than ``z``
    of ``b``'s standard errors, sqrt(b (1 - b) / n)."""
    return bool(abs(a - b) > margin(b, n, z))


def margin(b: float, n: int = 10_000, z: float = 3.0) -> float:
    """``z`` standard errors of an accuracy ``b`` measured on ``n`` examples: z sqrt(b (1 - b) / n)."""
    return float(z * np.sqrt(b * (1 - b) / n))


def within_reach(values, value: float) -> bool:
    """Whether ``value`` lies between the accuracies ``values`` or is not :func:`distinct` from one of them."""
    values = np.atleast_1d(values)
    return bool(values.min() <= value <= values.max() or not all(distinct(v, value) for v in values))


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


def extreme(bands: dict, field: str, stat: str = "mean", highest: bool = False):
    """The swept value (learning rate, batch size) whose ``field`` summary has the lowest ``stat``.

    ``highest=True`` gives the one with the highest instead.
    """
    return (max if highest else min)(bands, key=lambda value: bands[value][field][stat])


def claims(results: dict) -> dict:
    """Each testable claim of the report, checked against ``results`` (all experiments).

    Returns ``{claim: {"agrees": True | False | None, ...the numbers behind it}}``;
    ``agrees`` is ``None`` when the results cannot decide (one seed, or runs too short
    in the quick profile).
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
    }
    late = after_epoch([r["history"] for r in sgd["runs"]], report.CONVERGED_AFTER)
    out["synthetic_converges"] = {"agrees": None if late is None else late["converged"], "after": late}
    out["synthetic_overfits"] = {"agrees": None if late is None else late["rises"], "after": late}

    sgd_mnist = results["mnist_sgd"]["run"]
    early = after_epoch([sgd_mnist["history"]], report.SGD_OVERFITS_AFTER)
    out["mnist_sgd_overfits"] = {"agrees": None if early is None else early["rises"], "after": early}
    minibatch = results["mnist_minibatch"]["run"]
    out["minibatch_beats_sgd"] = {
        "agrees": minibatch["held_out_accuracy"] > sgd_mnist["held_out_accuracy"],
        "sgd": sgd_mnist["held_out_accuracy"], "minibatch": minibatch["held_out_accuracy"],
    }

    lr = results["learning_rates"]
    all_rates = {**lr["bands"], **lr["divergent"]}
    for name, claimed, highest in (("lr_most_consistent", report.MOST_CONSISTENT_LR, False),
                                   ("lr_least_consistent", report.LEAST_CONSISTENT_LR, True)):
        found = extreme(lr["bands"], "final_val_accuracy", "std", highest)
        out[name] = {"agrees": found == claimed, "claimed": claimed, "found": found,
                     "std": {value: b["final_val_accuracy"]["std"] for value, b in lr["bands"].items()}}
    best = extreme(all_rates, "final_val_accuracy", highest=True)
    out["lr_best"] = {"agrees": best == report.BEST_LR, "claimed": report.BEST_LR, "found": best,
                      "accuracy": {value: b["final_val_accuracy"]["mean"] for value, b in all_rates.items()}}
    out["lr_explode"] = {
        "agrees": all(d["diverged"] for d in lr["divergent"].values()),
        "diverged": {value: bool(d["diverged"]) for value, d in lr["divergent"].items()},
        "initial_loss": {value: d["initial_train_loss"]["mean"] for value, d in lr["divergent"].items()},
        "final_loss": {value: d["final_train_loss"]["mean"] for value, d in lr["divergent"].items()},
        "accuracy": {value: d["final_val_accuracy"]["mean"] for value, d in lr["divergent"].items()},
    }

    bs = results["batch_sizes"]["bands"]
    lowest_accuracy = extreme(bs, "final_val_accuracy")
    highest_loss = extreme(bs, "final_train_loss", highest=True)
    lowest_loss = extreme(bs, "final_train_loss")
    means = [b["final_val_accuracy"]["mean"] for b in bs.values()]
    out["batch_worst"] = {
        "agrees": lowest_accuracy == highest_loss == report.WORST_BATCH, "claimed": report.WORST_BATCH,
        "lowest_accuracy": lowest_accuracy, "highest_loss": highest_loss,
        "accuracy": {value: b["final_val_accuracy"]["mean"] for value, b in bs.items()},
        "spread": max(means) - min(means),
        "typical_std": float(np.mean([b["final_val_accuracy"]["std"] for b in bs.values()])),
    }
    out["batch_lowest_loss"] = {
        "agrees": lowest_loss == report.LOWEST_LOSS_BATCH, "claimed": report.LOWEST_LOSS_BATCH,
        "found": lowest_loss, "loss": {value: b["final_train_loss"]["mean"] for value, b in bs.items()},
    }

    final = results["final_model"]["report_recipe"]["test_accuracy"]
    sweep = results.get("init_scales")
    out["final_accuracy"] = {"agrees": inside(report.FINAL_ACCURACY, final), "ours": final,
                             # the initial weight scales whose interval holds the report's number (None: undecided)
                             "inside_with": None if sweep is None else sweep["inside"]}
    return out
