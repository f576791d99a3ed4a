"""Sweeps: grids checked before training, the cache reused cell by cell, a Dask cluster agreeing with local cores."""

import functools
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from mlp import cache, cli
from mlp.experiments import runs, sweep, sweeps, trainer

TINY = runs.Run(dataset="synth", n_hid=4, batch_size=50, epochs=2, reduction="mean", limit=600)
GRID = {"lr": [0.5, 2.0], "init": ["lecun", 1.0]}
SEEDS = 2


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A fresh results cache for one test."""
    folder = tmp_path / "results"
    monkeypatch.setenv("MLP_RESULTS_DIR", str(folder))
    return folder


@pytest.fixture
def counted(monkeypatch):
    """The runs executed in this process (a sweep with ``jobs=1`` trains here)."""
    executed = []
    real = runs.execute

    def execute(run, progress=False):
        executed.append(run)
        return real(run, progress)

    monkeypatch.setattr(runs, "execute", execute)
    return executed


def stored(folder: Path) -> list:
    return sorted(folder.glob("run-*")) if folder.exists() else []


@pytest.mark.parametrize("grid, kwargs, error, message", [
    ({"momentum": [0.9]}, {}, ValueError, "unknown sweep option 'momentum'"),
    ({"lr": []}, {}, ValueError, "'lr' has no values"),
    ({"lr": [0.1, 0.0]}, {}, ValueError, "'lr' must be a positive finite number, got 0.0"),
    ({"lr": [-1.0]}, {}, ValueError, "'lr' must be a positive finite number, got -1.0"),
    ({"lr": [float("nan")]}, {}, ValueError, "must be a positive finite number"),
    ({"batch_size": [0]}, {}, ValueError, "'batch_size' must be an integer >= 1, got 0"),
    ({"batch_size": [2.5]}, {}, TypeError, "'batch_size' must be an integer >= 1, got 2.5"),
    ({"n_hid": [100, 0]}, {}, ValueError, "'n_hid' must be an integer >= 1, got 0"),
    ({"init": ["he"]}, {}, ValueError, "'init' must be a positive number or one of 'lecun'"),
    ({"reduction": ["max"]}, {}, ValueError, "must be one of 'sum', 'mean'"),
    ({"lr": [0.1, 0.1]}, {}, ValueError, "repeats a value"),
    (GRID, {"seeds": 0}, ValueError, "seeds must be an integer >= 1, got 0"),
    (GRID, {"seeds": [-1]}, ValueError, "each of seeds must be an integer >= 0, got -1"),
    (GRID, {"dataset": "cifar"}, ValueError, "dataset must be one of"),
    (GRID, {"jobs": 0}, ValueError, "jobs must be an integer >= 1, got 0"),
    (GRID, {"jobs": "2"}, TypeError, "jobs must be an integer >= 1, got '2'"),
])
def test_a_bad_grid_is_one_clear_error_before_anything_trains(grid, kwargs, error, message, counted, own_cache):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        sweep(grid, **{"seeds": SEEDS, "dataset": "synth", "base": TINY, "jobs": 1, **kwargs})
    assert counted == [] and stored(own_cache) == []


def test_a_missing_data_set_is_one_clear_error_before_anything_trains(tmp_path, monkeypatch, counted, own_cache):
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError, match="mnist files missing"):
        sweep({"lr": [0.1]}, seeds=1, dataset="mnist", jobs=1)
    assert counted == [] and stored(own_cache) == []


def test_the_command_reports_a_bad_grid_and_trains_nothing(capsys, counted, own_cache):
    assert cli.main(["sweep", "--dataset", "synth", "--lr", "0.1,0", "--quiet"]) == 2
    assert "sweep option 'lr' must be a positive finite number, got 0.0" in capsys.readouterr().err
    assert cli.main(["sweep", "--dataset", "synth", "--batch-size", "10,x", "--quiet"]) == 2
    assert "'x' is not an integer" in capsys.readouterr().err
    assert counted == [] and stored(own_cache) == []


def test_a_rerun_trains_nothing_and_a_widened_grid_only_its_new_cells(counted, own_cache):
    first = sweep(GRID, seeds=SEEDS, dataset="synth", base=TINY, jobs=1, progress=False)
    assert len(counted) == 4 * SEEDS == len(stored(own_cache))
    counted.clear()
    again = sweep(GRID, seeds=SEEDS, dataset="synth", base=TINY, jobs=1, progress=False)
    assert counted == [] and again == first
    wider = sweep({**GRID, "lr": [0.5, 2.0, 8.0]}, seeds=SEEDS, dataset="synth", base=TINY, jobs=1, progress=False)
    assert sorted({(run.lr, run.init, run.seed) for run in counted}, key=str) == sorted(
        {(8.0, init, seed) for init in GRID["init"] for seed in range(SEEDS)}, key=str)
    assert wider["cells"][:4] == first["cells"]


def test_a_sweep_summarizes_each_cell_over_its_seeds(own_cache):
    result = sweep(GRID, seeds=[3, 5, 7], dataset="synth", base=TINY, jobs=1, progress=False)
    assert [c["setting"] for c in result["cells"]] == [
        {"lr": 0.5, "init": "lecun"}, {"lr": 0.5, "init": 1.0}, {"lr": 2.0, "init": "lecun"}, {"lr": 2.0, "init": 1.0}]
    for cell in result["cells"]:
        one = [runs.result(TINY.replace(**cell["setting"], seed=seed, record_steps=False)) for seed in (3, 5, 7)]
        assert cell["seeds"] == [3, 5, 7]
        assert cell["accuracy"]["values"] == [r["held_out_accuracy"] for r in one]
        assert cell["accuracy"]["ci_low"] < cell["accuracy"]["mean"] < cell["accuracy"]["ci_high"]
        assert cell["curves"]["val_accuracy"]["mean"] == np.mean([r["history"]["val_accuracy"] for r in one], axis=0).tolist()
    means = [c["accuracy"]["mean"] for c in result["cells"]]
    assert result["best"] == means.index(max(means))
    assert result["runs"] == 12 and result["failed"] == [] and result["varied"] == ["lr", "init"]


def test_the_command_prints_a_table_and_writes_json_csv_and_figures(tmp_path, capsys, own_cache):
    out = tmp_path / "out"
    assert cli.main(["sweep", "--dataset", "synth", "--lr", "0.5,2", "--n-hid", "4", "--epochs", "2",
                     "--limit", "600", "--seeds", "2", "--reduction", "mean", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    result = sweep({"lr": [0.5, 2.0], "n_hid": [4], "epochs": [2], "reduction": ["mean"]}, seeds=2, dataset="synth",
                   limit=600, jobs=1, progress=False)
    best = result["cells"][result["best"]]
    assert sweeps.format_table(result) in printed
    assert [line for line in printed.splitlines() if line.endswith("best")] == [
        line for line in sweeps.format_table(result).splitlines() if line.startswith(f"{best['setting']['lr']:g} ")]
    assert {p.name for p in out.iterdir()} == {"sweep.json", "sweep.csv", "sweep_accuracy.svg", "sweep_curves.svg"}
    import json
    assert json.loads((out / "sweep.json").read_text())["cells"][0]["accuracy"] == result["cells"][0]["accuracy"]
    assert len((out / "sweep.csv").read_text().splitlines()) == 1 + len(result["cells"])


def test_the_sites_sweep_is_the_command_the_site_prints(tmp_path, own_cache, capsys):
    site = sweeps.site_sweep("quick", trainer.Trainer(1, False).fetch(sweeps.site_runs("quick")))
    argv = sweeps.command(sweeps.SITE_GRID, sweeps.SITE_SEEDS, "synth", sweeps.SITE_BASE)
    assert cli.main([*argv, "--quiet", "--out", str(tmp_path)]) == 0
    import json
    printed = json.loads((tmp_path / "sweep.json").read_text())
    assert [c["accuracy"] for c in printed["cells"]] == [c["accuracy"] for c in site["cells"]]
    assert printed["fixed"] == site["fixed"] and site["fixed"]["n_hid"] == sweeps.SITE_BASE.n_hid


# ------------------------------------------------------------------ on a Dask cluster

HAVE_DISTRIBUTED = importlib.util.find_spec("distributed") is not None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real two-process Dask cluster on this machine, whose workers see a results folder of their own."""
    if not HAVE_DISTRIBUTED:
        if os.environ.get("CI"):
            pytest.fail("distributed is not installed (it is in the test extra)")
        pytest.skip("distributed is not installed: pip install 'mlp[cluster]'")
    from distributed import Client, LocalCluster

    workers_cache = tmp_path_factory.mktemp("workers-results")
    saved = os.environ["MLP_RESULTS_DIR"]
    os.environ["MLP_RESULTS_DIR"] = str(workers_cache)  # inherited by the worker processes
    try:
        local = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    finally:
        os.environ["MLP_RESULTS_DIR"] = saved
    client = Client(local)
    yield local, client, workers_cache
    client.close()
    local.close()


