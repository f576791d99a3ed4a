"""The reproduction report in words: each claim's rule, its verdict, and the sentence that says why.

What a sentence says is decided here, from :func:`mlp.experiments.table.claims`, and tested
on constructed results; the pages only print it. Every number goes through
``show(key, fmt, value)``: the site passes :func:`mlp.site.page.number`, which tags it, the default
writes it plainly (:func:`mlp.text.plain`).
"""

from __future__ import annotations

from mlp import report
from mlp.experiments import init_scales as scales
from mlp.text import plain

WORDS = {True: "yes", False: "no", None: "cannot tell"}

def word(agrees: bool | None) -> str:
    """The verdict as the table writes it: yes, no, or cannot tell."""
    return WORDS[agrees]


def tally(verdicts) -> dict:
    """How many verdicts say yes, no and cannot tell, and how many there are."""
    verdicts = list(verdicts)
    return {**{w: sum(v is k for v in verdicts) for k, w in WORDS.items()}, "total": len(verdicts)}


def rate(value: float, show=plain) -> str:
    """A learning rate, as the tables write it (0.001)."""
    return show("claims.learning_rate", "plain", value)


def _test(claim: dict, what: str, show) -> str:
    """The sentence that says whether a ranking's test separated the two values it compared."""
    if claim["p"] is None:
        return "One seed: no test can be made, so the ranking cannot be told."
    p = show(f"{what}.p", "plain", claim["p"])
    pair = " against ".join(show(f"{what}.compared", "plain", v) for v in (claim["found"], claim["compared_with"]))
    if claim["p"] < claim["level"]:
        return f"The test of {pair} gives p = {p}: the ranking is larger than the noise."
    return (f"The test of {pair} gives p = {p}: the difference could be seed-to-seed noise, so the data "
            f"cannot tell.")


def synthetic_accuracy(c: dict, show=plain) -> str:
    """Why the synthetic accuracy's verdict is what it is."""
    side = "below" if c["below_majority"] else "above"
    text = (f"{report.SYNTH_ACCURACY_TEXT} is {side} the {show('scalar_sgd.majority_accuracy', 'percent', c['majority'])} "
            f"of always answering the larger class. Seeds vary by {show('scalar_sgd.val_accuracy.std', 'percent', c['ours']['std'])}; "
            f"three standard deviations below the mean is {show('claims.synthetic_accuracy.lowest_plausible', 'percent', c['lowest_plausible'])}")
    if c["randomness_explains"]:
        return text + ", which reaches the report's number: in this build randomness cannot be ruled out."
    return text + ", still far above the report's number: randomness cannot carry a run there."


