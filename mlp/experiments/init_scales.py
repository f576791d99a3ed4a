"""Evidence for the report's 93.14%: its recipe from several initial weight scales, and
what per-pixel standardization does to it and to the tuned recipe.

The report states standard-normal weights for its synthetic network only. Its MNIST
recipe (lr 1e-3, batches of 500, 4 epochs, summed loss) is trained here from each of
`INIT_SCALES`, over the same seeds as the final model, and each scale's test accuracy
is placed against the report's number.
"""

from __future__ import annotations

from mlp import report
from mlp.text import plain
from mlp.experiments import mnist
from mlp.experiments.profiles import seeds
from mlp.experiments.runs import Run, initial
from mlp.experiments.stats import summary, welch

# Standard normal (the report's words), two smaller normals, LeCun's sqrt(1/n_in) and the
# uniform ±1/sqrt(n_in) that common libraries use by default.
INIT_SCALES = (1.0, 0.1, 0.01, "lecun", "uniform")
PIXEL_TUNED_SEEDS = 2  # seeds of the tuned recipe trained on per-pixel standardized images
SIGNIFICANCE = 0.05  # Welch's p below which a difference of means counts as real


def place(value: float, s: dict) -> str | None:
    """Where ``value`` lies against the confidence interval of summary ``s``:
    ``"inside"``, ``"above"`` or ``"below"``; ``None`` with fewer than two seeds."""
    if s["n"] < 2:
        return None
    return "above" if value > s["ci_high"] else "below" if value < s["ci_low"] else "inside"


def bringing_inside(value: float, scales: list[dict]) -> list | None:
    """The ``init`` of each scale whose interval holds ``value``; ``None`` when none can decide."""
    places = [place(value, s["test_accuracy"]) for s in scales]
    if all(p is None for p in places):
        return None
    return [s["init"] for s, p in zip(scales, places) if p == "inside"]


def init_sweep_runs(profile: str) -> list[Run]:
    return [run for scale in INIT_SCALES for run in mnist.report_recipe_runs(profile, init=scale)]


def init_sweep(profile: str, results, fetch=None) -> dict:
    """Test accuracy of the report's recipe per initial scale, placed against 93.14%."""
    n = len(seeds(profile, mnist.FINAL_SEEDS))
    scales = []
    for i, scale in enumerate(INIT_SCALES):
        group = results[i * n:(i + 1) * n]
        run = Run(**group[0]["run"])
        w = initial(run, 784, 10)[0].w  # MNIST's 784 inputs, 10 classes; the measured spread of the first layer's weights
        summ = summary([r["held_out_accuracy"] for r in group])
        scales.append({"init": scale, "weight_std": float(w.std()), "test_accuracy": summ,
                       "place": place(report.FINAL_ACCURACY, summ)})
    return {"scales": scales, "report_accuracy": report.FINAL_ACCURACY,
            "inside": bringing_inside(report.FINAL_ACCURACY, scales)}


def verdict(a: list[float], b: list[float], significance: float = SIGNIFICANCE) -> str:
    """``"higher"`` or ``"lower"`` when the mean of ``a`` differs from that of ``b`` by
    Welch's t-test at ``significance``, else ``"cannot tell"`` (also with one seed)."""
    if min(len(a), len(b)) < 2:
        return "cannot tell"
    test = welch(a, b)
    if not test["p"] < significance:
        return "cannot tell"
    return "higher" if test["difference"] > 0 else "lower"


def _tuned_runs(profile: str, fetch) -> list[Run]:
    return mnist.chosen_runs(profile, fetch)[:PIXEL_TUNED_SEEDS]


def standardization_runs(profile: str) -> list[Run]:
    return mnist.report_recipe_runs(profile) + mnist.report_recipe_runs(profile, standardize="pixel")


def standardization_followup(profile: str, fetch) -> list[Run]:
    tuned = _tuned_runs(profile, fetch)
    return tuned + [run.replace(standardize="pixel") for run in tuned]


def standardization(profile: str, results, fetch) -> dict:
    """Global against per-pixel standardization, for the report's and the tuned recipe."""
    tuned = fetch(standardization_followup(profile, fetch))
    out = {}
    for name, runs in (("report_recipe", results), ("tuned", tuned)):
        half = len(runs) // 2
        acc_global = [r["held_out_accuracy"] for r in runs[:half]]
        acc_pixel = [r["held_out_accuracy"] for r in runs[half:]]
        out[name] = {"global": summary(acc_global), "pixel": summary(acc_pixel),
                     "differences": [p - g for p, g in zip(acc_pixel, acc_global)],
                     "pixel_vs_global": verdict(acc_pixel, acc_global)}
    return out


def describe(init, show=plain) -> str:
    """A reader's name for an initialization of `INIT_SCALES`; ``show(key, fmt, value)`` writes its std
    (the site passes one that tags the number)."""
    names = {"lecun": "LeCun normal, std √(1/n_in)", "uniform": "uniform ±1/√n_in"}
    if isinstance(init, str):
        return names[init]
    return "standard normal" if init == 1 else f"normal, std {show('init_scales.init_std', 'plain', init)}"
