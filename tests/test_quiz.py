"""The predict-then-check questions (mlp.quiz): their answers, verdicts and hints; the nudge figure's data."""

import copy

import numpy as np
import pytest

from mlp import quiz, scalar, train, vectorized
from mlp.experiments import mnist
from mlp.gradcheck import central_differences
from mlp.params import Params
from mlp.text import FORMATS


@pytest.fixture(scope="module")
def point():
    return quiz.running_example()


@pytest.fixture(scope="module")
def questions():
    return quiz.questions()


def arrays(point):
    w, b, v, c = (np.array(p, dtype=float) for p in point["params"])
    return np.array(point["x"]), point["label"], w, b, v, c


def loss_of_z(z, label):
    return float(np.log(np.exp(z).sum()) - z[label])


def test_forward_answers_are_the_equations_values(point, questions):
    x, _, w, b, _, _ = arrays(point)
    k = x @ w + b
    assert questions["k_1"].answer == pytest.approx((k[0],), rel=1e-12)
    assert questions["h_1"].answer == pytest.approx((1 / (1 + np.exp(-k[0])),), rel=1e-12)


def test_gradient_answers_are_the_loss_slopes(point, questions):
    """dz_1, dh_2, dk_3 and dw_21 against central differences of the loss at that node."""
    x, label, w, b, v, c = arrays(point)
    k = x @ w + b
    h = 1 / (1 + np.exp(-k))
    z = h @ v + c
    slope = {
        "dz_1": central_differences(lambda: loss_of_z(z, label), [z])[0][0],
        "dh_2": central_differences(lambda: loss_of_z(h @ v + c, label), [h])[0][1],
        "dk_3": central_differences(lambda: loss_of_z(1 / (1 + np.exp(-k)) @ v + c, label), [k])[0][2],
        "dw_21": central_differences(lambda: loss_of_z(1 / (1 + np.exp(-(x @ w + b))) @ v + c, label), [w])[0][1, 0],
    }
    for name, expected in slope.items():
        assert questions[name].answer == pytest.approx((expected,), rel=1e-7), name


def test_shape_answer_is_numpys(point, questions):
    """x.T @ dk of a real batch of 32 through the running example's network."""
    rng = np.random.default_rng(0)
    params = point["params"].map(np.asarray)
    x, labels = rng.normal(size=(32, len(point["x"]))), rng.integers(0, 2, size=32)
    dk = vectorized.backward(x, labels, params, vectorized.forward(x, params)).dk
    assert questions["shape_dw"].answer == (x.T @ dk).shape


def test_same_step_lr_takes_the_same_step(questions):
    """Mean loss at the recipe's rate and summed loss at the answer's make the same update."""
    run = next(r for r in mnist.TUNED_CANDIDATES if r.reduction == "mean" and r.lr_decay == 1.0)
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(run.batch_size, 5)), rng.integers(0, 3, size=run.batch_size)
    params = [rng.normal(size=s) for s in ((5, 4), (4,), (4, 3), (3,))]
    mean, summed = Params(*(p.copy() for p in params)), Params(*(p.copy() for p in params))
    train.vectorized_step(x, labels, mean, run.lr, "mean")
    train.vectorized_step(x, labels, summed, questions["lr_sum"].answer[0], "sum")
    assert max(np.abs(a - p).max() for a, p in zip(mean, params)) > 1e-3  # a step was taken
    for a, s in zip(mean, summed):
        np.testing.assert_allclose(s, a, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("value, expected", [(0.05137, 1e-4), (1.03, 1e-2), (-802.0, 1.0), (0.003125, 1e-5)])
def test_tolerance_is_one_unit_of_the_third_significant_digit(value, expected):
    assert quiz.tolerance(value) == pytest.approx(expected)


def test_a_zero_answer_is_refused():
    with pytest.raises(ValueError, match="zero"):
        quiz.tolerance(0.0)


def test_verdicts_of_typed_numbers(questions):
    q = questions["dw_21"]  # -0.040152...
    for typed in ("-0.0402", "−0.0402", " -0.04015 ", "-4.02e-2", "-0.0401"):
        assert quiz.verdict(q, typed) == "right", typed
    for typed in ("0.0402", "-0.0404", "-0.04", "-0.402"):
        assert quiz.verdict(q, typed) == "wrong", typed
    for typed in ("", "abc", "-0.04 0.1", "1/25", "--0.04"):
        assert quiz.verdict(q, typed) == "unreadable", typed


def test_verdicts_of_typed_shapes(questions):
    q = questions["shape_dw"]
    for typed in ("(2, 3)", "2x3", "[2,3]", "2 × 3", " ( 2 , 3 , ) "):
        assert quiz.verdict(q, typed) == "right", typed
    for typed in ("(3, 2)", "(2, 32)", "(32, 3)"):
        assert quiz.verdict(q, typed) == "wrong", typed
    for typed in ("(2, 3, 4)", "two by three", "2.0, 3", ""):
        assert quiz.verdict(q, typed) == "unreadable", typed


def test_the_worked_answers_number_is_accepted(questions):
    """The answer as the worked answer shows it (three significant digits) reads as right."""
    for q in questions.values():
        if q.pattern == quiz.NUMBER:
            shown = FORMATS["3g"](q.values[q.name])
            assert f"{{{q.name}}}" in q.worked, q.name
            assert quiz.verdict(q, shown) == "right", (q.name, shown)


def test_rendered_questions_leave_no_placeholder_unfilled(questions):
    """Outside the math, a rendered question holds no ``{name}``: each became a tagged number."""
    import re

    from mlp.site import quiz as site_quiz

    for q in questions.values():
        shown = re.sub(r"\\\(.*?\\\)", "", site_quiz.render(q))
        assert "{" not in shown.replace('data-quiz="{', ""), (q.name, re.findall(r"\{\w*\}", shown))
        assert shown.count('class="mlp-number"') >= (q.pattern == quiz.NUMBER), q.name


def test_markers_become_questions_and_an_unknown_one_fails():
    from mlp.site import quiz as site_quiz

    page = "Text.\n\n<!-- mlp-quiz lr_sum -->\n\nMore."
    shown = site_quiz.replace_markers(page)
    assert 'class="mlp-quiz admonition question" id="quiz-lr_sum"' in shown and "mlp-quiz lr_sum" not in shown
    with pytest.raises(KeyError, match="no question"):
        site_quiz.replace_markers("<!-- mlp-quiz no_such -->")


def test_nudge_quantities_name_the_points_values(point):
    from mlp.site import nudge

    found = nudge.quantities(point)
    assert len(found) == 6 + 3 + 6 + 2 + 2
    state = {"x": point["x"], **point["params"]._asdict()}
    for path, name in found:
        key, *indices = path.split(".")
        value = state[key]
        for index in indices:
            value = value[int(index)]
        assert name == f"{key}_" + "".join(str(int(i) + 1) for i in indices)
        assert isinstance(value, float)


def test_the_figures_gradient_step_lowers_the_loss(point):
    from mlp.site import nudge

    params = copy.deepcopy(point["params"])
    before = train.scalar_step(point["x"], point["label"], params, nudge.STEP_LR)
    assert scalar.cross_entropy(scalar.forward(point["x"], params).z, point["label"]) < before
