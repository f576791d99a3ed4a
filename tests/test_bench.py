"""The benchmark's machinery (no timing is asserted: speed is judged by running it)."""

import json
import time

import numpy as np
import pytest

from mlp import bench, cli


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(200, 784)), rng.integers(0, 10, size=200)
    return bench.run(batch_sizes=(50, 1), dtypes=("float64", "float32"), threads=(1,), rounds=2,
                     examples={1: 20}, data=data, scalar_examples=200)


def test_report_has_every_configuration_and_the_bound(tiny):
    configs = [(r["batch_size"], r["dtype"], r["threads"]) for r in tiny["results"]]
    assert configs == [(50, "float64", 1), (50, "float32", 1), (1, "float64", 1), (1, "float32", 1)]
    for r in tiny["results"]:
        impl = r["implementations"]
        assert list(impl)[:4] == ["bound", "train", "step", "plain"]
        assert impl["bound"]["median_ratio_to_bound"] == 1.0
        for m in impl.values():
            assert 0 < m["min_seconds"] <= m["median_seconds"] <= m["max_seconds"]
        assert impl["step"]["kernels"] == impl["bound"]["kernels"]  # the bound's plan, kept for the step
        for name in ("bound", "step"):  # the BLAS path of each product, as chosen on this machine
            assert list(impl[name]["kernels"]) == list(bench.kernels.PRODUCTS)
            assert set(impl[name]["kernels"].values()) <= set(bench.kernels.PATHS)
        assert impl["train"]["median_seconds_outside_training"] > 0  # the evaluations, timed apart
    assert tiny["results"][2]["examples"] == 20
    assert "scikit-learn" not in tiny["results"][1]["implementations"]  # float64 only
    assert "scikit-learn" not in tiny["results"][2]["implementations"]  # not at batch size 1


def test_scalar_steps_are_measured_on_the_reports_synthetic_network(tiny):
    assert tiny["scalar"]["network"] == [2, 3, 2] and tiny["scalar"]["examples"] == 200
    assert set(tiny["scalar"]["examples_per_second"]) == {"plain", "mlp"}
    assert all(rate > 0 for rate in tiny["scalar"]["examples_per_second"].values())
    assert "scalar SGD step" in bench.table(tiny)


def test_report_names_the_machine_and_round_trips_through_json(tiny, tmp_path):
    assert tiny["network"] == [784, 300, 10] and tiny["machine"]["numpy"] == np.__version__
    assert tiny["machine"]["processor"] == bench.kernels.processor()
    assert {b["library"].split("/")[0] for b in tiny["machine"]["blas"]} >= {"numpy.libs", "scipy.libs"}
    bench.write(tiny, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text()) == tiny


def test_table_lists_each_configuration(tiny):
    header, body = bench.rows(tiny, threads=1)
    assert header[:4] == ["1 thread", "bound", "train", "step"]
    assert [row[0] for row in body] == ["B=50, float64", "B=50, float32", "B=1, float64", "B=1, float32"]
    assert body[0][1].endswith(" s") and body[0][2].endswith("×")
    assert len(bench.table(tiny).splitlines()) == 1 + len(tiny["results"]) + 2  # a gap, the scalar rates


