"""The fused training steps that train equal the plain ones, eq. 2.1-2.4 as written."""

import numpy as np
import pytest

import mlp
from mlp import vectorized
from mlp.activations import ACTIVATIONS
from mlp.fast import scalar_step
from mlp.kernels import FLUSH_BELOW, flush_subnormals, gemm
from mlp.train import evaluate, scalar_step as plain_scalar_step, train, vectorized_step
from mlp.params import random_params

TOLERANCES = [(np.float64, 1e-12), (np.float32, 2e-5)]


def network(seed, dtype):
    """A 12-9-5 network with non-zero biases, and 50 examples, seeded."""
    rng = np.random.default_rng(seed)
    params = random_params(12, 9, 5, rng, scale="lecun", dtype=dtype)
    return params, rng.normal(size=(50, 12)).astype(dtype), rng.integers(0, 5, size=50)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch_size,reduction", [(1, "sum"), (7, "sum"), (7, "mean"), (32, "mean")])
@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_the_step_that_trains_equals_the_equations(batch_size, reduction, dtype, rtol, activation):
    """`vectorized.step` (what `train` runs) against `forward`, `backward` and ``p -= lr g``
    (what the pages show), step after step over the data, the last batch shorter."""
    plain, x, labels = network(batch_size, dtype)
    fused = plain.map(np.copy)
    for start in range(0, len(x), batch_size):
        xb, lb = x[start:start + batch_size], labels[start:start + batch_size]
        expected = vectorized_step(xb, lb, plain, 0.1, reduction, activation)
        assert vectorized.step(xb, lb, fused, 0.1, reduction, activation) == pytest.approx(expected, rel=rtol)
        for a, b in zip(fused, plain):  # an entry near 0 after cancelling: rounding of the parameter's size
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())
    assert all(p.dtype == dtype for p in fused)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_training_runs_the_step_it_shows(batch_size):
    """An epoch of `train` is `vectorized.step` over the shuffled batches, nothing else."""
    params, x, labels = network(3, np.float64)
    trained, history = train(params, (x, labels), lr=0.05, batch_size=batch_size, seed=4, reduction="sum",
                             progress=False)
    by_hand = params.map(np.copy)
    order = np.random.default_rng(4).permutation(len(x))
    losses = [vectorized.step(x[order[i:i + batch_size]], labels[order[i:i + batch_size]], by_hand, 0.05)
              / len(order[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    np.testing.assert_allclose(history.step_loss, losses, rtol=1e-12)
    for a, b in zip(trained, by_hand):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_the_step_survives_saturated_units_silently():
    params = mlp.Params(np.array([[1e4, -1e4]]), np.zeros(2), np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([1e4, -1e4]))
    x, labels = np.array([[1.0], [-1.0]]), np.array([1, 0])
    expected, _ = mlp.vectorized.gradients(x, labels, params)
    with np.errstate(all="raise", under="ignore"):
        loss = vectorized.step(x, labels, params, 1e-3)
    # Example 1: h = (1, 0), z = (10001, -10001), true class 1: loss 20002; example 2: ~0.
    assert loss == pytest.approx(expected, rel=1e-12) and loss == pytest.approx(20002.0)
    assert all(np.all(np.isfinite(p)) for p in params)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_flushing_sets_only_float32s_entries_below_the_bound_to_zero(dtype):
    tiny, bound = np.finfo(np.float32).tiny, FLUSH_BELOW
    a = np.array([tiny / 2, -tiny / 4, tiny, -tiny, bound / 2, -bound * 0.99, bound, -bound, 1.0, -3.0, 0.0], dtype)
    kept = a.copy()
    assert flush_subnormals(a) is a
    expected = [0, 0, 0, 0, 0, 0, bound, -bound, 1.0, -3.0, 0] if dtype == np.float32 else kept  # float64's are far below
    np.testing.assert_array_equal(a, np.array(expected, dtype))
    assert tiny * 2 ** 26 == pytest.approx(bound, rel=1e-6)  # a kept entry times 2^-26 is still normal


def test_no_product_of_the_step_sees_a_subnormal_through_saturated_units(monkeypatch):
    """The report's N(0, 1) weights on 784 standardized inputs saturate units; in float32 their
    h and η dk fall below 10^(-38), which made the products several times slower. Every
    operand of every product of the step stays normal (or 0), and the step still equals the
    plain one."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 784)).astype(np.float32)
    labels = rng.integers(0, 10, size=100)
    plain = mlp.init_params(784, 300, 10, rng, scale=1.0, dtype=np.float32)
    fused, operands = plain.map(np.copy), []

    def watching_gemm(c, a, b, alpha=1.0, beta=0.0):
        operands.extend((a.copy(), b.copy()))
        return gemm(c, a, b, alpha, beta)

    monkeypatch.setattr(vectorized, "gemm", watching_gemm)
    tiny = np.finfo(np.float32).tiny
    with np.errstate(over="ignore", under="ignore"):
        h = vectorized.forward(x, plain).h
    assert np.any((h > 0) & (h < tiny))  # saturated units: σ(k) below float32's smallest normal number
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(3):
            vectorized.step(x, labels, fused, 1e-3)
            vectorized_step(x, labels, plain, 1e-3, "sum")
        for a, b in zip(fused, plain):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-8)
        for _ in range(2):  # steps too large: softmax outputs near 0 too, so η dz as well
            vectorized.step(x, labels, fused, 0.1)
    values = np.abs(np.concatenate([a.ravel() for a in operands]))
    assert len(operands) == 2 * 5 * 5  # two operands of five products in five steps
    assert not np.any((values > 0) & (values < FLUSH_BELOW))


@pytest.mark.parametrize("sizes", [(2, 3, 2), (5, 4, 3)])
def test_fused_scalar_step_equals_the_plain_one(sizes):
    """Forward, backward and update in one pass over plain floats: the same SGD trajectory."""
    rng = np.random.default_rng(sum(sizes))
    plain = random_params(*sizes, rng)
    plain, fused = plain.tolist(), plain.tolist()
    x = (3 * rng.normal(size=(200, sizes[0]))).tolist()
    labels = rng.integers(0, sizes[2], size=200).tolist()
    for xi, label in zip(x, labels):
        assert scalar_step(xi, label, fused, 0.5) == pytest.approx(plain_scalar_step(xi, label, plain, 0.5), rel=1e-12)
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12, atol=1e-14)
    assert all(type(value) is float for row in fused.w for value in row)


def test_evaluation_in_chunks_equals_one_forward_pass():
    rng = np.random.default_rng(3)
    params = mlp.init_params(6, 5, 4, rng, scale=3.0)
    x, labels = 2 * rng.normal(size=(25, 6)), rng.integers(0, 4, size=25)
    z = mlp.vectorized.forward(x, params).z
    loss, accuracy = evaluate(x, labels, params, chunk=7)  # the last chunk is shorter
    assert loss == pytest.approx(mlp.vectorized.cross_entropy(z, labels, "mean"), rel=1e-12)
    assert accuracy == np.mean(z.argmax(axis=1) == labels)


@pytest.mark.parametrize("home", ["a file", "an empty folder"])
def test_training_needs_no_cache(home, tmp_path, monkeypatch):
    """Nothing is measured and kept on disk for a new configuration: with ``HOME`` a regular
    file (no cache folder can be made under it) training still works, and under an empty
    ``HOME`` it leaves the folder empty."""
    path = tmp_path / "home"
    path.write_text("") if home == "a file" else path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    params, x, labels = network(11, np.float32)
    for batch_size in (1, 13):  # sizes no other test trains
        trained, history = train(params._replace(w=params.w[:, :7], b=params.b[:7], v=params.v[:7]), (x, labels),
                                 lr=0.01, batch_size=batch_size, progress=False)
        assert np.isfinite(history.train_loss[-1])
    assert path.is_file() or not any(path.iterdir())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gemm_computes_into_c_with_transposed_operands(dtype):
    rng = np.random.default_rng(4)
    a, b, c = (rng.normal(size=shape).astype(dtype) for shape in [(3, 4), (3, 5), (4, 5)])
    for left, right, expected in [(a.T, b, a.T @ b), (b.T, a, b.T @ a), (a, a.T, a @ a.T), (a.T, a, a.T @ a)]:
        out = np.full(expected.shape, np.nan, dtype)  # beta = 0: what c held is not read
        assert gemm(out, left, right) is out
        np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-14)
    expected = c - 0.5 * a.T @ b
    gemm(c, a.T, b, alpha=-0.5, beta=1.0)
    np.testing.assert_allclose(c, expected, rtol=1e-5 if dtype == np.float32 else 1e-14)


def test_gemm_refuses_what_it_cannot_write_in_place():
    a, c = np.ones((3, 4)), np.zeros((4, 4))
    with pytest.raises(ValueError, match="C-contiguous"):
        gemm(np.asfortranarray(c), a.T, a)
    with pytest.raises(ValueError, match="contiguous operands"):
        gemm(np.zeros((2, 4)), a.T[::2], a)
    with pytest.raises(ValueError, match="float64 or float32"):
        gemm(c.astype(np.float16), a.T, a)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_evaluations_logits_equal_the_forward_pass(activation, dtype, rtol):
    """`vectorized.logits` (what `evaluate` computes, through the step's BLAS) is `forward`'s z,
    for a strided x too."""
    params, x, _ = network(5, dtype)
    wide = np.repeat(x, 2, axis=1)[:, ::2]  # x again, not contiguous
    for rows in (x, wide):
        np.testing.assert_allclose(vectorized.logits(rows, params, activation),
                                   vectorized.forward(rows, params, activation).z, rtol=rtol, atol=rtol)