def test_a_cluster_sweep_gives_the_local_results_and_stores_them_in_the_callers_cache(cluster, tmp_path, monkeypatch):
    local_cluster, client, workers_cache = cluster
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "local"))
    here = sweep(GRID, seeds=SEEDS, dataset="synth", base=TINY, jobs=2, progress=False)
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "remote"))
    there = sweep(GRID, seeds=SEEDS, dataset="synth", base=TINY, client=client, progress=False)
    assert there["failed"] == [] and len(stored(tmp_path / "remote")) == 4 * SEEDS
    assert stored(workers_cache) == []  # the workers wrote nothing; the caller stored their results
    for setting, planned in sweeps.plan(GRID, SEEDS, "synth", base=TINY):
        for run in planned:
            monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "local"))
            a = cache.load(runs.path(run))
            monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "remote"))
            b = cache.load(runs.path(run))
            assert a["run"] == b["run"] and a["held_out_accuracy"] == b["held_out_accuracy"]
            assert a["held_out_loss"] == b["held_out_loss"]
            for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
                assert np.array_equal(a["history"][name], b["history"][name]), (run, name)
    strip = [{**c, "train_seconds": None} for c in here["cells"]]
    assert [{**c, "train_seconds": None} for c in there["cells"]] == strip


def test_a_worker_with_other_code_refuses_and_nothing_is_stored(cluster, own_cache, monkeypatch):
    _, client, _ = cluster
    monkeypatch.setattr(cache, "source_hash", lambda package=None: "0" * 64)  # the caller's code differs
    result = sweep({"lr": [0.5]}, seeds=2, dataset="synth", base=TINY, client=client, progress=False)
    assert len(result["failed"]) == 2 and result["cells"][0]["n"] == 0 and result["best"] is None
    for failure in result["failed"]:
        assert failure["error"].startswith("CodeMismatch: worker refuses")
        assert "differs from the caller's (000000000000)" in failure["error"]
    assert stored(own_cache) == []