def test_bound_runs_the_five_products_of_eq_2_3_and_2_4_through_the_fastest_paths(monkeypatch):
    calls = []
    real_kernel = bench.kernels.kernel
    plan = dict(zip(bench.kernels.PRODUCTS, ["numpy.dot", "scipy.gemm", "numpy.matmul", "numpy.matmul", "scipy.gemm"]))

    def counting_kernel(path, update, shape=None, dtype=None):
        k = real_kernel(path, update, shape, dtype)
        return lambda c, a, b: calls.append((path, a.shape, b.shape, update)) or k(c, a, b)

    monkeypatch.setattr(bench.kernels, "measure", lambda *args: {"plan": plan})
    monkeypatch.setattr(bench.kernels, "kernel", counting_kernel)
    params = bench.init_params(784, 300, 10, rng=0)
    bound = bench.gemm_bound(np.ones((8, 784)), None, 4, params)
    bound()
    assert bound.plan == plan
    # x w, h v, dz vᵀ; then hᵀ dz and xᵀ dk, subtracted from the weights.
    assert calls[:5] == [("numpy.dot", (4, 784), (784, 300), False), ("scipy.gemm", (4, 300), (300, 10), False),
                         ("numpy.matmul", (4, 10), (10, 300), False), ("numpy.matmul", (300, 4), (4, 10), True),
                         ("scipy.gemm", (784, 4), (4, 300), True)]
    assert len(calls) == 10  # two batches


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_bound_moves_the_weights_its_forward_products_read_and_keeps_every_value_normal(dtype, monkeypatch):
    """The weight updates go into the very arrays x w and h v read (as in the step: one copy of
    the weights in memory), yet over an epoch at batch size 1 no value leaves the normal
    range: the weights move by less than a billionth of their size, h stays above the smallest
    normal number."""
    seen = {}
    real_kernel = bench.kernels.kernel

    def watching_kernel(path, update, shape=None, dtype=None):
        k = real_kernel(path, update, shape, dtype)
        return lambda c, a, b: seen.setdefault("updated" if update else "read", []).append(c if update else b) or k(c, a, b)

    monkeypatch.setattr(bench.kernels, "measure", lambda *args: {"plan": dict.fromkeys(bench.kernels.PRODUCTS, "scipy.gemm")})
    monkeypatch.setattr(bench.kernels, "kernel", watching_kernel)
    dtype = np.dtype(dtype)
    params = bench.init_params(784, 300, 10, rng=0, scale="lecun", dtype=dtype)
    x = np.random.default_rng(1).uniform(0, 1, (2000, 784)).astype(dtype)
    bound = bench.gemm_bound(x, None, 1, params)
    bound()
    assert any(r is bound.w for r in seen["read"]) and any(u is bound.w for u in seen["updated"])
    assert any(r is bound.v for r in seen["read"]) and any(u is bound.v for u in seen["updated"])
    for moved, start in ((bound.w, params.w), (bound.v, params.v)):
        assert np.isfinite(moved).all()
        assert np.abs(moved - start).max() <= 1e-9 * np.abs(start).max()
    assert np.abs(bound.h).min() > np.finfo(dtype).tiny


def test_the_bound_keeps_its_plan_for_the_steps_timed_beside_it(tmp_path, monkeypatch):
    """A plan stored earlier (perhaps measured on a busy machine) gives way to the bound's."""
    monkeypatch.setenv("MLP_KERNEL_DIR", str(tmp_path))
    monkeypatch.setattr(bench.kernels, "_PLANS", {})
    sizes = (20, 784, 300, 10, np.float64)
    earlier = dict.fromkeys(bench.kernels.PRODUCTS, "numpy.matmul")
    now = dict.fromkeys(bench.kernels.PRODUCTS, "scipy.gemm")
    bench.kernels.store(*sizes, earlier)
    assert bench.kernels.plan(*sizes) == earlier
    monkeypatch.setattr(bench.kernels, "measure", lambda *args: {"plan": dict(now)})
    params = bench.init_params(784, 300, 10, rng=0, scale="lecun")
    x, labels = np.zeros((40, 784)), np.zeros(40, int)
    assert bench.gemm_bound(x, labels, 20, params).plan == now
    assert bench.mlp_epoch(x, labels, 20, params).plan == now
    monkeypatch.setattr(bench.kernels, "_PLANS", {})  # as the next process starts
    assert bench.kernels.plan(*sizes) == now


def test_train_is_timed_without_its_evaluations(monkeypatch):
    seconds = []
    real = bench.train.train

    def recording_train(*args, **kwargs):
        params, history = real(*args, **kwargs)
        seconds.append(history.seconds[-1])
        return params, history

    monkeypatch.setattr(bench.train, "train", recording_train)
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(60, 784)), rng.integers(0, 10, size=60)
    epoch = bench.train_epoch(x, labels, 20, bench.init_params(784, 300, 10, rng=0, scale="lecun"))
    assert epoch() == seconds[-1] and len(seconds) == 1  # one epoch per call, its History.seconds
    assert epoch.outside[-1] > 0


