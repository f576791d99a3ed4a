"""The scalar and the vectorized network: the report's dry run, and agreement."""

import math

import numpy as np
import pytest

import mlp
from mlp import report, scalar, vectorized
from mlp.params import random_params

# Report, Table 1: the dry run's point (target y-hat = [1, 0]).
TABLE_1, TABLE_1_X, TABLE_1_LABEL = report.DRY_RUN_PARAMS, report.DRY_RUN_X, report.DRY_RUN_LABEL


def sigma(k):
    return 1 / (1 + math.exp(-k))


@pytest.mark.parametrize("form", ["scalar", "vectorized"])
def test_table_1_dry_run_gives_the_reports_derivatives(form):
    if form == "scalar":
        loss, g = scalar.gradients(TABLE_1_X, TABLE_1_LABEL, TABLE_1)
    else:
        loss, g = vectorized.gradients([TABLE_1_X], [TABLE_1_LABEL], TABLE_1)
    # Report 4.1 (mlp.report.DRY_RUN_GRADS), to its 4 decimals; dw = 0 and db = 0 exactly.
    assert report.dry_run_agrees(g)
    assert np.array_equal(np.asarray(g.w), np.zeros((2, 3)))
    assert np.array_equal(np.asarray(g.b), np.zeros(3))
    np.testing.assert_allclose(np.asarray(g.v), [[-sigma(2) / 2, sigma(2) / 2]] * 3, rtol=1e-15)
    np.testing.assert_allclose(np.asarray(g.c), [-0.5, 0.5], rtol=1e-15)
    # Both logits are equal, so y = [1/2, 1/2] and the loss is ln 2.
    assert loss == pytest.approx(math.log(2), rel=1e-15)


def test_scalar_gradients_return_nested_lists_of_floats():
    _, g = scalar.gradients(np.array(TABLE_1_X), np.int64(0), TABLE_1.asarrays())
    assert isinstance(g, mlp.Params)
    assert all(isinstance(row, list) and all(type(e) is float for e in row) for row in g.w + g.v)
    assert all(type(e) is float for e in g.b + g.c)


def test_scalar_forward_exposes_every_node():
    fwd = scalar.forward([1.0, -1.0], TABLE_1.tolist())
    assert fwd.k == [2.0, 2.0, 2.0]
    assert fwd.h == pytest.approx([sigma(2)] * 3, rel=1e-15)
    assert fwd.z == pytest.approx([-sigma(2)] * 2, rel=1e-15)
    assert fwd.y == [0.5, 0.5]


SIZES = [(2, 3, 2), (5, 4, 3), (7, 11, 10), (20, 16, 4)]


@pytest.mark.parametrize("n_in,n_hid,n_out", SIZES)
@pytest.mark.parametrize("seed", [0, 1])
def test_scalar_and_vectorized_gradients_agree_to_1e_12(n_in, n_hid, n_out, seed):
    rng = np.random.default_rng(seed)
    params = random_params(n_in, n_hid, n_out, rng)
    x, labels = rng.normal(size=(6, n_in)), rng.integers(0, n_out, size=6)
    for xi, label in zip(x, labels):
        loss_s, g_s = scalar.gradients(xi.tolist(), int(label), params.tolist())
        fwd_s = scalar.forward(xi.tolist(), params.tolist())
        loss_v, g_v = vectorized.gradients(xi[None, :], [label], params)
        fwd_v = vectorized.forward(xi[None, :], params)
        assert loss_s == pytest.approx(loss_v, rel=1e-12, abs=1e-12)
        for name, a, b in zip(mlp.Params._fields, g_s, g_v):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=name)
        for name in fwd_s._fields:
            np.testing.assert_allclose(getattr(fwd_s, name), getattr(fwd_v, name)[0], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_batch_gradient_is_the_sum_or_mean_of_per_example_gradients(reduction):
    rng = np.random.default_rng(3)
    params = mlp.init_params(8, 6, 4, rng)
    x, labels = rng.normal(size=(9, 8)), rng.integers(0, 4, size=9)
    loss, grads = vectorized.gradients(x, labels, params, reduction)
    singles = [vectorized.gradients(x[i:i + 1], labels[i:i + 1], params) for i in range(9)]
    total_loss = sum(s[0] for s in singles)
    total = singles[0][1]
    for _, g in singles[1:]:
        total = total + g
    scale = 1 / 9 if reduction == "mean" else 1
    assert loss == pytest.approx(total_loss * scale, rel=1e-12)
    for name, a, b in zip(mlp.Params._fields, grads, total * scale):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=name)


def test_backward_exposes_intermediates_consistent_with_eq_2_4():
    rng = np.random.default_rng(4)
    params = mlp.init_params(3, 5, 4, rng)
    x, labels = rng.normal(size=(7, 3)), rng.integers(0, 4, size=7)
    fwd = vectorized.forward(x, params)
    bwd = vectorized.backward(x, labels, params, fwd)
    t = np.eye(4)[labels]
    np.testing.assert_allclose(bwd.dz, fwd.y - t)
    np.testing.assert_allclose(bwd.dk, bwd.dh * fwd.h * (1 - fwd.h))
    assert [getattr(bwd, n).shape for n in ("dw", "db", "dv", "dc")] == [p.shape for p in params]
    assert bwd.grads == mlp.Params(bwd.dw, bwd.db, bwd.dv, bwd.dc)


def test_predict_returns_the_most_probable_class_in_both_forms():
    rng = np.random.default_rng(5)
    params = mlp.init_params(4, 6, 3, rng)
    x = rng.normal(size=(10, 4))
    predicted = vectorized.predict(x, params)
    assert np.array_equal(predicted, vectorized.forward(x, params).y.argmax(axis=1))
    assert [scalar.predict(row, params) for row in x] == predicted.tolist()
