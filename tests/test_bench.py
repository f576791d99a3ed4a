"""The benchmark's machinery (no timing is asserted: speed is judged by running it)."""

import json

import numpy as np
import pytest

from mlp import bench, cli
from mlp.bench import epochs, measure, tables
from mlp.params import init_params


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(200, 784)), rng.integers(0, 10, size=200)
    return bench.run(batch_sizes=(50, 1), dtypes=("float64", "float32"), threads=(1,), rounds=2,
                     examples={1: 20}, data=data, scalar_examples=200)


def test_report_has_every_configuration_and_both_bounds(tiny):
    configs = [(r["batch_size"], r["dtype"], r["threads"]) for r in tiny["results"]]
    assert configs == [(50, "float64", 1), (50, "float32", 1), (1, "float64", 1), (1, "float32", 1)]
    for r in tiny["results"]:
        impl = r["implementations"]
        assert list(impl)[:5] == ["bound", "numpy bound", "train", "step", "plain"]
        assert min(impl["bound"]["median_ratio_to_bound"], impl["numpy bound"]["median_ratio_to_bound"]) >= 1.0
        for m in impl.values():
            assert 0 < m["min_seconds"] <= m["median_seconds"] <= m["max_seconds"]
    assert tiny["results"][2]["examples"] == 20
    assert tiny["run"] == {"batch_sizes": [50, 1], "dtypes": ["float64", "float32"], "threads": [1], "rounds": 2,
                           "examples": {"1": 20}}
    assert set(tiny["scalar"]["examples_per_second"]) == {"plain", "step"}
    assert set(tiny["saturated"]["median_seconds"]) == {"float64", "float32"}


def test_report_names_the_machine_and_round_trips_through_json(tiny, tmp_path):
    assert tiny["network"] == [784, 300, 10] and tiny["machine"]["numpy"] == np.__version__
    assert {b["library"].split("/")[0] for b in tiny["machine"]["blas"]} >= {"numpy.libs", "scipy.libs"}
    bench.write(tiny, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text()) == tiny
    assert "B=1, float32" in bench.table(tiny) and "scalar SGD step" in bench.table(tiny)


def test_each_ratio_is_to_the_faster_bound_of_the_same_round(monkeypatch):
    """Rounds after the warm-up: the SciPy bound 2, 1, 4; NumPy's 1, 3, 2: the best 1, 1, 2."""
    seconds = {"bound": [9, 2, 1, 4], "numpy bound": [9, 1, 3, 2], "step": [9, 2, 3, 3]}

    def fake(name):
        times = iter(seconds[name])
        return lambda x, labels, batch_size, params: lambda: float(next(times))

    monkeypatch.setattr(measure, "EPOCHS", {n: fake(n) for n in seconds})
    out = measure.measure(np.zeros((60_000, 784)), np.zeros(60_000, int), 5, np.float64, 1, rounds=3,
                          names=tuple(seconds))
    assert out["step"]["median_ratio_to_bound"] == 2.0  # median of 2, 3, 1.5 (not median 3 over median 1)
    assert out["bound"]["median_ratio_to_bound"] == 2.0 and out["numpy bound"]["median_ratio_to_bound"] == 1.0
    assert out["step"]["median_seconds"] == 3.0 and out["step"]["min_seconds"] == 2.0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("library", ["scipy", "numpy"])
def test_the_bound_runs_the_five_products_of_eq_2_3_and_2_4_on_one_copy_of_the_weights(library, dtype, monkeypatch):
    """x w, h v, dz vᵀ, then hᵀ dz and xᵀ dk subtracted from the very weights the forward
    products read; on inputs scaled so that no value leaves float32's normal range."""
    calls = []
    if library == "scipy":
        real = epochs.gemm
        monkeypatch.setattr(epochs, "gemm", lambda c, a, b, alpha=1.0, beta=0.0:
                            calls.append((c, a, b)) or real(c, a, b, alpha, beta))
    else:
        real = np.matmul
        monkeypatch.setattr(epochs.np, "matmul", lambda a, b, out: calls.append((out, a, b)) or real(a, b, out=out))
    dtype = np.dtype(dtype)
    params = init_params(784, 300, 10, rng=0, scale="lecun", dtype=dtype)
    x = np.random.default_rng(1).uniform(0, 1, (9, 784)).astype(dtype)
    epochs.bound(x, None, 4, params, library)()  # two whole batches; the ninth example is left
    assert [tuple(m.shape for m in call) for call in calls[:5]] == [
        ((4, 300), (4, 784), (784, 300)), ((4, 10), (4, 300), (300, 10)), ((4, 300), (4, 10), (10, 300)),
        ((300, 10), (300, 4), (4, 10)), ((784, 300), (784, 4), (4, 300))]
    assert len(calls) == 10
    w, v = calls[0][2], calls[1][2]
    if library == "scipy":  # NumPy's updates write into a scratch array, then subtract it from w and v
        assert calls[3][0] is v and calls[4][0] is w
    assert np.abs(calls[0][0]).min() > np.finfo(np.float32).tiny  # h
    assert np.abs(w - params.w).max() <= 1e-9 * np.abs(params.w).max() and np.isfinite(w).all()