def test_goals_compare_train_with_the_bound_the_step_and_float64(tiny):
    rows = bench.goals(tiny)
    assert [row[0] for row in rows] == ["B=50, f64, 1 thr.", "B=50, f32, 1 thr.",
                                        "B=1, f64, 1 thr.", "B=1, f32, 1 thr."]
    assert all(len(row) == len(bench.GOALS_HEADER) for row in rows)
    impl = tiny["results"][2]["implementations"]
    ratio, shown = impl["train"]["median_ratio_to_bound"], rows[2][1].split()  # e.g. "1.31 (≤ 1.5: met)"
    assert float(shown[0]) == pytest.approx(ratio, abs=0.005) and shown[1:] == ["(≤", "1.5:", "met)" if ratio <= 1.5 else "missed)"]
    first = tiny["results"][0]["implementations"]
    for row, r in zip(rows, tiny["results"]):  # the loop that the bound and the rest share, counted once
        parts = r["implementations"]
        assert row[2] == f"{1 + parts['rest']['median_ratio_to_bound'] - parts['loop']['median_ratio_to_bound']:.2f}"
    assert rows[0][3].startswith(f"{first['train']['median_seconds'] / first['step']['median_seconds']:.2f}")
    assert rows[0][4] == f"{1 + first['gather']['median_seconds'] / first['step']['median_seconds']:.2f}"
    assert rows[0][5] == "—" and rows[1][5].split()[1] in ("met", "missed")


def test_each_floor_is_its_part_over_what_it_is_a_part_of():
    """1 + (rest - loop) / bound under train() / bound; 1 + gather / step under train() / step."""
    def timed(seconds, ratio):
        return {"median_seconds": seconds, "median_ratio_to_bound": ratio}

    implementations = {"bound": timed(0.5, 1.0), "train": timed(0.65, 1.3), "step": timed(0.6, 1.2),
                       "rest": timed(0.1, 0.2), "gather": timed(0.03, 0.06), "loop": timed(0.025, 0.05)}
    report = {"results": [{"batch_size": 100, "dtype": "float64", "threads": 2, "implementations": implementations}]}
    assert bench.goals(report) == [["B=100, f64, 2 thr.", "1.30 (≤ 1.2: missed)", "1.15",
                                    "1.08 (≤ 1.05: missed)", "1.05", "—"]]


def test_the_loop_epoch_walks_the_batches_the_bound_walks_and_does_nothing_else():
    sliced = []

    class Data(np.ndarray):
        def __getitem__(self, key):
            sliced.append(key)
            return super().__getitem__(key)

    x = np.zeros((10, 3)).view(Data)
    bench.loop_epoch(x, None, 4, None)()
    assert sliced == [slice(0, 4), slice(4, 8)]  # as gemm_bound: whole batches only


def test_inside_the_step_its_products_and_its_rest_are_each_over_the_bound():
    def timed(ratio, **more):
        return {"median_seconds": ratio / 2, "median_ratio_to_bound": ratio, **more}

    implementations = {"bound": timed(1.0), "step": timed(1.3), "rest": timed(0.15),
                       "products": timed(1.31, median_products_ratio_to_bound=1.12, median_rest_ratio_to_bound=0.19)}
    results = [{"batch_size": b, "dtype": "float32", "threads": 2, "implementations": implementations} for b in (100, 1)]
    results.append({"batch_size": 500, "dtype": "float32", "threads": 1, "implementations": {
        n: m for n, m in implementations.items() if n != "products"}})  # a run from before the measurement
    assert bench.inside_rows({"results": results}) == [["B=100, f32, 2 thr.", "1.31", "1.12", "0.19", "0.15"]]


