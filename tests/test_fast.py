"""The fast training steps equal the plain ones, eq. 2.1-2.4 as written."""

import json

import numpy as np
import pytest

import mlp
from mlp import kernels
from mlp.fast import Step, flush_subnormals, gemm, scalar_step
from mlp.kernels import ger
from mlp.train import evaluate, scalar_step as plain_scalar_step, vectorized_step
from mlp.params import random_params


def plain_and_fast_steps_agree(step, plain, fast, batch_size, reduction, dtype, rtol):
    rng = np.random.default_rng(batch_size)
    x = rng.normal(size=(50, 12)).astype(dtype)
    labels = rng.integers(0, 5, size=50)
    for start in range(0, 50, batch_size):  # the last batch is shorter
        xb, lb = x[start:start + batch_size], labels[start:start + batch_size]
        expected = vectorized_step(xb, lb, plain, 0.1, reduction)
        assert step(xb, lb, 0.1, reduction) == pytest.approx(expected, rel=rtol)
        for a, b in zip(fast, plain):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)
    assert all(p.dtype == dtype for p in fast)


def network(batch_size, dtype):
    rng = np.random.default_rng(batch_size + 100)
    plain = random_params(12, 9, 5, rng, scale="lecun", dtype=dtype)
    return plain, plain.map(np.copy)


TOLERANCES = [(np.float64, 1e-12), (np.float32, 2e-5)]


@pytest.mark.parametrize("batch_size,reduction", [(1, "sum"), (7, "sum"), (7, "mean"), (32, "mean")])
@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_buffered_step_equals_the_plain_step(batch_size, reduction, dtype, rtol):
    plain, fast = network(batch_size, dtype)
    plain_and_fast_steps_agree(Step(fast, batch_size), plain, fast, batch_size, reduction, dtype, rtol)


@pytest.mark.parametrize("path,batch_size", [(path, batch_size) for batch_size in (1, 7) for path in kernels.PATHS
                                             if any(path in kernels.paths(p, batch_size) for p in kernels.PRODUCTS)])
@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_every_blas_path_the_step_can_choose_gives_the_plain_steps_numbers(path, batch_size, dtype, rtol, monkeypatch):
    """Each path in every product it may compute (`mlp.kernels.paths`: NumPy's ``dot`` never
    computes an update, SciPy's ``ger`` only the updates at batch size 1)."""
    planned = {p: path if path in kernels.paths(p, batch_size) else "scipy.gemm" for p in kernels.PRODUCTS}
    monkeypatch.setattr(kernels, "plan", lambda *args: dict(planned))
    plain, fast = network(batch_size, dtype)
    step = Step(fast, batch_size)
    assert step.plan == planned
    plain_and_fast_steps_agree(step, plain, fast, batch_size, "sum", dtype, rtol)


@pytest.mark.parametrize("library", ["scipy", "numpy"])
@pytest.mark.parametrize("by", ["argument", "environment"])
def test_a_forced_blas_runs_every_product_through_that_library(library, by, monkeypatch):
    monkeypatch.setattr(kernels, "measure", None)  # a forced choice measures nothing
    monkeypatch.setenv("MLP_BLAS", "auto" if by == "argument" else library)
    plain, fast = network(7, np.float64)
    step = Step(fast, 7, blas=library if by == "argument" else None)
    assert {path.split(".")[0] for path in step.plan.values()} == {library}
    assert list(step.plan) == list(kernels.PRODUCTS)
    plain_and_fast_steps_agree(step, plain, fast, 7, "sum", np.float64, 1e-12)


def test_an_unknown_blas_choice_is_refused(monkeypatch):
    monkeypatch.setenv("MLP_BLAS", "mkl")
    with pytest.raises(ValueError, match="MLP_BLAS.*auto, scipy, numpy.*'mkl'"):
        Step(network(1, np.float64)[1], 1)


