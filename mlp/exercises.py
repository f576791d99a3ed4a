"""Exercises that check themselves: your own backward pass, checked and diagnosed.

Write a backward pass with the package's signature, ``backward(x, label, params, fwd)``
(`mlp.scalar.backward`) or ``backward(x, labels, params, fwd, reduction)``
(`mlp.vectorized.backward`), returning the seven gradients ``dz dv dc dh dk dw db``, and

    >>> from mlp import exercises
    >>> print(exercises.check(my_backward))                  # vectorized form
    >>> print(exercises.check(my_backward, form="scalar"))

`check` runs it on small random networks (seeded) beside the package's own backward
pass and central finite differences (`mlp.gradcheck`). It says which gradient is wrong,
and which usual mistake it matches. Each mistake is one small rule of `RULES`: the
student's gradient is compared with the right one after the mistake is made on purpose
(σ′ dropped, transposed, negated, scaled by the batch size, not summed over the batch).

A wrong gradient makes every gradient computed from it wrong too; those are reported as
following from it (`UPSTREAM`), so the message points at the line to fix.
"""

from __future__ import annotations

import copy
import inspect
import traceback
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from mlp import gradcheck, scalar, vectorized
from mlp.activations import ACTIVATIONS
from mlp.checks import check_choice, check_list, check_reduction
from mlp.params import Params, random_params

GRADIENTS = vectorized.Backward._fields  # dz dv dc dh dk dw db, in the order they are computed
UPSTREAM = {"dz": None, "dv": "dz", "dc": "dz", "dh": "dz", "dk": "dh", "dw": "dk", "db": "dk"}
PARAMETER_OF = {"dw": "w", "db": "b", "dv": "v", "dc": "c"}
FORMS = {"scalar": scalar, "vectorized": vectorized}
ARGUMENTS = {"scalar": ("x", "label", "params", "fwd"),
             "vectorized": ("x", "labels", "params", "fwd", "reduction")}
# Network sizes (n_in, n_hid, n_out), all different so that a transposed gradient has the
# wrong shape, and the batch size: more than one row, so that summing over it matters.
SIZES = ((4, 5, 3), (3, 6, 2))
BATCH = 6
TOLERANCE = 1e-6  # relative error below which a gradient is right (as on the pages)
RIGHT = {
    "scalar": {
        "dz": "dz[m] = y[m] - t[m]", "dv": "dv[j][m] = h[j] * dz[m]", "dc": "dc[m] = dz[m]",
        "dh": "dh[j] = sum over m of dz[m] * v[j][m]", "dk": "dk[j] = dh[j] * h[j] * (1 - h[j])",
        "dw": "dw[i][j] = x[i] * dk[j]", "db": "db[j] = dk[j]"},
    "vectorized": {
        "dz": "dz = y - t, divided by B when reduction == 'mean'", "dv": "dv = h.T @ dz",
        "dc": "dc = dz.sum(axis=0)", "dh": "dh = dz @ v.T", "dk": "dk = dh * h * (1 - h)",
        "dw": "dw = x.T @ dk", "db": "db = dk.sum(axis=0)"},
}


class Case(NamedTuple):
    """One random network and input, with the reference's gradients and central differences."""

    form: str
    reduction: str
    args: tuple  # what the student's backward is called with (copied before each call)
    rows: np.ndarray  # the input as (B, n_in) rows, B = 1 in the scalar form
    right: dict  # gradient name -> the reference's array
    numerical: Params  # central differences of the loss

    @property
    def batch(self) -> int:
        return len(self.rows)

    def describe(self) -> str:
        n_in, n_hid, n_out = self.args[2].sizes
        where = f"a {n_in}-{n_hid}-{n_out} network"
        if self.form == "scalar":
            return f"{where}, one example"
        return f"{where}, a batch of {self.batch}, reduction={self.reduction!r}"


