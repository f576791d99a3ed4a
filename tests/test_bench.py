"""The benchmark's machinery (no timing is asserted: speed is judged by running it)."""

import json

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
        assert {"gemm bound", "mlp", "plain"} <= set(impl)
        assert impl["gemm bound"]["median_ratio_to_bound"] == 1.0
        for m in impl.values():
            assert 0 < m["min_seconds"] <= m["median_seconds"] <= m["max_seconds"]
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
    bench.write(tiny, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text()) == tiny


def test_table_lists_each_configuration(tiny):
    header, body = bench.rows(tiny, threads=1)
    assert header[:3] == ["1 thread", "gemm bound", "mlp"]
    assert [row[0] for row in body] == ["B=50, float64", "B=50, float32", "B=1, float64", "B=1, float32"]
    assert body[0][1].endswith(" s") and body[0][2].endswith("×")
    assert len(bench.table(tiny).splitlines()) == 1 + len(tiny["results"]) + 2  # a gap, the scalar rates


def test_gemm_bound_runs_the_five_products_of_eq_2_3_and_2_4(monkeypatch):
    calls = []
    real_gemm = bench.fast.gemm

    def counting_gemm(c, a, b, alpha=1.0, beta=0.0):
        calls.append((a.shape, b.shape, beta))
        return real_gemm(c, a, b, alpha, beta)

    params = bench.init_params(784, 300, 10, rng=0)
    monkeypatch.setattr(bench.fast, "gemm", counting_gemm)
    bench.gemm_bound(np.ones((8, 784)), None, 4, params)()
    monkeypatch.undo()
    # x w, h v, dz vᵀ; then hᵀ dz and xᵀ dk, added into the weights (beta = 1).
    assert calls[:5] == [((4, 784), (784, 300), 0.0), ((4, 300), (300, 10), 0.0), ((4, 10), (10, 300), 0.0),
                         ((300, 4), (4, 10), 1.0), ((784, 4), (4, 300), 1.0)]
    assert len(calls) == 10  # two batches


def test_bench_command_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bench", "--batch-sizes", "0"])
    assert exit_.value.code == 2
    assert "must be a positive integer" in capsys.readouterr().err
