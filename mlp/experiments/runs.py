"""Training runs: a frozen description of one, the code that carries it out, and a cache.

Every experiment is a set of `Run` s. A run is cached by its fields (with the
source of the core modules and the data checksums), so runs shared between experiments
are trained once, and an unchanged rebuild trains nothing.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
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


def execute(run: Run, progress: bool | None = False) -> dict:
    """Carry out ``run``; return its history and final numbers as plain data."""
    (x, labels), held_out, n_out = load(run)
    init_rng, shuffle_rng = np.random.default_rng(run.seed).spawn(2)
    params = init_params(x.shape[1], run.n_hid, n_out, init_rng, scale=run.init, dtype=np.dtype(run.dtype))
    params, history = train(
        params, (x, labels), None if run.final else held_out,
        lr=run.lr, batch_size=run.batch_size, epochs=run.epochs, seed=shuffle_rng,
        reduction=run.reduction, form=run.form, lr_decay=run.lr_decay,
        record_steps=run.record_steps, progress=progress,
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


def results(runs, jobs: int | None = None, progress: bool | None = None) -> list[dict]:
    """The results of ``runs``, in order; missing ones trained ``jobs`` at a time.

    With more than one job each process uses one BLAS thread, which on a shared
    2-core machine is both faster and steadier than one process with two threads.
    """
    from tqdm import tqdm

    runs = list(runs)
    jobs = jobs or min(2, os.cpu_count() or 1)
    done = {i: cache.load(cache.path_for("run", dataclasses.asdict(run), datasets(run)))
            for i, run in enumerate(runs)}
    todo = [i for i, value in done.items() if value is None]
    unique = {}
    for i in todo:
        unique.setdefault(runs[i], []).append(i)
    with tqdm(total=len(unique), disable=None if progress is None else not progress,
              unit="run", desc="training", leave=False) as bar:
        if jobs == 1 or len(unique) <= 1:
            for run, places in unique.items():
                value = result(run, progress=progress if len(unique) == 1 else False)
                done.update(dict.fromkeys(places, value))
                bar.update()
        else:
            with ProcessPoolExecutor(jobs) as pool:
                futures = {pool.submit(_result_single_thread, run): places for run, places in unique.items()}
                for future in as_completed(futures):
                    done.update(dict.fromkeys(futures[future], future.result()))
                    bar.update()
    return [done[i] for i in range(len(runs))]