def test_train_is_timed_without_its_evaluations(monkeypatch):
    seconds = []
    real = epochs.train.train

    def recording_train(*args, **kwargs):
        params, history = real(*args, **kwargs)
        seconds.append(history.seconds[-1])
        return params, history

    monkeypatch.setattr(epochs.train, "train", recording_train)
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(60, 784)), rng.integers(0, 10, size=60)
    epoch = epochs.train_epoch(x, labels, 20, init_params(784, 300, 10, rng=0, scale="lecun"))
    assert epoch() == seconds[-1] and len(seconds) == 1  # one epoch per call, its History.seconds


def timed(seconds, ratio=None):
    return {"median_seconds": seconds, "median_ratio_to_bound": ratio}


def test_goals_check_train_against_the_best_bound_and_name_the_faster_products():
    implementations = {"bound": timed(0.5, 1.0), "numpy bound": timed(0.6, 1.2), "train": timed(0.65, 1.3),
                       "step": timed(0.6, 1.2)}
    faster_numpy = {**implementations, "numpy bound": timed(0.4, 1.0), "train": timed(0.48, 1.2)}
    report = {"results": [{"batch_size": 100, "dtype": "float64", "threads": 2, "implementations": implementations},
                          {"batch_size": 500, "dtype": "float32", "threads": 1, "implementations": faster_numpy}]}
    assert tables.goals(report) == [
        ["B=100, f64, 2 thr.", "1.30 (≤ 1.25: missed)", "1.20", "1.08", "scipy (numpy / scipy 1.20)"],
        ["B=500, f32, 1 thr.", "1.20 (≤ 1.25: met)", "1.20", "0.80", "numpy (numpy / scipy 0.80)"]]
    header, body = tables.rows(report, 2)
    assert header == ["2 threads", "best bound", "train", "step"] and body == [["B=100, float64", "0.50 s", "1.30×", "1.20×"]]


def test_a_goal_missed_by_less_than_the_last_digit_shows_one_digit_more():
    def verdict(ratio):
        report = {"results": [{"batch_size": 1, "dtype": "float32", "threads": 1, "implementations": {
            "bound": timed(1.0, 1.0), "train": timed(1.0, ratio), "step": timed(1.0, 1.0)}}]}
        return tables.goals(report)[0][1]

    assert verdict(1.502) == "1.502 (≤ 1.5: missed)"
    assert verdict(1.5) == "1.50 (≤ 1.5: met)" and verdict(1.497) == "1.50 (≤ 1.5: met)"
    assert verdict(1.51) == "1.51 (≤ 1.5: missed)"


def test_scaling_compares_each_part_at_more_threads_with_one():
    def result(threads, bound, step, train):
        return {"batch_size": 100, "dtype": "float32", "threads": threads,
                "implementations": {"bound": timed(bound), "step": timed(step), "train": timed(train)}}

    report = {"results": [result(1, 1.0, 1.2, 1.3), result(2, 0.625, 0.9, 1.0), result(1, 1, 1, 1) | {"batch_size": 500}]}
    assert tables.scaling_rows(report) == [["B=100, f32, 1 → 2 thr.", "1.60×", "1.33×", "1.30×", "31%"]]


@pytest.mark.parametrize("cores,counts", [(1, (1,)), (2, (1, 2)), (6, (1, 2, 4, 6)), (16, (1, 2, 4, 8, 16))])
def test_the_thread_counts_follow_the_cores_this_process_may_use(cores, counts, monkeypatch):
    monkeypatch.setattr(measure.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert measure.thread_counts() == counts


def test_bench_command_takes_any_list_of_thread_counts(monkeypatch, capsys):
    asked = []

    def fake_run(**kwargs):
        asked.append(kwargs["threads"])
        raise SystemExit(0)

    monkeypatch.setattr(bench, "run", fake_run)
    for argv, threads in ((["--threads", "1,2,4,8"], [1, 2, 4, 8]), (["--threads", "1", "3"], [1, 3]), ([], None)):
        with pytest.raises(SystemExit):
            cli.main(["bench", *argv])
        assert asked[-1] == threads
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bench", "--batch-sizes", "0"])
    assert exit_.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err


def test_a_pause_between_timed_calls_is_not_timed():
    """`interleaved`'s pause lets idle BLAS threads stop before the next call; it is waited, not counted."""
    import time

    from mlp.stopwatch import interleaved

    calls = []
    start = time.perf_counter()
    seconds = interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 2, pause=0.05)
    assert time.perf_counter() - start >= 6 * 0.05  # a pause before each of 3 rounds × 2 calls
    assert calls == ["a", "b"] * 3 and all(len(s) == 2 and s.max() < 0.05 for s in seconds.values())
