"""Training runs: a frozen description of one, the code that carries it out, and a cache.

Every experiment is a set of `Run` s. A run is cached by its fields (with the code a
run executes, `mlp.staleness.modules`, and the data checksums), so runs shared between
experiments are trained once, and an unchanged rebuild trains nothing. Two processes
asking for one run at once train it once: the second waits for the first's result.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from mlp import cache, data
from mlp.params import init_params
from mlp.train import evaluate, train

LOADERS = {
    "synth": lambda final, dtype, standardize: data.load_synth(),
    "mnist": lambda final, dtype, standardize: data.load_mnist(final=final, dtype=dtype, standardize=standardize),
    "fashion-mnist": lambda final, dtype, standardize: data.load_fashion_mnist(final=final, dtype=dtype,
                                                                               standardize=standardize),
}


@dataclass(frozen=True)
class Run:
    """One training run, fully described.

    ``final=False`` trains on the training split and validates every epoch;
    ``final=True`` trains on all training data and touches the test set once, at the
    end. ``limit`` keeps only the first ``limit`` training and ``limit // 5`` held-out
    examples (the quick profile). ``seed`` drives both the initialization and the
    shuffling, through two independent streams. ``standardize`` is `mlp.data`'s scaling of
    the images (``"global"`` or ``"pixel"``; the synthetic set ignores it). ``on_divergence``
    is `mlp.train.train`'s: ``"raise"`` fails on a loss that is not finite, ``"stop"``
    records where it appeared (the result's ``diverged``) and keeps the run.
    ``train_sample``: the training loss and accuracy of each epoch are measured on this
    many training examples, a fixed random draw (`sample`; ``None``: on all of them). It
    changes no update: the held-out numbers and the trained parameters are the same.
    ``record_train=False`` measures the training loss and accuracy only at the first and
    the last epoch (`mlp.train.train`'s), where only the held-out curve is shown.
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
    standardize: str = "global"
    on_divergence: str = "raise"
    train_sample: int | None = None
    record_train: bool = True

    def replace(self, **changes) -> "Run":
        return dataclasses.replace(self, **changes)


def load(run: Run):
    """The run's ``(train, held_out, n_classes)``, cut to ``run.limit`` if set; read-only arrays."""
    if run.dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {run.dataset!r}")
    train_set, held_out, n_out = _loaded(run.dataset, run.final, np.dtype(run.dtype), run.standardize)
    if run.limit:
        train_set = tuple(a[:run.limit] for a in train_set)
        held_out = tuple(a[:max(run.limit // 5, 1)] for a in held_out)
    return train_set, held_out, n_out


@functools.lru_cache(maxsize=6)
def _loaded(dataset: str, final: bool, dtype: np.dtype, standardize: str):
    """A data set as `LOADERS` gives it, once per process: the runs a worker trains share one
    read-only copy instead of reading and standardizing the files again for each. Six are
    kept, more than the five the experiments read (MNIST's training split in float32 and in
    float64, all its training images standardized two ways, and Fashion-MNIST's), so runs
    taken longest first do not load one twice."""
    train_set, held_out, n_out = LOADERS[dataset](final, dtype, standardize)
    for array in (*train_set, *held_out):
        array.flags.writeable = False
    return train_set, held_out, n_out


SAMPLE_SEED = 20_000  # the training sample's own stream: the same rows for every run and seed


def sample(x: np.ndarray, labels: np.ndarray, n: int | None):
    """``n`` of the examples drawn at random, the same for every run (`SAMPLE_SEED`), in their
    order, as a contiguous copy: the fixed set a run's training loss and accuracy are measured
    on after every epoch. All of them if ``n`` is ``None`` or not below their number.

    Drawn, not evenly spaced: the images of MNIST's training file alternate between two
    kinds of writers, and a trained network scores points lower on the even-numbered ones
    than on the odd (the MNIST page measures it), so every sixth image, all even, would
    misjudge the whole set.
    """
    if n is None or n >= len(x):
        return x, labels
    rows = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(x), size=n, replace=False))
    return x[rows], labels[rows]


def initial(run: Run, n_in: int, n_out: int):
    """The run's initial parameters and its shuffling Generator, two streams of ``run.seed``."""
    init_rng, shuffle_rng = np.random.default_rng(run.seed).spawn(2)
    params = init_params(n_in, run.n_hid, n_out, init_rng, scale=run.init, dtype=np.dtype(run.dtype))
    return params, shuffle_rng


def execute(run: Run, progress: bool | None = False) -> dict:
    """Carry out ``run``; return its history and final numbers as plain data.

    A run stopped by a divergence (``run.on_divergence="stop"``) has shorter curves, and
    its held-out numbers are those of the last epoch evaluated before it. Besides its
    training seconds, a result tells the seconds it spent loading its data (once per
    process, `load`) and evaluating (the epochs' records and the final held-out pass).
    """
    start = time.perf_counter()
    (x, labels), held_out, n_out = load(run)
    loaded = time.perf_counter()
    params, shuffle_rng = initial(run, x.shape[1], n_out)
    params, history = train(
        params, (x, labels), None if run.final else held_out, train_eval=sample(x, labels, run.train_sample),
        lr=run.lr, batch_size=run.batch_size, epochs=run.epochs, seed=shuffle_rng,
        reduction=run.reduction, form=run.form, lr_decay=run.lr_decay,
        record_steps=run.record_steps, record_epochs=run.record_epochs, progress=progress,
        on_divergence=run.on_divergence, record_train=run.record_train,
    )
    held_loss, held_accuracy = evaluate(*held_out, params)
    result = {
        "run": dataclasses.asdict(run),
        "history": {name: np.asarray(values) for name, values in history.curves().items()},
        "diverged": history.diverged,  # None, or where the loss stopped being finite
        "held_out": "test" if run.final else "validation",
        "held_out_loss": held_loss,
        "held_out_accuracy": held_accuracy,
        "train_seconds": history.seconds[-1],
        "load_seconds": loaded - start,
        "evaluate_seconds": time.perf_counter() - loaded - history.seconds[-1],
    }
    if run.keep_params:
        result["params"] = params
    return result


INPUTS = {"synth": 2}  # the inputs per example of each data set; the images have 784


def expected_cost(run: Run) -> float:
    """A rough guess of a run's training time (seconds, on one core), to start the longest first
    and to tell how long the runs left will take.

    Per example, the scalar form costs about 7 µs on the 2-3-2 network. The vectorized form
    on 784-300-10 in float64 costs about 150 µs at batch size 1 and, per batch of ``B``,
    150 µs plus 20 µs per example; every evaluated epoch adds a forward pass of 12 µs per
    example measured (the training sample and the held-out set, a fifth of the training
    set). float32 takes about half as long per example; a smaller network, in proportion
    to its weights, with at least 30 µs a batch.
    """
    examples = run.limit or 60_000
    if run.form == "scalar":
        return run.epochs * examples * 7e-6
    weights = (INPUTS.get(run.dataset, 784) + 10) * run.n_hid / ((784 + 10) * 300)
    single = 0.5 if run.dtype == "float32" else 1.0
    per_example = max(150e-6 * weights, 30e-6) / run.batch_size + 20e-6 * weights * single
    evaluated = run.epochs + 1 if run.record_epochs else 2
    measured = (evaluated if run.record_train else 2) * min(examples, run.train_sample or examples)
    forward = 12e-6 * weights * single
    return run.epochs * examples * per_example + (measured + evaluated * examples // 5) * forward


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


class CodeMismatch(RuntimeError):
    """A worker's ``mlp`` code is not the caller's: its results would be stored under a wrong key."""


def _remote(run: Run, source: str) -> dict:
    """Train ``run`` on a cluster's worker, whose code must hash to the caller's ``source``.

    The result goes back to the caller, which stores it in its own cache; the worker
    stores nothing, so a worker dying mid-run leaves nothing half-done behind.
    """
    from threadpoolctl import threadpool_limits

    mine = cache.source_hash()
    if mine != source:
        raise CodeMismatch(f"worker refuses {run}: its mlp code (source hash {mine[:12]}) differs from the "
                           f"caller's ({source[:12]}); install the same mlp version on every worker")
    with threadpool_limits(1):
        return execute(run)


class Trainer:
    """Trains runs in ``jobs`` worker processes, or on a Dask cluster, the longest first, each run once.

    `start` queues runs and returns at once; `fetch` waits for the runs it is asked
    for (queueing them if needed) and returns their results, so a run chosen from earlier
    results joins the queue while the rest are still training. With more than one job
    each process uses one BLAS thread, which on a shared 2-core machine is both faster and
    steadier than one process with two threads. Given a ``distributed.Client``, the runs go
    to its workers through its ``concurrent.futures`` interface instead, each carrying the
    caller's `cache.source_hash` for the worker to check, and their results are stored in
    the caller's cache as they come back. Use it as a context manager.

    For a report of its progress (`mlp.experiments.background`): ``asked`` holds every
    run asked for, cached or not; `waiting` and `running` the ones still to train;
    ``trained`` each trained run's ``train_seconds`` (``evaluated`` and ``loaded`` its
    ``evaluate_seconds`` and ``load_seconds``); ``complete`` is set by a caller
    once it has asked for every run it will (runs chosen from results come later); and
    ``on_change(trainer)``, if given, is called whenever a run finishes here.
    """

    def __init__(self, jobs: int | None = None, progress: bool | None = None, client=None, on_change=None):
        from tqdm import tqdm

        self.jobs = jobs or min(2, os.cpu_count() or 1)
        self.progress = progress
        self.client = client
        if client is not None:
            self.pool, self.source = client.get_executor(), cache.source_hash()
        else:
            self.pool = ProcessPoolExecutor(self.jobs) if self.jobs > 1 else None
        self.pending = {}  # run -> Future
        self.counted = set()  # runs trained in this process, counted in the bar when queued
        self.asked, self.trained, self.complete, self.on_change = set(), {}, False, on_change
        self.evaluated, self.loaded = {}, {}
        self.bar = tqdm(total=0, disable=None if progress is None else not progress,
                        unit="run", desc="training", leave=False)

    def __enter__(self) -> "Trainer":
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.pool.shutdown(wait=False)  # cancels what is left; the client stays the caller's
        elif self.pool:
            self.pool.shutdown(cancel_futures=True)
        self.bar.close()

    def start(self, runs) -> None:
        """Queue the runs that are neither cached nor queued yet, the longest first."""
        runs = set(runs)
        self.asked |= runs
        new = {run for run in runs if run not in self.pending and run not in self.counted
               and not cache.path_for("run", dataclasses.asdict(run), datasets(run)).exists()}
        if not self.pool:  # one job: each run is trained when fetched
            self.counted |= new
        for run in sorted(new, key=expected_cost, reverse=True) if self.pool else ():
            if self.client is not None:
                self.pending[run] = self.pool.submit(_remote, run, self.source)
            else:
                self.pending[run] = self.pool.submit(_result_single_thread, run)
            self.pending[run].add_done_callback(lambda future, run=run: self._finished(run, future.result))
        self.bar.total += len(new)
        self.bar.refresh()

    def fetch(self, runs) -> list[dict]:
        """The results of ``runs``, in order: from the cache, or trained (and then cached)."""
        return [self._result(run) for run in self._queued(runs)]

    def settle(self, runs) -> list:
        """Like `fetch`, but a run that failed gives its exception in its place; the others carry on."""
        out = []
        for run in self._queued(runs):
            try:
                out.append(self._result(run))
            except Exception as error:  # noqa: BLE001 - reported to the caller, per run
                out.append(error)
        return out

    def _queued(self, runs) -> list:
        runs = list(runs)
        self.start(runs)
        return runs

    def waiting(self) -> list[Run]:
        """The runs queued here that have not finished."""
        return [run for run in [*self.pending, *self.counted] if run not in self.trained]

    def running(self) -> list[Run]:
        """The runs training at this moment (in a worker process)."""
        return [run for run, future in self.pending.items() if future.running()]

    def _finished(self, run: Run, outcome) -> None:
        try:
            out = outcome()
            self.trained[run] = out["train_seconds"]
            self.evaluated[run], self.loaded[run] = out["evaluate_seconds"], out["load_seconds"]
        except Exception:  # noqa: BLE001 - a failed run: its caller gets the error when fetching it
            self.trained[run] = 0.0
        self.bar.update()
        if self.on_change:
            self.on_change(self)

    def _result(self, run: Run) -> dict:
        future = self.pending.get(run)
        if future is None:
            out = result(run, progress=self.progress and not self.pool)
            if run in self.counted:
                self.counted.discard(run)
                self._finished(run, lambda: out)
            return out
        if self.client is not None:  # the worker's result, stored here as a local run would be
            return cache.cached("run", dataclasses.asdict(run), future.result, datasets(run))
        return future.result()