def _dies_once(marker, run, source):
    """Kill this worker process the first time it is given seed 1; otherwise train as usual."""
    if run.seed == 1 and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return trainer._remote(run, source)


def test_a_run_whose_worker_dies_is_retried_on_another(cluster, own_cache, tmp_path, monkeypatch):
    _, client, _ = cluster
    marker = tmp_path / "died"
    monkeypatch.setattr(trainer, "_remote", functools.partial(_dies_once, str(marker)))
    result = sweep({"lr": [0.5]}, seeds=3, dataset="synth", base=TINY, client=client, progress=False)
    assert marker.exists()  # a worker died running seed 1
    assert result["failed"] == [] and result["cells"][0]["seeds"] == [0, 1, 2] and len(stored(own_cache)) == 3
    client.wait_for_workers(2, timeout=60)


def test_a_run_lost_with_its_worker_is_reported_failed_and_the_others_carry_on(cluster, own_cache, tmp_path,
                                                                               monkeypatch):
    local_cluster, client, _ = cluster
    marker = tmp_path / "died"
    monkeypatch.setattr(trainer, "_remote", functools.partial(_dies_once, str(marker)))
    monkeypatch.setattr(local_cluster.scheduler, "allowed_failures", 0)  # no retry: lost runs are failed
    grid = {"lr": [0.5]}
    result = sweep(grid, seeds=4, dataset="synth", base=TINY, client=client, progress=False)
    assert marker.exists()
    failed = {f["seed"] for f in result["failed"]}  # seed 1, and any run queued on the same worker
    assert 1 in failed and {f["error"].split(":")[0] for f in result["failed"]} == {"KilledWorker"}
    assert result["cells"][0]["seeds"] == sorted({0, 1, 2, 3} - failed) != []
    assert len(stored(own_cache)) == 4 - len(failed)  # nothing half-done stored
    client.wait_for_workers(2, timeout=60)
    again = sweep(grid, seeds=4, dataset="synth", base=TINY, client=client, progress=False)
    assert again["failed"] == [] and again["cells"][0]["seeds"] == [0, 1, 2, 3] and len(stored(own_cache)) == 4