def cases(form: str, reductions=("sum", "mean"), seed: int = 0) -> list[Case]:
    """The seeded random cases `check` runs: every network of `SIZES` with every reduction."""
    rng = np.random.default_rng(seed)
    found = []
    for n_in, n_hid, n_out in SIZES:
        params = random_params(n_in, n_hid, n_out, rng)
        x = rng.normal(size=(BATCH, n_in))
        labels = rng.integers(0, n_out, size=BATCH)
        if form == "scalar":
            x0, label = x[0].tolist(), int(labels[0])
            lists = params.tolist()
            fwd = scalar.forward(x0, lists)
            right = scalar.backward(x0, label, lists, fwd)
            numerical = gradcheck.numerical_gradients(gradcheck.scalar_loss(x0, label), params)
            args = (x0, label, lists, fwd)
            found.append(Case(form, "sum", args, x[:1], arrays(right), numerical))
            continue
        fwd = vectorized.forward(x, params)
        for reduction in reductions:
            right = vectorized.backward(x, labels, params, fwd, reduction)
            loss = gradcheck.vectorized_loss(x, labels, reduction)
            numerical = gradcheck.numerical_gradients(loss, params)
            found.append(Case(form, reduction, (x, labels, params, fwd, reduction), x, arrays(right),
                              numerical))
    return found


def arrays(backward) -> dict:
    return {name: np.asarray(value, dtype=np.float64) for name, value in zip(GRADIENTS, backward)}


# --- the mistakes: each rule sees one wrong gradient and names the mistake it matches ------

def close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Whether two arrays have one shape and agree to `TOLERANCE` (norm-wise)."""
    return got.shape == expected.shape and gradcheck.relative_error(got, expected) < TOLERANCE


def bias_not_summed(name: str, got: np.ndarray, case: Case) -> str | None:
    """A bias gradient with one row per example, or only one example's row."""
    if name not in ("dc", "db") or case.batch == 1:
        return None
    rows = case.right[UPSTREAM[name]]  # dz for dc, dk for db: (B, n)
    if got.shape == rows.shape and close(got.sum(axis=0), case.right[name]):
        return (f"a bias gradient not summed over the batch: it has one row per example, shape "
                f"{got.shape}; the bias is shared by the {case.batch} rows, so sum them")
    if any(close(got, row) for row in rows):
        return "a bias gradient of one example only: it is one row of the batch's; sum all the rows"
    return None


def transposed(name: str, got: np.ndarray, case: Case) -> str | None:
    """A weight gradient laid out the other way round (``dz.T @ h`` for ``h.T @ dz``)."""
    right = case.right[name]
    if right.ndim == 2 and close(got, right.T):
        return (f"a transpose: it is the right gradient transposed, shape {got.shape}; a parameter's "
                f"gradient has the parameter's shape, {right.shape}")
    return None


def sign(name: str, got: np.ndarray, case: Case) -> str | None:
    """The right gradient with the opposite sign (``t - y`` for ``y - t``, a stray minus in σ′)."""
    if close(got, -case.right[name]):
        return "a sign: it is minus the right gradient"
    return None


def summed_against_mean(name: str, got: np.ndarray, case: Case) -> str | None:
    """The summed loss's gradient where the mean's is asked, or the other way round."""
    if case.batch == 1:
        return None
    right, batch = case.right[name], case.batch
    if close(got, right * batch):
        return (f"sum against mean: it is B = {batch} times the right gradient, the summed loss's "
                f"where reduction={case.reduction!r} asks for the mean's (divide dz by B)")
    if close(got, right / batch):
        return (f"sum against mean: it is the right gradient divided by B = {batch}, the mean loss's "
                f"where reduction={case.reduction!r} asks for the summed loss's (divide only for 'mean')")
    return None


def sigma_prime_missing(name: str, got: np.ndarray, case: Case) -> str | None:
    """The gradient computed from dh where dk = dh σ′(k) belongs: the sigmoid's derivative left out."""
    dh = case.right["dh"].reshape(case.batch, -1)
    without = {"dk": case.right["dh"], "dw": case.rows.T @ dh, "db": dh.sum(axis=0)}
    if name in without and close(got, without[name].reshape(case.right[name].shape)):
        return "σ′ missing: it is what the right gradient would be without the factor σ′(k) = h (1 - h)"
    return None


