"""Sigmoid, softmax and the loss stay finite and silent for extreme inputs."""

import math
import warnings

import numpy as np
import pytest

import mlp
from mlp import scalar, vectorized

EXTREMES = [-1e4, -745.0, -88.8, -30.0, 0.0, 30.0, 88.8, 745.0, 1e4]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
            yield


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vectorized_sigmoid_is_finite_and_exact_in_the_tails(dtype):
    k = np.array(EXTREMES, dtype=dtype)
    h = vectorized.sigmoid(k)
    assert h.dtype == dtype
    assert np.all((h >= 0) & (h <= 1))
    assert h[0] == 0 and h[-1] == 1 and h[4] == 0.5
    # Far in the left tail sigma(k) ~ e^k, which a naive 1 - 1/(1+e^-k) would round to 0.
    assert h[3] == pytest.approx(math.exp(-30.0), rel=1e-6)


def test_scalar_sigmoid_matches_vectorized():
    assert [scalar.sigmoid(k) for k in EXTREMES] == vectorized.sigmoid(np.array(EXTREMES)).tolist()


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_softmax_of_huge_logits_is_a_distribution(scale):
    z = np.array([[scale, -scale, 0.0], [-scale, -scale, -scale]])
    y = vectorized.softmax(z)
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(y[1], [1 / 3] * 3)
    assert scalar.softmax(z[0].tolist()) == pytest.approx(y[0].tolist())


@pytest.mark.parametrize("form", ["scalar", "vectorized"])
def test_confidently_wrong_answer_has_finite_loss_and_gradient(form):
    # Logits of +-1e4: the right class gets probability e^-20000, which underflows to 0;
    # the loss from logits (log-sum-exp) is still exactly 2e4 and the gradient finite.
    params = mlp.Params(w=[[0.0]], b=[0.0], v=[[0.0, 0.0]], c=[1e4, -1e4])
    if form == "scalar":
        loss, g = scalar.gradients([1.0], 1, params)
    else:
        loss, g = vectorized.gradients([[1.0]], [1], params)
    assert loss == pytest.approx(2e4)
    np.testing.assert_allclose(np.asarray(g.c), [1.0, -1.0])
    assert all(np.all(np.isfinite(np.asarray(field))) for field in g)


def test_large_hidden_preactivations_do_not_overflow():
    params = mlp.Params(w=[[1e4, -1e4]], b=[0.0, 0.0], v=[[1.0, -1.0], [2.0, 0.5]], c=[0.0, 0.0])
    for x in ([1.0], [-1.0]):
        loss_s, _ = scalar.gradients(x, 0, params)
        loss_v, g_v = vectorized.gradients([x], [0], params)
        assert math.isfinite(loss_s) and loss_s == pytest.approx(loss_v)
        assert all(np.all(np.isfinite(field)) for field in g_v)
