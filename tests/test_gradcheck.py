"""Central finite differences confirm both backward passes."""

import numpy as np
import pytest

import mlp
from mlp import gradcheck
from mlp.params import random_params

# A right float64 gradient checks to ~1e-8 or better with eps = 1e-5; a wrong one to ~1.
PASS = 1e-6


def random_network(n_in, n_hid, n_out, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return random_params(n_in, n_hid, n_out, rng, scale=scale), rng


@pytest.mark.parametrize("sizes", [(2, 3, 2), (4, 5, 3), (6, 8, 10)])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_vectorized_gradients_pass_the_finite_difference_check(sizes, reduction):
    params, rng = random_network(*sizes, seed=sum(sizes))
    x, labels = rng.normal(size=(5, sizes[0])), rng.integers(0, sizes[2], size=5)
    check = gradcheck.check_vectorized(x, labels, params, reduction)
    assert check.max_error < PASS, check.errors


@pytest.mark.parametrize("sizes", [(2, 3, 2), (4, 5, 3), (6, 8, 10)])
def test_scalar_gradients_pass_the_finite_difference_check(sizes):
    params, rng = random_network(*sizes, seed=sum(sizes) + 1)
    check = gradcheck.check_scalar(rng.normal(size=sizes[0]).tolist(), int(rng.integers(sizes[2])), params)
    assert check.max_error < PASS, check.errors


def test_784_300_10_network_passes_on_a_small_batch_in_both_forms():
    params, rng = random_network(784, 300, 10, seed=7, scale="lecun")
    x, labels = rng.normal(size=(3, 784)), rng.integers(0, 10, size=3)
    vec = gradcheck.check_vectorized(x, labels, params, entries=40, rng=rng)
    sca = gradcheck.check_scalar(x[0], int(labels[0]), params, entries=10, rng=rng)
    assert vec.max_error < PASS, vec.errors
    assert sca.max_error < PASS, sca.errors


def test_check_catches_a_wrong_gradient():
    params, rng = random_network(3, 4, 3, seed=11)
    x, labels = rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)
    _, right = mlp.vectorized.gradients(x, labels, params)
    numerical = gradcheck.numerical_gradients(
        lambda p: mlp.vectorized.gradients(x, labels, p)[0], params)
    assert gradcheck.compare(right, numerical).max_error < PASS
    # The sigmoid derivative forgotten in dk: dw and db come out wrong, dv and dc stay right.
    fwd = mlp.vectorized.forward(x, params)
    bwd = mlp.vectorized.backward(x, labels, params, fwd)
    wrong = right._replace(w=x.T @ bwd.dh, b=bwd.dh.sum(axis=0))
    check = gradcheck.compare(wrong, numerical)
    assert check.errors["w"] > 1e-2 and check.errors["b"] > 1e-2
    assert check.errors["v"] < PASS and check.errors["c"] < PASS


def test_relative_error_is_scale_free_and_skips_unchecked_entries():
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gradcheck.relative_error([1e-9], [2e-9]) == pytest.approx(1 / 3)
    assert gradcheck.relative_error([1e9], [2e9]) == pytest.approx(1 / 3)
    assert gradcheck.relative_error([3.0, 0.0], [0.0, 4.0]) == pytest.approx(5 / 7)  # norms, not entries
    assert gradcheck.relative_error([5.0, 1.0], [np.nan, 1.0]) == 0.0
    assert gradcheck.relative_error([0.0], [0.0]) == 0.0


def test_numerical_gradients_leave_params_unchanged():
    params, rng = random_network(2, 3, 2, seed=12)
    before = [f.copy() for f in params]
    gradcheck.numerical_gradients(lambda p: float(np.sum(p.w ** 2)), params)
    assert all(np.array_equal(a, b) for a, b in zip(before, params))