RULES: tuple[Callable[[str, np.ndarray, Case], str | None], ...] = (
    bias_not_summed, transposed, sign, summed_against_mean, sigma_prime_missing)


def likely_mistake(name: str, got: np.ndarray, case: Case) -> str | None:
    """The first rule's diagnosis that fits, or None."""
    for rule in RULES:
        found = rule(name, got, case)
        if found:
            return found
    return None


# --- the verdict ---------------------------------------------------------------------------

class Finding(NamedTuple):
    """One wrong gradient."""

    gradient: str
    error: float | None  # relative error against the reference (None: the shape differs)
    finite_difference_error: float | None  # against central differences (parameters only)
    mistake: str | None  # the likely mistake, if a rule matched
    cause: str | None  # the wrong gradient it is computed from, if any


class BackwardMistake(AssertionError):
    """Raised by `Verdict.raise_if_wrong` (``check(..., raises=True)``)."""


@dataclass
class Verdict:
    """What `check` found. ``print`` it for the message; ``.ok`` is True when all is right."""

    form: str
    checked: list = field(default_factory=list)  # descriptions of the cases that passed
    failed_on: str | None = None  # the case that failed
    findings: list = field(default_factory=list)
    problem: str | None = None  # why the backward pass could not be checked at all
    largest_error: float = 0.0  # over the passed cases: against the reference
    largest_finite_difference_error: float = 0.0  # and against central differences

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.findings

    @property
    def message(self) -> str:
        if self.problem:
            return f"Not checked ({self.failed_on}): {self.problem}" if self.failed_on else \
                f"Not checked: {self.problem}"
        if self.ok:
            return "\n".join([
                f"Right: all seven gradients, in all {len(self.checked)} random cases:",
                *(f"- {case}" for case in self.checked),
                f"Largest relative error against mlp.{self.form}.backward: {self.largest_error:.1e}; "
                f"against central finite differences: {self.largest_finite_difference_error:.1e}."])
        lines = [f"Wrong on {self.failed_on}:"]
        for found in self.findings:
            lines.append(f"- {found.gradient}: " + describe(found, self.form))
        roots = [found.gradient for found in self.findings if found.cause is None]
        lines.append(f"Fix {' and '.join(roots)} first: the right line is "
                     + "; ".join(RIGHT[self.form][root] for root in roots) + ".")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message

    def raise_if_wrong(self) -> "Verdict":
        """Raise `BackwardMistake` with the message unless all is right; else return self."""
        if not self.ok:
            raise BackwardMistake(self.message)
        return self


def describe(found: Finding, form: str) -> str:
    """One line of the message: how wrong a gradient is, and why."""
    if found.error is None:
        measured = "wrong shape"
    else:
        measured = f"relative error {found.error:.1e} against the reference"
    if found.finite_difference_error is not None:
        measured += f", {found.finite_difference_error:.1e} against finite differences"
    if found.cause is not None:
        return f"wrong ({measured}), as it is computed from {found.cause}, which is wrong."
    if found.mistake is None:
        return f"wrong ({measured}); no usual mistake fits: compare with {RIGHT[form][found.gradient]}."
    return f"wrong ({measured}). Likely {found.mistake}."


