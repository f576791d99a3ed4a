"""How many processes work at once, and in what order the runs go to them, with the cores and the
memory mocked: the affinity mask, the memory available, ``--jobs`` and ``MLP_JOBS``, the longest
run first, one BLAS thread per worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from mlp import cli, jobs
from mlp.experiments import EXPERIMENTS, estimates, runs
from mlp.experiments.trainer import Trainer
from mlp.site import notebooks

GIB = 2**30
# Runs of the synthetic set that no experiment asks for: the fake results below never meet a real one.
ODD = runs.Run(dataset="synth", form="scalar", n_hid=7, batch_size=1, limit=37, epochs=1)


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """``machine(cores, gib)``: this process may use ``cores`` cores of a 64-core machine, with
    ``gib`` GiB of memory available; no ``MLP_JOBS``."""
    monkeypatch.delenv(jobs.ENV, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)

    def mock(cores: int, gib: float):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(0, 2 * cores, 2)))
        meminfo = tmp_path / "meminfo"
        meminfo.write_text(f"MemTotal: {64 * 2**20} kB\nMemFree: 1000 kB\nMemAvailable: {int(gib * 2**20)} kB\n")
        monkeypatch.setattr(jobs, "MEMINFO", meminfo)
    return mock


def test_the_workers_follow_the_affinity_mask_not_the_machines_cores(machine):
    machine(cores=3, gib=64)
    assert jobs.cores() == 3 and jobs.workers() == 3 and jobs.workers(GIB) == 3
    with Trainer(progress=False) as trainer:
        assert trainer.jobs == 3
    assert jobs.workers(GIB, tasks=2) == 2  # never more than there is to do


def test_the_memory_available_limits_the_workers(machine):
    machine(cores=16, gib=4.5)
    assert jobs.available_memory() == 4.5 * GIB
    assert jobs.workers(GIB) == 4 and jobs.workers(3 * GIB) == 1 and jobs.workers(8 * GIB) == 1
    # The full profile's runs: a worker holds every data set they read, a few hundred MB each.
    full = [run for e in EXPERIMENTS.values() for run in e.plan("full")]
    need = estimates.worker_memory(full)
    assert 1 * GIB < need < 3 * GIB
    machine(cores=16, gib=2.5 * need / GIB)
    assert jobs.workers(need, tasks=len(full)) == 2


def test_a_workers_memory_estimate_holds_what_loading_its_data_takes(needs_data):
    """A fresh process loads the data of two runs; its peak memory stays under the estimate,
    and the estimate is not wildly above it."""
    two = [runs.Run(dtype="float32", limit=100),
           runs.Run(dataset="fashion-mnist", final=True, dtype="float32", standardize="pixel")]
    # VmHWM, the process's own peak: ru_maxrss would also count the forking test process's
    # memory, which Linux carries across exec into the child's.
    code = ("import re; from pathlib import Path; from mlp.experiments import loading; from mlp.experiments.runs import Run\n"
            f"for run in {two!r}: loading.load(run)\n"
            "print(int(re.search(r'VmHWM:\\s*(\\d+) kB', Path('/proc/self/status').read_text())[1]) * 1024)")
    peak = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    need = estimates.worker_memory(two)
    assert peak < need < 2 * peak


def test_the_limit_comes_from_jobs_then_the_environment_and_bad_values_are_refused(machine, monkeypatch, capsys):
    machine(cores=16, gib=64)
    monkeypatch.setenv(jobs.ENV, "3")
    assert jobs.workers() == 3 and jobs.workers(jobs=5) == 5  # --jobs wins over MLP_JOBS
    with Trainer(progress=False) as trainer:
        assert trainer.jobs == 3
    machine(cores=16, gib=2.5)
    assert jobs.workers(GIB, jobs=5) == 2  # and the memory over both
    for bad in ("0", "-2", "two", "1.5", " "):
        monkeypatch.setenv(jobs.ENV, bad)
        if bad.strip():
            with pytest.raises(ValueError, match=r"^MLP_JOBS must be a positive integer"):
                jobs.workers()
            with pytest.raises(ValueError, match="MLP_JOBS"):
                Trainer(progress=False)
    monkeypatch.setenv(jobs.ENV, "none")
    assert cli.main(["experiments", "dry_run", "--quiet"]) == 2
    assert "error: MLP_JOBS must be a positive integer" in capsys.readouterr().err
    monkeypatch.delenv(jobs.ENV)
    for command in (["experiments", "dry_run"], ["sweep", "--lr", "0.1"]):
        with pytest.raises(SystemExit):
            cli.main([*command, "--jobs", "0"])
        assert "argument --jobs: must be a positive integer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["experiments", "--help"])
    assert "$MLP_JOBS" in capsys.readouterr().out


def _fake_execute(run, progress=False):
    """Stands in for a run: when and where it started, and its BLAS threads, as a result. Runs
    of other seeds take 50 ms more or less, so that two workers never free at the same moment
    and which run starts next is not decided by a race."""
    from threadpoolctl import threadpool_info

    started = time.time()
    time.sleep(0.15 + 0.05 * (run.seed % 6))
    threads = max([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] or [0])
    return {"run": {"seed": run.seed, "epochs": run.epochs}, "started": started, "pid": os.getpid(),
            "blas_threads": threads, "train_seconds": 0.0, "evaluate_seconds": 0.0, "load_seconds": 0.0}


@pytest.fixture
def fake_runs(monkeypatch, tmp_path):
    """Runs trained by `_fake_execute` (worker processes are forked: they inherit it), stored apart."""
    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setattr(runs, "execute", _fake_execute)


def test_a_free_worker_takes_the_longest_run_queued_even_one_queued_late(machine, fake_runs):
    machine(cores=2, gib=64)
    short = [ODD.replace(seed=seed) for seed in range(6)]
    long = ODD.replace(epochs=100)
    assert all(estimates.expected_cost(long) > estimates.expected_cost(run) for run in short)
    with Trainer(progress=False) as trainer:
        trainer.start(short)
        trainer.start([long])  # while the first two short ones train
        results = trainer.fetch([*short, long])
    assert trainer.jobs == 2
    order = sorted(results, key=lambda r: r["started"])
    assert order.index(results[-1]) <= 2  # the next to start once a worker is free, not the last
    assert len({r["pid"] for r in results}) == 2


def test_the_memory_estimate_of_the_runs_limits_the_trainers_workers(machine, fake_runs):
    some = [ODD.replace(seed=seed) for seed in range(4)]
    machine(cores=8, gib=2.5 * estimates.worker_memory(some) / GIB)
    with Trainer(progress=False) as trainer:
        results = trainer.fetch(some)
    assert trainer.jobs == 2 and len({r["pid"] for r in results}) == 2


def test_each_worker_has_one_blas_thread_when_several_train(machine, fake_runs):
    from threadpoolctl import threadpool_info

    machine(cores=2, gib=64)
    with Trainer(progress=False) as trainer:
        several = trainer.fetch([ODD.replace(seed=seed) for seed in (10, 11, 12)])
    assert trainer.jobs == 2 and {r["blas_threads"] for r in several} == {1}
    with Trainer(jobs=1, progress=False) as alone:  # trains in this process, with its BLAS threads
        mine = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        assert alone.fetch([ODD.replace(seed=13)])[0]["blas_threads"] == mine


def test_pages_executed_at_once_get_kernels_with_one_blas_thread(machine):
    machine(cores=4, gib=64)
    assert notebooks.at_once(10) == 4 and notebooks.at_once(3) == 3
    machine(cores=4, gib=2.5 * notebooks.KERNEL_MEMORY / GIB)
    assert notebooks.at_once(10) == 2
    seen = {}
    notebooks.execute_all({"a": 1, "b": 2}, lambda job, env: seen.setdefault(job, env), threads=2)
    assert all(env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1" for env in seen.values())
    assert seen[1]["PATH"] == os.environ["PATH"]  # the rest of the environment kept
    notebooks.execute_all({"a": 3}, lambda job, env: seen.setdefault(job, env), threads=1)
    assert seen[3] is None  # alone: this process's environment, all BLAS threads


def test_experiments_that_plan_no_runs_are_summarized_beside_the_training(machine, fake_runs, monkeypatch):
    """Such a summary may train on its own (the snapshots do): it does not wait for the runs of the
    experiments listed before it."""
    import mlp.experiments as experiments

    machine(cores=2, gib=64)
    planned, seen = [ODD.replace(seed=seed) for seed in range(20, 24)], {}

    def after_its_runs(profile, results, fetch):
        seen["after_its_runs"] = time.time()
        return len(results)

    def alone(profile, results, fetch):
        seen["alone"] = time.time()
        return "alone"

    monkeypatch.setattr(experiments, "EXPERIMENTS", {
        "trains": experiments.Experiment("trains", lambda profile: planned, after_its_runs),
        "alone": experiments.Experiment("plans no runs", lambda profile: [], alone)})
    assert experiments.run(profile="quick", progress=False) == {"trains": 4, "alone": "alone"}
    assert seen["alone"] < seen["after_its_runs"]