def test_a_measured_plan_is_stored_once_per_machine_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_KERNEL_DIR", str(tmp_path))
    monkeypatch.setattr(kernels, "_PLANS", {})
    measured = []
    real = kernels.measure
    monkeypatch.setattr(kernels, "measure", lambda *args: measured.append(args) or real(*args))
    first = kernels.plan(3, 12, 9, 5, np.float32, "auto")
    assert set(first) == set(kernels.PRODUCTS) and set(first.values()) <= set(kernels.PATHS)
    assert len(measured) == 1
    assert kernels.plan(3, 12, 9, 5, np.float32, "auto") == first  # this process's copy
    monkeypatch.setattr(kernels, "_PLANS", {})  # as another process would start
    stored = json.loads((tmp_path / "plans.json").read_text())
    (key,) = stored
    assert json.loads(key)["sizes"] == [3, 12, 9, 5] and json.loads(key)["dtype"] == "float32"
    assert json.loads(key)["processor"] == kernels.processor() and json.loads(key)["threads"] >= 1
    stored[key] = dict.fromkeys(kernels.PRODUCTS, "numpy.matmul")  # what another process measured
    (tmp_path / "plans.json").write_text(json.dumps(stored))
    assert kernels.plan(3, 12, 9, 5, np.float32, "auto") == stored[key] and len(measured) == 1
    kernels.plan(4, 12, 9, 5, np.float32, "auto")  # other shapes: measured, stored beside it
    assert len(measured) == 2 and len(json.loads((tmp_path / "plans.json").read_text())) == 2


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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_flushing_sets_only_the_subnormal_entries_to_zero(dtype):
    tiny = np.finfo(dtype).tiny
    a = np.array([tiny / 2, -tiny / 4, tiny, -tiny, 1.0, -3.0, 0.0, tiny * 1e-6], dtype)
    fresh = lambda: (np.empty_like(a), np.empty(a.shape, bool))
    flush_subnormals(a, *fresh())
    np.testing.assert_array_equal(a, np.array([0, 0, tiny, -tiny, 1.0, -3.0, 0, 0], dtype))


