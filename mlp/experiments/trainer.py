"""Many runs trained at once, the longest first: in worker processes here, or on a Dask cluster.

Here, `mlp.jobs.workers` chooses how many processes train: the cores this process may
use, as many as fit in the memory available (`mlp.experiments.estimates.worker_memory`),
at most ``--jobs`` or ``MLP_JOBS``; each with one BLAS thread when there are several.
A queue ordered by `mlp.experiments.estimates.expected_cost` feeds them: whenever a
worker is free it takes the longest run queued, so a long run asked for late (one chosen
from earlier results) still starts before the short ones waiting, and the last runs to
finish are short ones: the wall time nears the longest run, or the sum over the workers.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import threading
from concurrent.futures import Future

from mlp import cache
from mlp.experiments.estimates import expected_cost, worker_memory
from mlp.experiments.runs import Run, datasets, execute, path, result
from mlp.jobs import cores, limit, pool, workers


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
    """Trains runs in worker processes, or on a Dask cluster, the longest first, each run once.

    `start` queues runs and returns at once; `fetch` waits for the runs it is asked
    for (queueing them if needed) and returns their results, so a run chosen from earlier
    results joins the queue while the rest are still training. ``jobs`` is the most
    processes (default: ``MLP_JOBS``, else the cores); how many train is chosen when the
    first runs to train are queued (`mlp.jobs.workers`), and with one, each run is trained
    in this process when it is fetched. Given a ``distributed.Client``, the runs go to its
    workers through its ``concurrent.futures`` interface instead, each carrying the
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

        self.limit = limit(jobs)  # checked now, before anything trains
        self.jobs = self.limit or cores()  # until the first runs to train are known
        self.progress, self.client, self.pool, self.chosen = progress, client, None, False
        if client is not None:
            self.pool, self.source = client.get_executor(), cache.source_hash()
        self.pending = {}  # run -> Future of its result
        self.queue, self.order = [], itertools.count()  # (-expected cost, order, run): the runs not started
        self.ready, self.closed = threading.Condition(), False
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
            with self.ready:
                self.closed = True
                for _, _, run in self.queue:
                    self.pending[run].cancel()
                self.ready.notify_all()
            self.pool.shutdown(cancel_futures=True)  # the runs training finish and are stored
        self.bar.close()

    def _choose(self, new) -> None:
        """Choose how many processes train, from the first runs to train: a pool and its feeders
        if several, else none (each run is trained here when fetched)."""
        self.chosen = True
        self.jobs = workers(worker_memory(new), tasks=len(new), jobs=self.limit)
        if self.jobs > 1:
            self.pool = pool(self.jobs)
            for i in range(self.jobs):
                threading.Thread(target=self._feed, daemon=True, name=f"trainer-feed-{i}").start()

    def start(self, runs) -> None:
        """Queue the runs that are neither cached nor queued yet, the longest first."""
        runs = set(runs)
        self.asked |= runs
        new = {run for run in runs if run not in self.pending and run not in self.counted and not path(run).exists()}
        if new and self.client is None and not self.chosen:
            self._choose(new)
        if self.client is not None:
            for run in sorted(new, key=expected_cost, reverse=True):
                self.pending[run] = self.pool.submit(_remote, run, self.source)
                self.pending[run].add_done_callback(lambda future, run=run: self._finished(run, future))
        elif self.pool:
            with self.ready:
                for run in new:
                    self.pending[run] = Future()
                    heapq.heappush(self.queue, (-expected_cost(run), next(self.order), run))
                self.ready.notify_all()
        else:  # one job: each run is trained when fetched
            self.counted |= new
        self.bar.total += len(new)
        self.bar.refresh()

    def _feed(self) -> None:
        """One worker's feeder: take the longest run queued, train it in the pool, hand on its result."""
        while True:
            with self.ready:
                while not self.queue and not self.closed:
                    self.ready.wait()
                if self.closed:
                    return
                _, _, run = heapq.heappop(self.queue)
            future = self.pending[run]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self.pool.submit(result, run).result())
            except BaseException as error:  # noqa: BLE001 - the run's caller gets it when fetching
                future.set_exception(error)
            self._finished(run, future)

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
        return [run for run in [*list(self.pending), *list(self.counted)] if run not in self.trained]  # copies:
        # feeder threads call this (through ``on_change``) while the caller queues more

    def running(self) -> list[Run]:
        """The runs training at this moment (in a worker process)."""
        return [run for run, future in list(self.pending.items()) if future.running()]

    def _finished(self, run: Run, future) -> None:
        """Note a finished run's seconds (0 for a failed one: its caller gets the error when fetching it)."""
        try:
            out = future.result()
            self.trained[run] = out["train_seconds"]
            self.evaluated[run], self.loaded[run] = out["evaluate_seconds"], out["load_seconds"]
        except Exception:  # noqa: BLE001
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
                done = Future()
                done.set_result(out)
                self._finished(run, done)
            return out
        if self.client is not None:  # the worker's result, stored here as a local run would be
            return cache.cached("run", dataclasses.asdict(run), future.result, datasets(run))
        return future.result()
