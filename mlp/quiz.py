"""Predict, then check: questions whose answer the reader types before seeing it.

Each `Question` holds its answer, computed here from the package (the running example's
point, the report's sizes, a training recipe), the pattern a typed answer must match and
the tolerance it is held to, a hint naming the rule to use (shown after a wrong answer)
and the worked answer (shown on request). `verdict` decides; the site writes the same
data into the page, and its script decides by the same rule (the site's tests type the
same answers into the page and compare).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from mlp.example import running_example  # noqa: F401  (the questions' point, named here for the pages)

# A typed number ("0.0514", "-1.2e-3", ".5"); a shape of two sizes ("(2, 3)", "2x3", "[2, 3]").
# Each group is one number of the answer. "−" (the minus sign) is read as "-".
NUMBER = r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
SHAPE = r"^\s*[(\[]?\s*(\d+)\s*[,x×]\s*(\d+)\s*,?\s*[)\]]?\s*$"
SIGNIFICANT = 3  # a typed number is right within one unit of its third significant digit


@dataclass(frozen=True)
class Question:
    """One question. ``prompt``, ``hint`` and ``worked`` are HTML with math in ``\\( \\)``;
    each ``{name}`` in them stands for ``values[name]``, a number the page shows formatted."""

    name: str
    prompt: str
    answer: tuple  # the numbers a typed answer's groups are compared with
    tolerance: float  # largest accepted |typed - answer|, per number
    pattern: str  # what a typed answer must match (NUMBER or SHAPE)
    hint: str
    worked: str
    values: dict = field(default_factory=dict)


def tolerance(value: float, significant: int = SIGNIFICANT) -> float:
    """One unit in the ``significant``-th significant digit of ``value``: 0.05137 -> 1e-4."""
    if value == 0:
        raise ValueError("a zero answer has no significant digits: ask for another quantity")
    return 10.0 ** (math.floor(math.log10(abs(value))) - significant + 1)


def read(question: Question, typed: str):
    """The numbers of a typed answer, or None if it does not read as one (a number, a shape)."""
    match = re.match(question.pattern, typed.replace("\u2212", "-"))
    return None if match is None else [float(group) for group in match.groups()]


def verdict(question: Question, typed: str) -> str:
    """``"right"``, ``"wrong"`` or ``"unreadable"``: each typed number within the tolerance of the answer's."""
    numbers = read(question, typed)
    if numbers is None:
        return "unreadable"
    ok = all(abs(got - want) <= question.tolerance for got, want in zip(numbers, question.answer, strict=True))
    return "right" if ok else "wrong"


def numeric(name, prompt, value, hint, worked, values) -> Question:
    """A question whose answer is one number, ``value``, shown as ``{name}`` in the worked answer."""
    return Question(name, prompt, (float(value),), tolerance(value), NUMBER, hint, worked,
                    {**values, name: float(value)})