def test_the_products_are_timed_inside_a_step_that_still_computes_them():
    """Timing the step's products changes nothing it computes, and counts part of its time."""
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(60, 784)), rng.integers(0, 10, size=60)
    params = bench.init_params(784, 300, 10, rng=0, scale="lecun")
    timed, bare = bench.products_epoch(x, labels, 20, params), bench.mlp_epoch(x, labels, 20, params)
    start = time.perf_counter()
    timed()
    wall = time.perf_counter() - start
    bare()
    assert len(timed.inside) == 1 and 0 < timed.inside[0] < wall
    assert all(np.array_equal(a, b) for a, b in zip(timed.step.params, bare.step.params))
    assert not np.array_equal(timed.step.params.w, params.w)  # it trained


def test_a_measurement_splits_the_timed_step_by_round(monkeypatch):
    """Its products and its rest are each a median over rounds of that round's ratio to the bound."""
    calls = {"bound": iter([1.0, 2.0, 1.0, 4.0]), "products": iter([9.0, 3.0, 1.5, 4.4])}
    inside = iter([5.0, 2.0, 1.2, 4.0])

    def fake(name):
        def make(x, labels, batch_size, params):
            def epoch():
                if name == "products":
                    epoch.inside.append(next(inside))
                return next(calls[name])
            if name == "products":
                epoch.inside = []
            return epoch
        return make

    monkeypatch.setattr(bench, "IMPLEMENTATIONS", {n: fake(n) for n in calls})
    out = bench.measure(np.zeros((10, 784)), np.zeros(10, int), 5, np.float64, 1, rounds=3, names=tuple(calls))
    # counted rounds (after the warm-up): bound 2, 1, 4; products 3, 1.5, 4.4 of which inside 2, 1.2, 4
    assert out["products"]["median_products_ratio_to_bound"] == pytest.approx(1.0)  # median of 1, 1.2, 1
    assert out["products"]["median_rest_ratio_to_bound"] == pytest.approx(0.3)  # median of 0.5, 0.3, 0.1


def test_a_goal_missed_by_less_than_the_last_digit_shows_one_digit_more():
    def timed(seconds, ratio):
        return {"median_seconds": seconds, "median_ratio_to_bound": ratio}

    def row(train_ratio, f32_seconds=1.0):
        results = [{"batch_size": 1, "dtype": dtype, "threads": 1, "implementations": {
            "bound": timed(1.0, 1.0), "train": timed(seconds, train_ratio), "step": timed(seconds, 1.0)}}
            for dtype, seconds in (("float64", 1.0), ("float32", f32_seconds))]
        return bench.goals({"results": results})[1]

    assert row(1.502)[1] == "1.502 (≤ 1.5: missed)"
    assert row(1.5)[1] == "1.50 (≤ 1.5: met)" and row(1.497)[1] == "1.50 (≤ 1.5: met)"
    assert row(1.51)[1] == "1.51 (≤ 1.5: missed)"
    assert row(1.2, f32_seconds=1.004)[5] == "1.004 missed" and row(1.2, f32_seconds=0.996)[5] == "1.00 met"


def test_a_run_without_a_part_timed_shows_no_floor_for_it(tiny):
    report = {**tiny, "results": [{**r, "implementations": {n: m for n, m in r["implementations"].items()
                                                            if n not in bench.PARTS}} for r in tiny["results"]]}
    rows = bench.goals(report)
    assert [row[2] for row in rows] == [row[4] for row in rows] == ["—"] * 4
    assert rows[0][3] == bench.goals(tiny)[0][3]


