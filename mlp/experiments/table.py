"""The headline numbers of the experiments beside the report's, and its claims tested."""

from __future__ import annotations

import numpy as np

from mlp.experiments import mnist, synthetic


def percent(value: float) -> str:
    return f"{100 * value:.2f}%"


def mean_std(s: dict) -> str:
    """``mean ± std`` in percent, with the 95% interval when there are several seeds."""
    if s["n"] < 2:
        return percent(s["mean"])
    return (f"{100 * s['mean']:.2f} ± {100 * s['std']:.2f}% "
            f"(95% CI {100 * s['ci_low']:.2f}–{100 * s['ci_high']:.2f}, {s['n']} seeds)")


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
        out.append(("scalar_sgd", "validation accuracy", mean_std(r["val_accuracy"]),
                    percent(synthetic.REPORT_SYNTH_ACCURACY)))
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
                            mean_std(bands["final_val_accuracy"]), ""))
    if "final_model" in results:
        r = results["final_model"]
        out.append(("final_model", "test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"]),
                    percent(mnist.REPORT_FINAL_ACCURACY)))
        out.append(("final_model", "test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"]), ""))
        out.append(("final_model", "tuned recipe's training time per run",
                    f"{r['tuned']['train_seconds']['mean']:.0f} s", ""))
    if "fashion" in results:
        r = results["fashion"]
        out.append(("fashion", "test accuracy, report's recipe", mean_std(r["report_recipe"]["test_accuracy"]), ""))
        out.append(("fashion", "test accuracy, tuned recipe", mean_std(r["tuned"]["test_accuracy"]), ""))
    if "synthetic_snapshots" in results:
        r = results["synthetic_snapshots"]
        out.append(("synthetic_snapshots", "epochs whose parameters are kept (seed 0)",
                    ", ".join(str(e) for e in r["epochs"]), ""))
    return out


def format_rows(rows_: list[tuple[str, str, str, str]]) -> str:
    """A plain-text table of :func:`rows`."""
    header = ("experiment", "quantity", "ours", "report")
    widths = [max(len(str(row[i])) for row in [header, *rows_]) for i in range(4)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header, tuple("-" * w for w in widths), *rows_]]
    return "\n".join(lines)


# ------------------------------------------------------------ the report's claims, tested

# What the report claims, in numbers (sections 4.1 and 4.2).
REPORT_CONVERGED_AFTER = 60  # synthetic: "converge after 60 epochs", "after 60 epochs ... overfitting"
REPORT_SGD_OVERFITS_AFTER = 1  # MNIST SGD: "overfitting happens after one epoch"
REPORT_MOST_CONSISTENT_LR = 1e-4
REPORT_LEAST_CONSISTENT_LR = 1e-6
REPORT_BEST_LR = 1e-3  # chosen after also trying 1e-2 and 1e-1
REPORT_WORST_BATCH = 1000
REPORT_LOWEST_LOSS_BATCH = 100
DRY_RUN_TOLERANCE = 5e-5  # half a unit of the report's fourth decimal
CONVERGED_TOLERANCE = 0.05  # converged: the loss falls by less than 5% of its value afterwards


def inside(value: float, s: dict) -> bool | None:
    """Whether ``value`` lies in the confidence interval of summary ``s``; ``None`` with one seed."""
    if s["n"] < 2:
        return None
    return bool(s["ci_low"] <= value <= s["ci_high"])


def distinct(a: float, b: float, n: int = 10_000, z: float = 3.0) -> bool:
    """Whether accuracy ``a`` differs from accuracy ``b``, measured on ``n`` examples, by more than ``z``
    of ``b``'s standard errors, sqrt(b (1 - b) / n)."""
    return bool(abs(a - b) > z * np.sqrt(b * (1 - b) / n))


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
    dry = results["dry_run"]["max_difference_from_report"]
    out["dry_run"] = {"agrees": dry < DRY_RUN_TOLERANCE, "difference": dry, "tolerance": DRY_RUN_TOLERANCE}

    sgd = results["scalar_sgd"]
    out["synthetic_accuracy"] = {
        "agrees": inside(synthetic.REPORT_SYNTH_ACCURACY, sgd["val_accuracy"]), "ours": sgd["val_accuracy"],
        "majority": sgd["majority_accuracy"],
        "below_majority": synthetic.REPORT_SYNTH_ACCURACY < sgd["majority_accuracy"],
    }
    late = after_epoch([r["history"] for r in sgd["runs"]], REPORT_CONVERGED_AFTER)
    out["synthetic_converges"] = {"agrees": None if late is None else late["converged"], "after": late}
    out["synthetic_overfits"] = {"agrees": None if late is None else late["rises"], "after": late}

    sgd_mnist = results["mnist_sgd"]["run"]
    early = after_epoch([sgd_mnist["history"]], REPORT_SGD_OVERFITS_AFTER)
    out["mnist_sgd_overfits"] = {"agrees": None if early is None else early["rises"], "after": early}
    minibatch = results["mnist_minibatch"]["run"]
    out["minibatch_beats_sgd"] = {
        "agrees": minibatch["held_out_accuracy"] > sgd_mnist["held_out_accuracy"],
        "sgd": sgd_mnist["held_out_accuracy"], "minibatch": minibatch["held_out_accuracy"],
    }

    lr = results["learning_rates"]
    all_rates = {**lr["bands"], **lr["divergent"]}
    for name, claimed, highest in (("lr_most_consistent", REPORT_MOST_CONSISTENT_LR, False),
                                   ("lr_least_consistent", REPORT_LEAST_CONSISTENT_LR, True)):
        found = extreme(lr["bands"], "final_val_accuracy", "std", highest)
        out[name] = {"agrees": found == claimed, "claimed": claimed, "found": found,
                     "std": {value: b["final_val_accuracy"]["std"] for value, b in lr["bands"].items()}}
    best = extreme(all_rates, "final_val_accuracy", highest=True)
    out["lr_best"] = {"agrees": best == REPORT_BEST_LR, "claimed": REPORT_BEST_LR, "found": best,
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
        "agrees": lowest_accuracy == highest_loss == REPORT_WORST_BATCH, "claimed": REPORT_WORST_BATCH,
        "lowest_accuracy": lowest_accuracy, "highest_loss": highest_loss,
        "accuracy": {value: b["final_val_accuracy"]["mean"] for value, b in bs.items()},
        "spread": max(means) - min(means),
        "typical_std": float(np.mean([b["final_val_accuracy"]["std"] for b in bs.values()])),
    }
    out["batch_lowest_loss"] = {
        "agrees": lowest_loss == REPORT_LOWEST_LOSS_BATCH, "claimed": REPORT_LOWEST_LOSS_BATCH,
        "found": lowest_loss, "loss": {value: b["final_train_loss"]["mean"] for value, b in bs.items()},
    }

    final = results["final_model"]["report_recipe"]["test_accuracy"]
    out["final_accuracy"] = {"agrees": inside(mnist.REPORT_FINAL_ACCURACY, final), "ours": final}
    return out