def at_the_point(point: dict) -> list[Question]:
    """k_1, h_1, dz_1, dh_2, dk_3 and dw_21 at ``point`` (`running_example`'s form)."""
    x, label = point["x"], point["label"]
    w, b, v, c = point["params"]
    k, h, z, y = point["forward"]
    bwd = point["backward"]
    t = [1.0 if m == label else 0.0 for m in range(len(y))]
    three = "to three significant figures"
    return [
        numeric("k_1", f"What is \\(k_1\\), {three}?", k[0],
               "\\(k_1\\) adds each input times its weight into unit 1, then the bias: "
               "\\(k_1 = x_1 w_{11} + x_2 w_{21} + b_1\\).",
               "\\(k_1 = x_1 w_{11} + x_2 w_{21} + b_1\\) = {x_1} · {w_11} + {x_2} · {w_21} + {b_1} = {k_1}.",
               {"x_1": x[0], "x_2": x[1], "w_11": w[0][0], "w_21": w[1][0], "b_1": b[0]}),
        numeric("h_1", f"What is \\(h_1\\), {three}?", h[0],
               "Apply the sigmoid to \\(k_1\\): \\(h_1 = \\sigma(k_1) = 1 / (1 + e^{-k_1})\\).",
               "\\(h_1 = 1 / (1 + e^{-k_1})\\) with \\(k_1\\) = {k_1} gives {h_1}.",
               {"k_1": k[0]}),
        numeric("dz_1", f"What is \\(dz_1 = \\partial l / \\partial z_1\\), {three}?", bwd.dz[0],
               "The chain rule's first factor: softmax and cross-entropy together give \\(dz_m = y_m - t_m\\). "
               f"Is class 1 the true class (\\(t_1 = 1\\)) or not? The true class is {label + 1}.",
               "\\(dz_1 = y_1 - t_1\\) = {y_1} − {t_1} = {dz_1}.",
               {"y_1": y[0], "t_1": t[0]}),
        numeric("dh_2", f"What is \\(dh_2\\), {three}?", bwd.dh[1],
               "\\(h_2\\) reaches the loss through every logit, so the chain rule sums over the paths: "
               "\\(dh_2 = \\sum_m dz_m v_{2m}\\).",
               "\\(dh_2 = dz_1 v_{21} + dz_2 v_{22}\\) = {dz_1} · {v_21} + {dz_2} · {v_22} = {dh_2}.",
               {"dz_1": bwd.dz[0], "dz_2": bwd.dz[1], "v_21": v[1][0], "v_22": v[1][1]}),
        numeric("dk_3", f"What is \\(dk_3\\), {three}?", bwd.dk[2],
               "One more factor of the chain rule, the sigmoid's slope: \\(\\partial h_3 / \\partial k_3 = "
               "\\sigma'(k_3) = h_3 (1 - h_3)\\). Multiply \\(dh_3\\) by it.",
               "\\(dk_3 = dh_3\\, h_3 (1 - h_3)\\) = {dh_3} · {h_3} · (1 − {h_3}) = {dk_3}.",
               {"dh_3": bwd.dh[2], "h_3": h[2]}),
        numeric("dw_21", f"What is \\(dw_{{21}} = \\partial l / \\partial w_{{21}}\\), {three}?", bwd.dw[1][0],
               "\\(w_{21}\\) enters only \\(k_1\\), and \\(\\partial k_1 / \\partial w_{21} = x_2\\): "
               "the last factor is the input the weight multiplies.",
               "\\(dw_{21} = x_2\\, dk_1\\) = {x_2} · {dk_1} = {dw_21}.",
               {"x_2": x[1], "dk_1": bwd.dk[0]}),
    ]


def batch_shape(point: dict, batch: int = 32) -> Question:
    """The shape of ``x.T @ dk`` for a batch of ``batch`` examples of ``point``'s network."""
    n_in, n_hid = len(point["params"].w), len(point["params"].b)
    return Question(
        "shape_dw",
        f"In the vectorized form a batch of {batch} examples of this {n_in}-{n_hid}-{len(point['params'].c)} "
        f"network has <code>x</code> of shape ({batch}, {n_in}) and <code>dk</code> of shape ({batch}, {n_hid}). "
        "What is the shape of <code>x.T @ dk</code>? Type it as <code>(rows, columns)</code>.",
        (n_in, n_hid), 0.0, SHAPE,
        "Transposing swaps the two sizes, and a product <code>(a, b) @ (b, c)</code> is <code>(a, c)</code>: "
        "the size the two share, here the batch's, is summed away.",
        f"<code>x.T</code> is ({n_in}, {batch}) and <code>dk</code> is ({batch}, {n_hid}), so "
        f"<code>x.T @ dk</code> is ({n_in}, {n_hid}): the shape of \\(w\\), one gradient per weight, each "
        "summed over the batch's examples.")


def same_step_lr() -> Question:
    """The summed-loss learning rate that takes the same step as a mean-loss recipe of the MNIST page."""
    from mlp.experiments import mnist

    run = next(r for r in mnist.TUNED_CANDIDATES if r.reduction == "mean" and r.lr_decay == 1.0)
    answer = run.lr / run.batch_size
    return numeric(
        "lr_sum",
        f"A recipe of the MNIST page takes the mean loss over batches of \\(B = {run.batch_size}\\) with "
        "learning rate {lr_mean}. Which learning rate takes the same steps with the summed loss "
        f"(<code>reduction=\"sum\"</code>)? Three significant figures.",
        answer,
        "The summed loss adds the batch's \\(B\\) per-example gradients where the mean averages them, so its "
        "gradient is \\(B\\) times larger; the step is the learning rate times the gradient.",
        f"\\(\\eta_\\text{{sum}} = \\eta_\\text{{mean}} / B\\) = {{lr_mean}} / {run.batch_size} = {{lr_sum}}.",
        {"lr_mean": run.lr})


def questions() -> dict:
    """Every question the site asks, by name."""
    point = running_example()
    return {q.name: q for q in [*at_the_point(point), batch_shape(point), same_step_lr()]}
