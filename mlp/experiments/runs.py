"""Training runs: a frozen description of one, the code that carries it out, and a cache.

Every experiment is a set of `Run` s. A run is cached by its fields (with the
source of the core modules and the data checksums), so runs shared between experiments
are trained once, and an unchanged rebuild trains nothing.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from mlp import cache, data
from mlp.params import init_params
from mlp.train import evaluate, train

LOADERS = {
    "synth": lambda final, dtype: data.load_synth(),
    "mnist": lambda final, dtype: data.load_mnist(final=final, dtype=dtype),
    "fashion-mnist": lambda final, dtype: data.load_fashion_mnist(final=final, dtype=dtype),
}


@dataclass(frozen=True)
class Run:
    """One training run, fully described.

    ``final=False`` trains on the training split and validates every epoch;
    ``final=True`` trains on all training data and touches the test set once, at the
    end. ``limit`` keeps only the first ``limit`` training and ``limit // 5`` held-out
    examples (the quick profile). ``seed`` drives both the initialization and the
    shuffling, through two independent streams.
    """

    dataset: str = "mnist"
    final: bool = False
    n_hid: int = 300
    lr: float = 1e-3
    batch_size: int = 100
    epochs: int = 5
    seed: int = 0
    reduction: str = "sum"
    init: float | str = 1.0
    lr_decay: float = 1.0
    form: str = "vectorized"
    dtype: str = "float64"
    record_steps: bool = True
    record_epochs: bool = True
    keep_params: bool = False
    limit: int | None = None

    def replace(self, **changes) -> "Run":
        return dataclasses.replace(self, **changes)


def load(run: Run):
    """The run's ``(train, held_out, n_classes)``, cut to ``run.limit`` if set."""
    if run.dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {run.dataset!r}")
    train_set, held_out, n_out = LOADERS[run.dataset](run.final, np.dtype(run.dtype))
    if run.limit:
        train_set = tuple(a[:run.limit] for a in train_set)
        held_out = tuple(a[:max(run.limit // 5, 1)] for a in held_out)
    return train_set, held_out, n_out


def initial(run: Run, n_in: int, n_out: int):
    """The run's initial parameters and its shuffling Generator, two streams of ``run.seed``."""
    init_rng, shuffle_rng = np.random.default_rng(run.seed).spawn(2)
    params = init_params(n_in, run.n_hid, n_out, init_rng, scale=run.init, dtype=np.dtype(run.dtype))
    return params, shuffle_rng


def execute(run: Run, progress: bool | None = False) -> dict:
    """Carry out ``run``; return its history and final numbers as plain data."""
    (x, labels), held_out, n_out = load(run)
    params, shuffle_rng = initial(run, x.shape[1], n_out)
    params, history = train(
        params, (x, labels), None if run.final else held_out,
        lr=run.lr, batch_size=run.batch_size, epochs=run.epochs, seed=shuffle_rng,
        reduction=run.reduction, form=run.form, lr_decay=run.lr_decay,
        record_steps=run.record_steps, record_epochs=run.record_epochs, progress=progress,
    )
    held_loss, held_accuracy = evaluate(*held_out, params)
    result = {
        "run": dataclasses.asdict(run),
        "history": {name: np.asarray(values) for name, values in history.to_dict().items()},
        "held_out": "test" if run.final else "validation",
        "held_out_loss": held_loss,
        "held_out_accuracy": held_accuracy,
        "train_seconds": history.seconds[-1],
    }
    if run.keep_params:
        result["params"] = params
    return result


def expected_cost(run: Run) -> float:
    """A rough guess of a run's training time (seconds, on one core), to start the longest first.

    Per example, the scalar form costs about 7 µs on the 2-3-2 network; the vectorized
    form on 784-300-10 about 150 µs at batch size 1 and, per batch of ``B``, 150 µs plus
    20 µs per example; every evaluated epoch adds a forward pass of 12 µs per example.
    """
    examples = run.limit or 60_000
    if run.form == "scalar":
        return run.epochs * examples * 7e-6
    per_example = 150e-6 / run.batch_size + 20e-6
    evaluated = run.epochs + 1 if run.record_epochs else 2
    return examples * (run.epochs * per_example + evaluated * 12e-6)


def datasets(run: Run) -> tuple[str, ...]:
    return () if run.dataset == "synth" else (run.dataset,)


def result(run: Run, progress: bool | None = False) -> dict:
    """The result of ``run``, from the cache or freshly computed (and then cached)."""
    config = dataclasses.asdict(run)
    return cache.cached("run", config, lambda: execute(run, progress), datasets(run))


def _result_single_thread(run: Run) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return result(run)


class Trainer:
    """Trains runs in ``jobs`` worker processes, the longest first, each run once.

    `start` queues runs and returns at once; `fetch` waits for the runs it is asked
    for (queueing them if needed) and returns their results, so a run chosen from earlier
    results joins the queue while the rest are still training. With more than one job
    each process uses one BLAS thread, which on a shared 2-core machine is both faster and
    steadier than one process with two threads. Use it as a context manager.
    """

    def __init__(self, jobs: int | None = None, progress: bool | None = None):
        from tqdm import tqdm

        self.jobs = jobs or min(2, os.cpu_count() or 1)
        self.progress = progress
        self.pool = ProcessPoolExecutor(self.jobs) if self.jobs > 1 else None
        self.pending = {}  # run -> Future
        self.bar = tqdm(total=0, disable=None if progress is None else not progress,
                        unit="run", desc="training", leave=False)

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
        self.bar.close()

    def start(self, runs) -> None:
        """Queue the runs that are neither cached nor queued yet, the longest first."""
        if not self.pool:
            return  # one job: each run is trained when fetched
        new = {run for run in runs if run not in self.pending
               and not cache.path_for("run", dataclasses.asdict(run), datasets(run)).exists()}
        for run in sorted(new, key=expected_cost, reverse=True):
            self.pending[run] = self.pool.submit(_result_single_thread, run)
            self.pending[run].add_done_callback(lambda _: self.bar.update())
        self.bar.total += len(new)
        self.bar.refresh()

    def fetch(self, runs) -> list[dict]:
        """The results of ``runs``, in order: from the cache, or trained (and then cached)."""
        runs = list(runs)
        self.start(runs)
        out = []
        for run in runs:
            future = self.pending.get(run)
            out.append(future.result() if future else result(run, progress=self.progress and not self.pool))
        return out
