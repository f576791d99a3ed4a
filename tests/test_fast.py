"""The buffered training step equals the plain one, eq. 2.3/2.4 as written."""

import numpy as np
import pytest

import mlp
from mlp.fast import Step
from mlp.train import vectorized_step


@pytest.mark.parametrize("batch_size,reduction", [(1, "sum"), (7, "sum"), (7, "mean"), (32, "mean")])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_buffered_step_equals_the_plain_step(batch_size, reduction, dtype, rtol):
    rng = np.random.default_rng(batch_size)
    plain = mlp.init_params(12, 9, 5, rng, scale="xavier", dtype=dtype)
    plain = plain._replace(b=rng.normal(size=9).astype(dtype), c=rng.normal(size=5).astype(dtype))
    fast = plain.map(np.copy)
    step = Step(fast, batch_size)
    x = rng.normal(size=(50, 12)).astype(dtype)
    labels = rng.integers(0, 5, size=50)
    for start in range(0, 50, batch_size):  # the last batch is shorter
        xb, lb = x[start:start + batch_size], labels[start:start + batch_size]
        expected = vectorized_step(xb, lb, plain, 0.1, reduction)
        assert step(xb, lb, 0.1, reduction) == pytest.approx(expected, rel=rtol)
        for a, b in zip(fast, plain):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)
    assert all(p.dtype == dtype for p in fast)


def test_buffered_step_survives_saturated_units_silently():
    params = mlp.Params(np.array([[1e4, -1e4]]), np.zeros(2), np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([1e4, -1e4]))
    x, labels = np.array([[1.0], [-1.0]]), np.array([1, 0])
    expected, _ = mlp.vectorized.gradients(x, labels, params)
    step = Step(params, 2)
    with np.errstate(all="raise", under="ignore"):
        loss = step(x, labels, 1e-3)
    # Example 1: h = (1, 0), z = (10001, -10001), true class 1: loss 20002; example 2: ~0.
    assert loss == pytest.approx(expected, rel=1e-12) and loss == pytest.approx(20002.0)
    assert all(np.all(np.isfinite(p)) for p in params)