def check(backward, form: str = "vectorized", reductions=("sum", "mean"), seed: int = 0,
          raises: bool = False) -> Verdict:
    """Check a student's ``backward`` against the package's and central finite differences.

    ``form`` is ``"scalar"`` or ``"vectorized"``; ``backward`` takes the arguments of
    that form's ``backward`` and returns the seven gradients (a ``Backward`` or a tuple
    ``dz, dv, dc, dh, dk, dw, db``; lists or arrays). The vectorized form is checked
    with each of ``reductions``. Returns a `Verdict`; with ``raises=True`` a wrong
    backward raises `BackwardMistake` instead.
    """
    if form not in FORMS:
        raise ValueError(f"form must be 'scalar' or 'vectorized', got {form!r}")
    reductions = check_list(reductions, "reductions")
    for reduction in reductions:
        check_reduction(reduction)
    verdict = Verdict(form)
    verdict.problem = signature_problem(backward, form)
    if verdict.problem is None:
        for case in cases(form, reductions, seed):
            returned, verdict.problem = call(backward, case)
            if verdict.problem is None:
                got, verdict.problem = gradients_of(returned, case)
            if verdict.problem is None:
                verdict.findings = findings(got, case)
            if verdict.problem is not None or verdict.findings:
                verdict.failed_on = case.describe()
                break
            verdict.checked.append(case.describe())
            verdict.largest_error = max(
                verdict.largest_error, *(gradcheck.relative_error(got[n], case.right[n]) for n in GRADIENTS))
            verdict.largest_finite_difference_error = max(
                verdict.largest_finite_difference_error, *finite_difference_errors(got, case).values())
    return verdict.raise_if_wrong() if raises else verdict


def signature_problem(backward, form: str) -> str | None:
    """Why ``backward`` cannot be called as the package calls its own, or None."""
    wanted = f"({', '.join(ARGUMENTS[form])})"
    if not callable(backward):
        return f"check needs your backward function, got {type(backward).__name__} {backward!r:.60}"
    try:
        signature = inspect.signature(backward)
    except (TypeError, ValueError):  # a builtin or an extension: it will be called and seen
        return None
    try:
        signature.bind(*ARGUMENTS[form])
    except TypeError as error:
        name = getattr(backward, "__name__", "your function")
        return (f"backward must take {wanted}, as mlp.{form}.backward does; {name}{signature} "
                f"cannot: {error}")
    return None


def call(backward, case: Case):
    """``(returned, None)``, or ``(None, problem)`` quoting the student's own traceback."""
    try:
        return backward(*copy.deepcopy(case.args)), None
    except Exception as error:  # the student's code: show their lines, not the checker's
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename != __file__]
        theirs = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(error))
        return None, f"your backward raised {type(error).__name__}:\n{theirs.rstrip()}\n"


def gradients_of(returned, case: Case):
    """``(dict of float arrays, None)`` from what the student returned, or ``(None, problem)``."""
    if all(hasattr(returned, name) for name in GRADIENTS):
        values = [getattr(returned, name) for name in GRADIENTS]
    elif isinstance(returned, (tuple, list)) and len(returned) == len(GRADIENTS):
        values = list(returned)
    else:
        shown = type(returned).__name__
        if isinstance(returned, (tuple, list)):
            shown = f"a {shown} of {len(returned)} values"
        return None, (f"backward must return the seven gradients {', '.join(GRADIENTS)} (a "
                      f"mlp.{case.form}.Backward, or a tuple in that order); it returned {shown}")
    got = {}
    for name, value in zip(GRADIENTS, values):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None, f"{name} must be an array (or nested lists) of numbers, got {type(value).__name__}"
        if not np.all(np.isfinite(array)):
            return None, f"{name} contains NaN or infinity"
        got[name] = array
    return got, None


def finite_difference_errors(got: dict, case: Case) -> dict:
    """Relative error of each parameter gradient of the right shape against central differences."""
    return {name: gradcheck.relative_error(got[name], getattr(case.numerical, parameter))
            for name, parameter in PARAMETER_OF.items()
            if got[name].shape == getattr(case.numerical, parameter).shape}


def findings(got: dict, case: Case) -> list[Finding]:
    """One `Finding` per wrong gradient, in the order the backward pass computes them."""
    wrong = {name for name in GRADIENTS if not close(got[name], case.right[name])}
    differences = finite_difference_errors(got, case)
    found = []
    for name in GRADIENTS:
        if name not in wrong:
            continue
        cause = UPSTREAM[name]
        while cause is not None and UPSTREAM[cause] in wrong:
            cause = UPSTREAM[cause]  # the first wrong gradient up the chain
        if cause not in wrong:
            cause = None
        same_shape = got[name].shape == case.right[name].shape
        error = gradcheck.relative_error(got[name], case.right[name]) if same_shape else None
        mistake = None if cause else likely_mistake(name, got[name], case)
        found.append(Finding(name, error, differences.get(name), mistake, cause))
    return found


