"""The exercise checker passes right backward passes and names each usual mistake.

Each "student" below is a whole backward pass as a student would write it, with one
mistake planted; the checker must name the gradient the mistake is in and the mistake.
"""

import numpy as np
import pytest

from mlp import exercises, scalar, vectorized
from mlp.vectorized import Backward, one_hot


# --- students of the vectorized form ------------------------------------------------------

def right(x, labels, params, fwd, reduction="sum"):
    _, h, _, y = fwd
    dz = y - one_hot(labels, y.shape[1])
    if reduction == "mean":
        dz = dz / len(x)
    dv = h.T @ dz
    dc = dz.sum(axis=0)
    dh = dz @ params.v.T
    dk = dh * h * (1 - h)
    dw = x.T @ dk
    db = dk.sum(axis=0)
    return Backward(dz, dv, dc, dh, dk, dw, db)


def student(**mistakes):
    """The right pass with the named gradients computed by the given functions instead.

    Each function gets the right gradients computed so far (as keyword arguments, with
    the forward pass's arrays), so a mistake propagates as it would in the student's code.
    """
    def backward(x, labels, params, fwd, reduction="sum"):
        _, h, _, y = fwd
        values = {"x": x, "h": h, "y": y, "t": one_hot(labels, y.shape[1]), "v": params.v, "B": len(x),
                  "reduction": reduction}
        lines = {
            "dz": lambda y, t, B, reduction, **_: (y - t) / (B if reduction == "mean" else 1),
            "dv": lambda h, dz, **_: h.T @ dz,
            "dc": lambda dz, **_: dz.sum(axis=0),
            "dh": lambda dz, v, **_: dz @ v.T,
            "dk": lambda dh, h, **_: dh * h * (1 - h),
            "dw": lambda x, dk, **_: x.T @ dk,
            "db": lambda dk, **_: dk.sum(axis=0),
        }
        for name in Backward._fields:
            values[name] = mistakes.get(name, lines[name])(**values)
        return Backward(*(values[name] for name in Backward._fields))
    return backward


MISTAKES = {  # test id: (student, the gradients to be named, words of the diagnosis)
    "sigma-prime-missing-in-dk": (student(dk=lambda dh, **_: dh), "dk", "σ′ missing"),
    "sigma-prime-missing-in-dw": (student(dw=lambda x, dh, **_: x.T @ dh, db=lambda dh, **_: dh.sum(axis=0)),
                                  "dw db", "σ′ missing"),
    "dv-transposed": (student(dv=lambda h, dz, **_: dz.T @ h), "dv", "a transpose"),
    "dw-transposed": (student(dw=lambda x, dk, **_: dk.T @ x), "dw", "a transpose"),
    "summed-where-mean-asked": (student(dz=lambda y, t, **_: y - t), "dz", "sum against mean: it is B = 6 times"),
    "mean-where-sum-asked": (student(dz=lambda y, t, B, **_: (y - t) / B), "dz",
                             "sum against mean: it is the right gradient divided by B"),
    "sign-in-dz": (student(dz=lambda y, t, B, reduction, **_: (t - y) / (B if reduction == "mean" else 1)),
                   "dz", "a sign"),
    "stray-minus-in-sigma-prime": (student(dk=lambda dh, h, **_: dh * -h * (1 - h)), "dk", "a sign"),
    "db-not-summed": (student(db=lambda dk, **_: dk), "db", "not summed over the batch"),
    "dc-one-row-only": (student(dc=lambda dz, **_: dz[0]), "dc", "of one example only"),
}


def test_a_right_vectorized_backward_passes():
    for backward in (vectorized.backward, right):
        verdict = exercises.check(backward)
        assert verdict.ok, verdict.message
        assert verdict.findings == [] and verdict.problem is None
        assert len(verdict.checked) == 4 and verdict.message.startswith("Right")
        assert verdict.largest_finite_difference_error < 1e-6  # the finite differences agree too


def test_a_right_scalar_backward_passes():
    verdict = exercises.check(scalar.backward, form="scalar")
    assert verdict.ok, verdict.message
    assert len(verdict.checked) == 2


@pytest.mark.parametrize("backward,gradient,mistake", MISTAKES.values(), ids=MISTAKES)
def test_each_planted_mistake_is_named(backward, gradient, mistake):
    verdict = exercises.check(backward)
    assert not verdict.ok
    roots = [found for found in verdict.findings if found.cause is None]
    assert [found.gradient for found in roots] == gradient.split(), verdict.message
    for found in roots:
        assert mistake in found.mistake, verdict.message
        assert f"- {found.gradient}: wrong" in verdict.message and mistake in verdict.message


def test_gradients_computed_from_a_wrong_one_point_back_to_it():
    backward, _, _ = MISTAKES["sigma-prime-missing-in-dk"]
    findings = {found.gradient: found for found in exercises.check(backward).findings}
    assert sorted(findings) == ["db", "dk", "dw"]
    assert findings["dw"].cause == findings["db"].cause == "dk"
    assert findings["dw"].finite_difference_error > 1e-2  # finite differences see it too
    sign = exercises.check(MISTAKES["sign-in-dz"][0])
    assert {found.gradient for found in sign.findings} == set(exercises.GRADIENTS)
    assert {found.cause for found in sign.findings} == {None, "dz"}


def test_two_independent_mistakes_are_both_named():
    verdict = exercises.check(student(dv=lambda h, dz, **_: dz.T @ h, db=lambda dk, **_: dk))
    assert [(f.gradient, f.cause) for f in verdict.findings] == [("dv", None), ("db", None)]
    assert "Fix dv and db first" in verdict.message


