"""The headline numbers of the experiments, beside the report's, as table rows."""

from __future__ import annotations

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
    return out


def format_rows(rows_: list[tuple[str, str, str, str]]) -> str:
    """A plain-text table of :func:`rows`."""
    header = ("experiment", "quantity", "ours", "report")
    widths = [max(len(str(row[i])) for row in [header, *rows_]) for i in range(4)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header, tuple("-" * w for w in widths), *rows_]]
    return "\n".join(lines)