# Your own activation layer, checked: `check_layer(MyTanh, "tanh")`.
# Each usual mistake is what the student's d_in would be, from the input k, the output h and
# the gradient d_out arriving from after the layer.
LAYER_MISTAKES = {
    "sigmoid": {"σ′ written with the input k instead of the output h: k (1 - k) for h (1 - h)":
                lambda k, h, d: d * k * (1 - k)},
    "tanh": {"tanh′ written with the input k instead of the output h: 1 - k² for 1 - h²":
             lambda k, h, d: d * (1 - k * k),
             "the square missing: 1 - h for 1 - h²": lambda k, h, d: d * (1 - h),
             "σ′'s form h (1 - h), which is the sigmoid's derivative, not tanh's":
             lambda k, h, d: d * h * (1 - h)},
    "relu": {"the mask taken after the layer, from the arriving gradient (d_out > 0), "
             "instead of before it, from the input (k > 0)": lambda k, h, d: d * (d > 0),
             "the mask reversed: kept where k < 0 instead of k > 0": lambda k, h, d: d * (k < 0)},
}
class LayerVerdict(NamedTuple):
    """What `check_layer` found: ``ok``, and the message (``print`` the verdict)."""

    ok: bool
    message: str
    mistake: str | None = None  # the usual mistake it matches, if one does

    def __str__(self) -> str:
        return self.message


def check_layer(make_layer, activation: str, seed: int = 0) -> LayerVerdict:
    """Check a student's activation layer against `mlp.activations` and central differences.

    ``make_layer()`` returns a layer with ``forward(k) -> h`` and ``backward(d_out)``
    returning ``d_in`` or ``(d_in, d_params)``, as `mlp.layers.Activation` does;
    ``activation`` names the function it computes (a key of ``ACTIVATIONS``). The verdict
    says right, or what is wrong and which usual mistake (`LAYER_MISTAKES`) it matches.
    """
    f, df = ACTIVATIONS[check_choice(activation, "activation", tuple(ACTIVATIONS))]
    rng = np.random.default_rng(seed)
    k, d_out = rng.normal(scale=2.0, size=(6, 5)), rng.normal(size=(6, 5))
    k[np.abs(k) < 1e-2] = 0.5  # away from ReLU's kink
    layer = make_layer()
    h = np.asarray(layer.forward(k.copy()), dtype=np.float64)
    if h.shape != k.shape or not close(h, f(k)):
        return LayerVerdict(False, f"Wrong forward: h should be {activation}(k), element by element (fix it first).")
    returned = layer.backward(d_out.copy())
    d_in = np.asarray(returned[0] if isinstance(returned, tuple) else returned, dtype=np.float64)
    right = d_out * df(k, h)
    (numerical,) = gradcheck.central_differences(lambda: float(np.sum(d_out * f(k))), [k])
    if d_in.shape != k.shape:
        return LayerVerdict(False, f"Wrong d_in: shape {d_in.shape}, but it must have the input's shape {k.shape}.")
    if close(d_in, right):
        return LayerVerdict(True, f"Right: d_in = d_out ⊙ {activation}′(k); relative error against "
                                  f"central differences {gradcheck.relative_error(d_in, numerical):.1e}.")
    mistakes = {**LAYER_MISTAKES.get(activation, {}), "the derivative missing: d_in = d_out": lambda k, h, d: d,
                "the sign flipped": lambda k, h, d: -d * df(k, h)}
    error = gradcheck.relative_error(d_in, numerical)
    for mistake, made in mistakes.items():
        if close(d_in, made(k, h, d_out)):
            return LayerVerdict(False, f"Wrong d_in (relative error {error:.1e} against central "
                                       f"differences). Likely {mistake}.", mistake)
    return LayerVerdict(False, f"Wrong d_in (relative error {error:.1e} against central differences); no "
                               f"usual mistake fits: d_in = d_out ⊙ f′(k), with f′ from the layer's own k and h.")
