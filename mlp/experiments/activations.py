"""The report's network against the same network with ReLU hidden units, seed by seed.

The layers page derives the backward pass for any activation; this trains two of them
on MNIST by one recipe (the tuned one: mean loss, lr 0.1, batches of 32, LeCun weights),
five seeds each, and compares their held-out accuracy with its 95% intervals.
"""

from __future__ import annotations

from mlp.experiments import mnist
from mlp.experiments.init_scales import SIGNIFICANCE
from mlp.experiments.profiles import seeds, sized
from mlp.experiments.runs import Run
from mlp.experiments.stats import band, summary, welch

ACTIVATIONS = ("sigmoid", "relu")  # the report's, and the usual alternative
SEEDS = 5
RECIPE = mnist.TUNED_CANDIDATES[0].replace(epochs=4, record_epochs=True)


def activation_runs(profile: str) -> list[Run]:
    return [sized(RECIPE.replace(activation=activation, seed=seed), profile)
            for activation in ACTIVATIONS for seed in seeds(profile, SEEDS)]


def activations(profile: str, results, fetch=None) -> dict:
    """Per activation: the held-out accuracy over seeds (mean, interval) and its curve's band;
    and Welch's test of the difference (ReLU minus sigmoid)."""
    n = len(seeds(profile, SEEDS))
    groups = {activation: results[i * n:(i + 1) * n] for i, activation in enumerate(ACTIVATIONS)}
    out = {"recipe": {field: getattr(RECIPE, field) for field in ("lr", "batch_size", "epochs", "reduction", "init")},
           "seeds": n}
    for activation, group in groups.items():
        out[activation] = {
            "val_accuracy": summary([r["held_out_accuracy"] for r in group]),
            "curve": band([r["history"]["val_accuracy"] for r in group]),
            "train_seconds": summary([r["train_seconds"] for r in group]),
        }
    if n > 1:
        out["relu_minus_sigmoid"] = welch([r["held_out_accuracy"] for r in groups["relu"]],
                                          [r["held_out_accuracy"] for r in groups["sigmoid"]])
    return out


def reading(result: dict) -> str:
    """What the seeds say of ReLU against the sigmoid: one ahead, or no difference they can
    tell (Welch's p at or above `SIGNIFICANCE`)."""
    test = result["relu_minus_sigmoid"]
    if test["p"] >= SIGNIFICANCE:
        return f"with {result['seeds']} seeds, no difference they can tell"
    return "ReLU ahead" if test["difference"] > 0 else "the sigmoid ahead"