def test_the_weight_product_never_sees_a_subnormal_through_saturated_units():
    """The report's N(0, 1) weights on 784 standardized inputs saturate units; in float32 their
    η dk falls below 10^(-38), which made the xᵀ η dk product three times slower."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 784)).astype(np.float32)
    labels = rng.integers(0, 10, size=100)
    plain = mlp.init_params(784, 300, 10, rng, scale=1.0, dtype=np.float32)
    step, seen = Step(plain.map(np.copy), 100), []
    update_w = step.update_w
    step.update_w = lambda c, a, b: (seen.append(b.copy()), update_w(c, a, b))
    for _ in range(3):
        with np.errstate(over="ignore", under="ignore"):
            step(x, labels, 1e-3)
            vectorized_step(x, labels, plain, 1e-3, "sum")
    dk = np.abs(np.concatenate(seen))
    assert np.any((dk > 0) & (dk < 1e-30))  # saturated units: gradients near float32's tiny
    assert not np.any((dk > 0) & (dk < np.finfo(np.float32).tiny))
    for a, b in zip(step.params, plain):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-8)


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


def test_evaluation_equals_the_plain_forward_pass():
    rng = np.random.default_rng(3)
    params = mlp.init_params(6, 5, 4, rng, scale=3.0)
    x, labels = 2 * rng.normal(size=(25, 6)), rng.integers(0, 4, size=25)
    z = mlp.vectorized.forward(x, params).z
    loss, accuracy = evaluate(x, labels, params, chunk=7)  # the last chunk is shorter
    assert loss == pytest.approx(mlp.vectorized.cross_entropy(z, labels, "mean"), rel=1e-12)
    assert accuracy == np.mean(z.argmax(axis=1) == labels)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gemm_computes_into_c_with_transposed_operands(dtype):
    rng = np.random.default_rng(4)
    a, b, c = (rng.normal(size=shape).astype(dtype) for shape in [(3, 4), (3, 5), (4, 5)])
    for left, right, expected in [(a.T, b, a.T @ b), (b.T, a, b.T @ a), (a, a.T, a @ a.T), (a.T, a, a.T @ a)]:
        out = np.full(expected.shape, np.nan, dtype)  # beta = 0: what c held is not read
        gemm(out, left, right)
        np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-14)
    expected = c - 0.5 * a.T @ b
    gemm(c, a.T, b, alpha=-0.5, beta=1.0)
    np.testing.assert_allclose(c, expected, rtol=1e-5 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ger_adds_a_column_times_a_row_into_c_in_place(dtype):
    rng = np.random.default_rng(5)
    x, s, c = (rng.normal(size=shape).astype(dtype) for shape in [(1, 4), (1, 3), (4, 3)])
    expected = c - 0.5 * x.T @ s
    held = c
    ger(c, x.T, s, alpha=-0.5)
    assert c is held
    np.testing.assert_allclose(c, expected, rtol=1e-5 if dtype == np.float32 else 1e-14)


def test_ger_refuses_more_than_one_column_and_what_it_cannot_write_in_place():
    a, c = np.ones((2, 4)), np.zeros((4, 4))
    with pytest.raises(ValueError, match="one column and one row"):
        ger(c, a.T, a)
    with pytest.raises(ValueError, match="C-contiguous"):
        ger(np.asfortranarray(c), a[:1].T, a[:1])
    with pytest.raises(ValueError, match="updates only"):
        kernels.kernel("scipy.ger", update=False)


def test_ger_is_a_candidate_for_the_updates_at_batch_size_1_only():
    assert [p for p in kernels.PRODUCTS if "scipy.ger" in kernels.paths(p, 1)] == list(kernels.UPDATES)
    assert not any("scipy.ger" in kernels.paths(p, 2) for p in kernels.PRODUCTS)
    assert all("numpy.dot" not in kernels.paths(p, 1) for p in kernels.UPDATES)


def test_gemm_refuses_what_it_cannot_write_in_place():
    a, c = np.ones((3, 4)), np.zeros((4, 4))
    with pytest.raises(ValueError, match="C-contiguous"):
        gemm(np.asfortranarray(c), a.T, a)
    with pytest.raises(ValueError, match="contiguous operands"):
        gemm(np.zeros((2, 4)), a.T[::2], a)
    with pytest.raises(ValueError, match="float64 or float32"):
        gemm(c.astype(np.float16), a.T, a)


@pytest.mark.parametrize("threads", [1, 2])
def test_with_more_than_one_blas_thread_the_step_takes_one_library(threads, monkeypatch):
    """Timings where mixing libraries looks fastest: taken at one thread only."""
    def timings(functions, rounds):
        fast_path = {"x w": "numpy.dot", "h v": "numpy.dot", "dz vT": "numpy.dot"}
        steps = {"fastest per product": 1.0, "scipy": 1.5, "numpy": 2.0}
        return {name: np.full(rounds, steps[name] if name in steps else
                              1.0 if fast_path.get(name[0], "scipy.gemm") == name[1] else 2.0)
                for name in functions}

    monkeypatch.setattr("mlp.timing.interleaved", timings)
    monkeypatch.setattr(kernels, "blas_threads", lambda: threads)
    plan = kernels.measure(2, 12, 9, 5, np.float64, rounds=1)["plan"]
    libraries = {path.split(".")[0] for path in plan.values()}
    assert libraries == ({"numpy", "scipy"} if threads == 1 else {"scipy"})  # all-SciPy is the faster whole step


def test_a_path_fastest_alone_is_kept_only_if_the_whole_step_with_it_is_faster(monkeypatch):
    """As measured with two threads at batch size 1: ``ger`` beat ``gemm`` at each update on its
    own, and the step with it was the slower; all-``gemm`` must stay a candidate."""
    def timings(functions, rounds):
        steps = {"scipy": 1.0, "scipy per product": 1.5}
        return {name: np.full(rounds, steps.get(name, 3.0) if isinstance(name, str) else
                              1.0 if name[1] == "scipy.ger" else 2.0) for name in functions}

    monkeypatch.setattr("mlp.timing.interleaved", timings)
    monkeypatch.setattr(kernels.time, "sleep", lambda s: None)
    monkeypatch.setattr(kernels, "blas_threads", lambda: 2)
    measured = kernels.measure(1, 12, 9, 5, np.float64, rounds=1)
    assert all(measured["seconds"]["products"][p]["scipy.ger"] < measured["seconds"]["products"][p]["scipy.gemm"]
               for p in kernels.UPDATES)
    assert measured["plan"] == dict.fromkeys(kernels.PRODUCTS, "scipy.gemm")
    assert {"scipy", "scipy per product", "numpy"} <= set(measured["seconds"]["steps"])


@pytest.mark.parametrize("threads", [1, 2])
def test_with_threads_each_library_is_timed_alone_after_the_others_threads_rest(threads, monkeypatch):
    """Interleaved, one library's timings ran beside the other's spinning threads."""
    events = []

    def timings(functions, rounds):
        events.append({kernels._library(k[1]) if isinstance(k, tuple) else k.split(" ")[0] for k in functions})
        return {name: np.ones(rounds) for name in functions}

    monkeypatch.setattr("mlp.timing.interleaved", timings)
    monkeypatch.setattr(kernels.time, "sleep", lambda s: events.append(s))
    monkeypatch.setattr(kernels, "blas_threads", lambda: threads)
    kernels.measure(2, 12, 9, 5, np.float64, rounds=1)
    if threads == 1:
        assert events == [{"scipy", "numpy"}, {"scipy", "numpy"}]  # all together, no pause (equal timings: no plan but the two)
    else:
        groups = [e - {"fastest"} for e in events if isinstance(e, set)]  # that plan is one library's here
        assert all(len(g) == 1 for g in groups) and len(groups) >= 4
        assert all(isinstance(before, float) and before >= 0.1 for before, e in zip(events, events[1:]) if isinstance(e, set))