def test_a_mistake_no_rule_fits_is_still_located_and_the_right_line_shown():
    verdict = exercises.check(student(dh=lambda dz, v, **_: 2 * dz @ v.T))
    (root,) = [found for found in verdict.findings if found.cause is None]
    assert root.gradient == "dh" and root.mistake is None
    assert "no usual mistake fits" in verdict.message and "dh = dz @ v.T" in verdict.message


def test_a_wrong_shape_no_rule_fits_is_reported_as_such():
    verdict = exercises.check(student(dv=lambda h, dz, **_: (h.T @ dz).sum(axis=1)))
    (found,) = verdict.findings
    assert found.gradient == "dv" and found.error is None and "wrong shape" in verdict.message


# --- students of the scalar form ----------------------------------------------------------

def scalar_student(dz_sign=1.0, sigma_prime=True, dw_transposed=False):
    def backward(x, label, params, fwd):
        w, b, v, c = params
        _, h, _, y = fwd
        dz = [dz_sign * (y[m] - (m == label)) for m in range(len(c))]
        dv = [[h[j] * dz[m] for m in range(len(c))] for j in range(len(b))]
        dh = [sum(dz[m] * v[j][m] for m in range(len(c))) for j in range(len(b))]
        dk = [dh[j] * (h[j] * (1 - h[j]) if sigma_prime else 1.0) for j in range(len(b))]
        dw = [[x[i] * dk[j] for j in range(len(b))] for i in range(len(x))]
        if dw_transposed:
            dw = [[x[i] * dk[j] for i in range(len(x))] for j in range(len(b))]
        return dz, dv, list(dz), dh, dk, dw, list(dk)
    return backward


@pytest.mark.parametrize("backward,gradient,mistake", [
    (scalar_student(), None, None),
    (scalar_student(sigma_prime=False), "dk", "σ′ missing"),
    (scalar_student(dz_sign=-1.0), "dz", "a sign"),
    (scalar_student(dw_transposed=True), "dw", "a transpose"),
], ids=["right", "sigma-prime-missing", "sign", "dw-transposed"])
def test_scalar_students(backward, gradient, mistake):
    verdict = exercises.check(backward, form="scalar")
    if gradient is None:
        assert verdict.ok, verdict.message
        return
    (root,) = [found for found in verdict.findings if found.cause is None]
    assert root.gradient == gradient and mistake in root.mistake, verdict.message


# --- what the checker makes of bad input --------------------------------------------------

def nan_dk(x, labels, params, fwd, reduction="sum"):
    return right(x, labels, params, fwd, reduction)._replace(dk=np.full_like(fwd.h, np.nan))


def uses_an_undefined_name(x, labels, params, fwd, reduction="sum"):
    return right(x, labels, params, fwd, reduction).dz + undefined_name  # noqa: F821


@pytest.mark.parametrize("backward,words", [
    ("not a function", ["needs your backward function", "str"]),
    (lambda x, labels, params, fwd: None, ["must take (x, labels, params, fwd, reduction)", "<lambda>(x, labels"]),
    (lambda x, labels, params, fwd, reduction: None, ["must return the seven gradients", "NoneType"]),
    (lambda *args: right(*args)[:6], ["must return the seven gradients", "a tuple of 6 values"]),
    (lambda *args: right(*args)._replace(dv="oops"), ["dv must be an array", "str"]),
    (lambda *args: right(*args)._replace(dc=[[1.0], [1.0, 2.0]]), ["dc must be an array"]),
    (nan_dk, ["dk contains NaN or infinity", "4-5-3 network"]),
    (uses_an_undefined_name, ["your backward raised NameError", "in uses_an_undefined_name", "undefined_name"]),
], ids=["not-callable", "no-reduction-argument", "returns-none", "six-values", "not-numbers", "ragged",
        "nan", "raises"])
def test_bad_input_gets_a_clear_message(backward, words):
    verdict = exercises.check(backward)
    assert not verdict.ok and verdict.problem and not verdict.findings
    message = verdict.message
    assert message.startswith("Not checked")
    for word in words:
        assert word in message, message
    assert "mlp/exercises.py" not in message and "mlp/vectorized.py" not in message  # no frame of the package


def test_a_scalar_backward_given_the_vectorized_signature_is_refused():
    verdict = exercises.check(lambda x, label, params: None, form="scalar")
    assert "must take (x, label, params, fwd), as mlp.scalar.backward does" in verdict.message


def test_the_students_arguments_are_copies():
    def in_place(x, labels, params, fwd, reduction="sum"):
        fwd.y[...] -= one_hot(labels, fwd.y.shape[1])  # dz in place, in y's memory
        dz = fwd.y / (len(x) if reduction == "mean" else 1)
        dh = dz @ params.v.T
        dk = dh * fwd.h * (1 - fwd.h)
        return Backward(dz, fwd.h.T @ dz, dz.sum(axis=0), dh, dk, x.T @ dk, dk.sum(axis=0))
    verdict = exercises.check(in_place)
    assert verdict.ok, verdict.message


def test_raises_on_request():
    backward, _, _ = MISTAKES["db-not-summed"]
    with pytest.raises(exercises.BackwardMistake, match="db: wrong"):
        exercises.check(backward, raises=True)
    assert exercises.check(right, raises=True).ok


def test_the_checkers_own_arguments_are_checked():
    with pytest.raises(ValueError, match="form must be"):
        exercises.check(right, form="matrix")
    with pytest.raises(ValueError, match="reduction must be"):
        exercises.check(right, reductions=("average",))
