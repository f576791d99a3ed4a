"""The running example, and gradient descent on one of its weights."""

import numpy as np
import pytest

from mlp import example, scalar


def test_the_running_example_has_no_zero_gradient_and_table_1_has():
    point = example.running_example()
    assert example.all_gradients_nonzero(point)
    assert (len(point["x"]), len(point["params"].b), len(point["params"].c)) == (2, 3, 2)
    assert not example.all_gradients_nonzero(example.dry_run_point())


def test_the_running_example_is_the_pass_of_its_own_values():
    point = example.running_example()
    fwd = scalar.forward(point["x"], point["params"])
    assert point["forward"] == fwd
    assert point["backward"] == scalar.backward(point["x"], point["label"], point["params"], fwd)


@pytest.mark.parametrize("weight", [("v", (0, 0)), ("w", (1, 2)), ("b", (1,)), ("c", (0,))])
def test_the_slope_is_the_losss_rate_of_change_along_the_weight(weight):
    point, examples = example.running_example(), example.few_examples()
    value = float(np.asarray(getattr(point["params"], weight[0]))[weight[1]])
    eps = 1e-5
    up, down = example.loss_along(point["params"], examples, *weight, [value + eps, value - eps])
    _, slope = example.loss_and_slope(point["params"], examples, *weight, value)
    assert slope == pytest.approx((up - down) / (2 * eps), rel=1e-6)


def test_setting_one_weight_leaves_the_others_and_the_original_alone():
    params = example.running_example()["params"]
    changed = example.with_weight(params, "v", (0, 0), 5.0)
    assert changed.v[0, 0] == 5.0 and params.v[0][0] != 5.0
    assert np.array_equal(np.delete(changed.v, 0), np.delete(np.asarray(params.v), 0))
    assert np.array_equal(changed.w, params.w)


def test_descent_steps_against_the_slope_and_a_small_rate_goes_down():
    point, examples = example.running_example(), example.few_examples()
    path = example.descend(point["params"], examples, "v", (0, 0), lr=0.5, steps=5)
    assert len(path) == 6 and path[0]["weight"] == point["params"].v[0][0]
    for a, b in zip(path, path[1:]):
        assert b["weight"] == pytest.approx(a["weight"] - 0.5 * a["slope"])
        assert b["loss"] < a["loss"]


def test_descent_refuses_a_rate_that_is_not_positive():
    point = example.running_example()
    with pytest.raises(ValueError, match="lr"):
        example.descend(point["params"], example.few_examples(), "v", (0, 0), lr=0.0, steps=3)