def convergence(c: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "the losses converge after epoch 60"."""
    late = c["after"]
    if late is None:
        return "runs too short", "Runs stop before the epoch of the claim."
    ours = (f"validation loss {show('claims.synthetic.val_loss_at', '4f', late['val_loss_at'])} at epoch {late['epoch']}, "
            f"{show('claims.synthetic.val_loss_end', '4f', late['val_loss_end'])} at {late['last_epoch']} "
            f"({show('claims.synthetic.val_loss_drop', '1f', 100 * abs(late['drop']))}% "
            f"{'lower' if late['drop'] > 0 else 'higher'})")
    if late["converged"]:
        return ours, "The loss changes by less than the rule's tolerance after that epoch."
    return ours, ("The loss still changes by more than the rule's tolerance after that epoch; on a linear axis the curve "
                  "looks flat there, which is easy to read as convergence.")


def overfitting(c: dict, n_params: int, n_train: int, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "after epoch 60 the model overfits"."""
    late = c["after"]
    if late is None:
        return "runs too short", "Runs stop before the epoch of the claim."
    gap = late["val_minus_train_end"]
    ours = (f"validation loss {'rises' if late['rises'] else 'falls'} after epoch {late['epoch']}; at the end it is "
            f"{show('claims.synthetic.val_minus_train_end', '4f', abs(gap))} {'above' if gap > 0 else 'below'} "
            f"the training loss")
    why = ("By the rule above the validation loss must rise; " +
           ("it does." if late["rises"] else
            f"a small gap is the usual difference between two samples, and {n_params} parameters have little room "
            f"to memorize {n_train:,} points."))
    return ours, why


def mnist_overfitting(c: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "SGD on MNIST overfits after one epoch"."""
    early = c["after"]
    if early is None:
        return "runs too short", "Runs stop before the epoch of the claim."
    ours = (f"validation loss {show('claims.mnist_sgd.val_loss_at', '3f', early['val_loss_at'])} after epoch "
            f"{early['epoch']}, {show('claims.mnist_sgd.val_loss_end', '3f', early['val_loss_end'])} after epoch "
            f"{early['last_epoch']}")
    if early["rises"]:
        return ours, "The validation loss rises: overfitting by the rule above."
    return ours, ("The validation loss keeps falling: the gap between the training and validation curves is a "
                  "generalization gap, which by the rule above is not yet overfitting.")


def minibatch(c: dict, show=plain) -> str:
    """Why Figure 5's comparison is decided or not, and the lesson that holds."""
    lesson = ("The lesson that holds: with the summed loss an epoch adds up the same per-example gradients at any "
              "batch size, so per example seen and at the same learning rate the two move the network about "
              "equally far; mini-batches take fewer, steadier steps, each cheaper per example on a computer.")
    if c["confounded"]:
        ratio = show("claims.minibatch_beats_sgd.lr_ratio", "plain", c["lr_sgd"] / c["lr_minibatch"])
        return (f"Figure 5's learning rate ({rate(c['lr_minibatch'], show)}) is {ratio} times smaller than Figure 4's "
                f"({rate(c['lr_sgd'], show)}): the figures compare learning rates as much as methods. " + lesson)
    if c["agrees"] is None:
        return "At the same learning rate the two accuracies lie within noise of each other. " + lesson
    return ("At the same learning rate, mini-batch is " + ("ahead. " if c["agrees"] else "behind. ") + lesson)


def minibatch_against_sgd(c: dict, sgd: dict, minibatch: dict) -> dict:
    """Figure 5 beside Figure 4 (``c``: the claim ``minibatch_beats_sgd``; ``sgd``, ``minibatch``: the
    two summaries, `mlp.experiments.mnist.one_run`): mini-batch is "ahead" or "behind" after the
    same epochs, and its per-update loss "steadier" or "not steadier" (`mnist.step_noise`)."""
    return {"position": "ahead" if c["minibatch"] > c["sgd"] else "behind",
            "steadiness": "steadier" if minibatch["step_noise"] < sgd["step_noise"] else "not steadier"}


def harder(mnist: dict, fashion: dict) -> str:
    """Whether Fashion-MNIST is "harder" than MNIST for the network, or "not harder": the tuned
    recipe's mean test accuracy is lower there (``mnist``: the ``final_model`` summary)."""
    lower = fashion["tuned"]["test_accuracy"]["mean"] < mnist["tuned"]["test_accuracy"]["mean"]
    return "harder" if lower else "not harder"


def consistency(c: dict, name: str, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of a claim about the most or least consistent learning rate."""
    ours = (f"{'most' if name == 'lr_most_consistent' else 'least'}: {rate(c['found'], show)}; std over seeds "
            + ", ".join(f"{rate(lr, show)}: {show(f'claims.{name}.std', 'percent', s)}" for lr, s in c["std"].items()))
    return ours, ("The report compared the widths of shaded bands by eye; here the spread is measured. "
                  + _test(c, f"claims.{name}", show))


def explode(c: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "learning rates 1e-2 and 1e-1 exploded"."""
    ours = "; ".join(
        f"{rate(lr, show)}: training loss {show('claims.lr_explode.initial_loss', '2f', c['initial_loss'][lr])} → "
        f"{show('claims.lr_explode.final_loss', '2f', c['final_loss'][lr])}, validation accuracy "
        f"{show('claims.lr_explode.accuracy', 'percent', c['accuracy'][lr])}" for lr in c["diverged"])
    if c["agrees"]:
        return ours, "Both diverge here too."
    return ours, ("The loss only starts very high (standard-normal weights make the untrained network confidently "
                  "wrong). Inference: the report may have taken that first loss for an explosion.")


def best_rate(c: dict, exploded: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "learning rate 1e-3 is the best"."""
    ours = (f"best on validation: {rate(c['found'], show)} ({show('claims.lr_best.accuracy', 'percent', c['accuracy'][c['found']])}; "
            f"{rate(c['claimed'], show)}: {show('claims.lr_best.accuracy', 'percent', c['accuracy'][c['claimed']])})")
    why = _test(c, "claims.lr_best", show)
    if c["found"] != c["claimed"] and c["found"] in exploded:
        why += " The report set this rate aside as exploding (previous row)."
    return ours, why


def worst_batch(c: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "batch size 1000 is the worst"."""
    ours = (f"lowest accuracy: {c['lowest_accuracy']:,}; largest loss: {c['highest_loss']:,}; the means lie within "
            f"{show('claims.batch_worst.spread', 'points', c['spread'])} points")
    why = ("By accuracy: " + _test(c["by_accuracy"], "claims.batch_worst.by_accuracy", show)
           + " By loss: " + _test(c["by_loss"], "claims.batch_worst.by_loss", show)
           + " With the summed loss an epoch sums the same gradients at any batch size; per update, as the report "
             "plotted, large batches lag because they make fewer updates.")
    return ours, why


def lowest_loss_batch(c: dict, show=plain) -> tuple[str, str]:
    """``(ours, why)`` of "batch size 100 has the lowest loss"."""
    ours = (f"lowest final training loss: {c['found']:,} ("
            + ", ".join(f"{bs:,}: {show('claims.batch_lowest_loss.loss', '3f', v)}" for bs, v in c["loss"].items()) + ")")
    return ours, _test(c, "claims.batch_lowest_loss", show)


def final_accuracy(c: dict, show=plain) -> str:
    """Why the final accuracy's verdict is what it is."""
    text = "One run without a seed cannot be placed in a distribution; "
    if c["position"] is None:
        return text + "with one seed here either, this build cannot tell."
    if c["position"] == "inside":
        return text + "the report's number is inside our interval."
    text += f"the report's number is {c['position']} our interval for its recipe."
    if c["tuned"] is not None:
        text += (f" The same network reaches {show('final_model.tuned.test_accuracy.mean', 'percent', c['tuned']['mean'])} "
                 "with a tuned recipe.")
    text += (" The report states standard-normal weights only for its synthetic network; trained from other "
             "initial scales (MNIST page), its recipe ")
    if c.get("inside_with") is None:
        return text + "cannot be placed in this build."
    if not c["inside_with"]:
        return text + "brings the report's number inside the interval with none of them."
    return (text + "brings the report's number inside the interval with "
            + " and ".join(scales.describe(s, show) for s in c["inside_with"]) + " weights, as measured.")


def init_scales(sweep: dict, show=plain) -> str:
    """What the init-scale sweep measured about the report's number."""
    within = sweep["inside"]
    if within is None:
        return "Measured: the runs are too few to place the report's number."
    if not within:
        return "Measured: no initialization tried here brings the report's number inside its interval."
    return ("Measured: the report's number lies inside the interval of "
            + " and ".join(scales.describe(s, show) for s in within)
            + f" only; with standard-normal weights it lies {sweep['scales'][0]['place']} the interval.")