def test_the_gather_epoch_gathers_the_batches_train_steps_on(monkeypatch):
    """train() steps on `mlp.train.batches`; the gather epoch walks the same batches, shuffled
    afresh each epoch as train() shuffles, and nothing else."""
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(50, 784)), rng.integers(0, 10, size=50)
    seen = []
    real = bench.train.batches

    def recording(x_, labels_, order, batch_size, out):
        for xb, lb in real(x_, labels_, order, batch_size, out):
            seen.append((xb.copy(), lb.copy()))
            yield xb, lb

    monkeypatch.setattr(bench.train, "batches", recording)
    epoch = bench.gather_epoch(x, labels, 20, None)
    epoch()
    first = seen[:]
    assert [len(lb) for _, lb in first] == [20, 20, 10]
    rows = np.concatenate([xb for xb, _ in first])
    order = [int(np.flatnonzero((x == row).all(axis=1))[0]) for row in rows]
    assert sorted(order) == list(range(50))  # every example once, in a shuffled order
    assert order != list(range(50))
    assert np.array_equal(np.concatenate([lb for _, lb in first]), labels[order])
    seen.clear()
    epoch()
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(seen, first))  # a fresh order each epoch
    seen.clear()
    params = bench.init_params(784, 300, 10, rng=0, scale="lecun")
    _, history = bench.train.train(params, (x, labels), lr=1e-3, batch_size=20, epochs=2, progress=False)
    assert [len(lb) for _, lb in seen] == [20, 20, 10] * 2  # train() stepped on them
    assert len(history.step_loss) == len(seen)


def test_the_rest_of_the_step_runs_everything_but_its_five_products():
    """The rest epoch leaves w and v alone (no product moved them) yet moves the biases, as the
    step's element-wise code does, and computes through its own kernels no product at all."""
    import mlp

    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(40, 784)), rng.integers(0, 10, size=40)
    params = mlp.init_params(784, 300, 10, rng=0, scale="lecun")
    epoch = bench.rest_epoch(x, labels, 20, params)
    assert not epoch.step.h.any() and not epoch.step.z.any()  # no leftover memory (a NaN spread through b)
    h_before = epoch.step.h.copy()
    epoch()
    moved = epoch.step.params
    assert np.array_equal(moved.w, params.w) and np.array_equal(moved.v, params.v)
    assert not np.array_equal(moved.c, params.c) and not np.array_equal(moved.b, params.b)
    assert not np.array_equal(epoch.step.h, h_before)  # σ and its slope were computed in place
    for _ in range(20):  # and what it computes stays in the range training sees
        epoch()
    assert np.abs(moved.b).max() < 1e-20 and np.isfinite(epoch.step.h).all() and np.isfinite(moved.c).all()
    step = mlp.fast.Step(params.map(np.copy), 20)
    for product in (step.xw, step.hv, step.dzvt, step.update_v, step.update_w):
        assert all(product is not getattr(epoch.step, name) for name in ("xw", "hv", "dzvt", "update_v", "update_w"))


def test_the_saturated_network_is_timed_with_its_subnormals_flushed_and_kept(tiny):
    seconds = tiny["saturated"]["median_seconds"]
    assert tiny["saturated"]["init"] == 1.0 and tiny["saturated"]["examples"] == 200
    assert set(seconds) == {"float64", "float32"} and all(set(s) == {"flushed", "kept"} for s in seconds.values())
    assert all(v > 0 for s in seconds.values() for v in s.values())
    rows = bench.saturated_rows(tiny)
    assert [row[0] for row in rows] == ["float64", "float32"] and len(rows[0]) == len(bench.SATURATED_HEADER)
    assert rows[0][3] == "1.00×"
    assert rows[1][3] == f"{seconds['float32']['flushed'] / seconds['float64']['kept']:.2f}×"  # each as it trains
    assert rows[1][2].endswith(f"({seconds['float32']['kept'] / seconds['float32']['flushed']:.2f}×)")


def test_only_the_kept_epoch_leaves_subnormal_gradients():
    """Through the report's N(0, 1) weights, float32's η dk falls below its smallest normal number."""
    rng = np.random.default_rng(2)
    x, labels = rng.normal(size=(200, 784)), rng.integers(0, 10, size=200)
    tiny_f32 = np.finfo(np.float32).tiny
    epochs = bench.saturated_epochs(x, labels, 100)
    with np.errstate(over="ignore", under="ignore"):
        for way in ("flushed", "kept"):
            epochs["float32", way]()
    subnormal = {way: np.any((epochs["float32", way].step.s != 0) & (np.abs(epochs["float32", way].step.s) < tiny_f32))
                 for way in ("flushed", "kept")}
    assert subnormal == {"flushed": False, "kept": True}


def test_bench_command_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bench", "--batch-sizes", "0"])
    assert exit_.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err
