"""Each activation's derivative against central differences of its own function."""

import numpy as np
import pytest

from mlp.activations import ACTIVATIONS


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    f, df = ACTIVATIONS[name]
    k = np.random.default_rng(0).normal(scale=3.0, size=2000)
    k = k[np.abs(k) > 1e-3]  # away from ReLU's kink
    eps = 1e-6
    numeric = (f(k + eps) - f(k - eps)) / (2 * eps)
    np.testing.assert_allclose(df(k, f(k)), numeric, rtol=0, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_dtype_and_is_finite_at_extremes(name):
    f, df = ACTIVATIONS[name]
    for dtype in (np.float32, np.float64):
        k = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            h = f(k)
            d = df(k, h)
        assert h.dtype == dtype and d.dtype == dtype
        assert np.all(np.isfinite(h)) and np.all(np.isfinite(d))
