"""Training a profile in a process of its own, telling the world how far it got.

``python -m mlp.experiments.background --profile full --parent PID`` runs every
experiment of the profile through the results cache, as ``python -m mlp experiments``
does, and after every finished run writes a small JSON status (`status_path`: runs done,
runs known, whether the runs chosen from earlier results are known yet, an estimate of
the minutes left) and prints a line of progress. It touches the `signal_dir` (which
``mkdocs serve`` watches, `mlp.site.preview`) at most every `REFRESH` seconds and when it
is done, so the served site is rebuilt with the news. It leads a process group of its own
(its training workers are in it), ends itself and that group when its parent dies, and
on SIGTERM ends the group: an entry is written atomically, so none is left half-done,
and the next start trains only the runs not yet stored.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from mlp import cache
from mlp.files import read_json, write_json
from mlp.experiments.estimates import expected_cost, worker_memory
from mlp.experiments.runs import Run, path
from mlp.jobs import workers

REFRESH = 30.0  # seconds between two rebuilds asked of the server while runs finish


def status_dir() -> Path:
    """The folder of the background trainers' statuses, one JSON file per profile."""
    return cache.results_dir() / ".background"


def signal_dir() -> Path:
    """The folder a background trainer touches when there is news, and nothing else writes:
    ``mkdocs serve`` watches it and rebuilds on any change in it, so a status written there
    after every run would rebuild (and reload the browser) each time, not every `REFRESH` s."""
    return status_dir() / "signal"


def status_path(profile: str) -> Path:
    return status_dir() / f"{profile}.json"


# ------------------------------------------------------------ what is done, what is left

def stored(run: Run) -> bool:
    return path(run).exists()


class Missing(LookupError):
    """A run's result is not in the cache."""


def _load_only(runs) -> list[dict]:
    """The stored results of ``runs``; `Missing` if one is not stored (nothing is trained)."""
    out = []
    for run in runs:
        value = cache.load(path(run))
        if value is None:
            raise Missing(run)
        out.append(value)
    return out


def _as_good_as_any(runs) -> list[dict]:
    """Stand-in results under which every candidate is as good as the next: the first is chosen."""
    return [{"held_out_accuracy": 0.0} for _ in runs]


def foreseen(profile: str, names=None) -> set:
    """The runs chosen from earlier results, as if the first candidate were chosen: as many as
    the real choice gives, and as long, since the candidates differ only in their learning
    rates. What the estimate counts for the runs not yet known (the counts do not)."""
    from mlp.experiments import EXPERIMENTS

    chosen = [EXPERIMENTS[name] for name in (names or EXPERIMENTS)]
    return {run for e in chosen if e.followup for run in e.followup(profile, _as_good_as_any)}


def _foreseen_left(profile: str, known, names=None) -> list:
    """The `foreseen` runs neither among ``known`` nor stored: what the estimate adds for them."""
    return [run for run in foreseen(profile, names) - set(known) if not stored(run)]


def survey(profile: str, names=None) -> dict:
    """Every run of ``profile`` found from the cache alone: ``done``, ``total``, ``complete``.

    ``complete`` says whether ``total`` counts them all: the runs chosen from earlier
    results are known only once those are stored. ``finished`` when all are stored.
    """
    from mlp.experiments import EXPERIMENTS

    chosen = [EXPERIMENTS[name] for name in (names or EXPERIMENTS)]
    runs = {run for e in chosen for run in e.plan(profile)}
    complete = True
    for e in chosen:
        if e.followup:
            try:
                runs |= set(e.followup(profile, _load_only))
            except Missing:
                complete = False
    left = [run for run in runs if not stored(run)]
    unknown = [] if complete else _foreseen_left(profile, runs, names)
    return status(profile, done=len(runs) - len(left), total=len(runs), complete=complete,
                  seconds_left=estimate(left + unknown), running=[])


def estimate(left, trained: dict | None = None, jobs: int | None = None) -> float:
    """Seconds until the runs ``left`` are trained by ``jobs`` processes (default: as many as
    `mlp.jobs.workers` gives them), each taking the longest run left: their `expected_cost`
    shared out among the processes, or the longest one's where that is longer.

    The costs are scaled by how the runs ``trained`` so far (run -> measured
    ``train_seconds``) compared with theirs, when there are any.
    """
    rate = 1.0
    if trained:
        expected = sum(expected_cost(run) for run in trained)
        rate = sum(trained.values()) / expected if expected > 0 and sum(trained.values()) > 0 else 1.0
    costs = [expected_cost(run) for run in left]
    jobs = workers(worker_memory(left), tasks=len(left)) if jobs is None else jobs
    return rate * max(sum(costs) / max(jobs, 1), max(costs, default=0.0))


def status(profile: str, done: int, total: int, complete: bool, seconds_left: float, running,
           finished: bool | None = None, failed: str | None = None) -> dict:
    """The status a background trainer reports, as plain data."""
    return {"profile": profile, "done": done, "total": total, "complete": complete,
            "seconds_left": float(seconds_left), "running": [describe(run) for run in running],
            "finished": (complete and done == total) if finished is None else finished,
            "failed": failed, "time": time.time()}


def of_trainer(profile: str, trainer) -> dict:
    """The status of a `mlp.experiments.trainer.Trainer` at work on ``profile``."""
    left = trainer.waiting()
    unknown = [] if trainer.complete else _foreseen_left(profile, trainer.asked)
    return status(profile, done=len(trainer.asked) - len(left), total=len(trainer.asked),
                  complete=trainer.complete, seconds_left=estimate(left + unknown, trainer.trained, trainer.jobs),
                  running=trainer.running(), finished=False)


def describe(run: Run) -> str:
    """A run in a few words, for a progress line."""
    size = f"{run.limit:,} examples" if run.limit else "all examples"
    return (f"{run.dataset} {run.form} lr={run.lr:g} B={run.batch_size} {run.epochs} epochs "
            f"seed {run.seed}, {size}")


def done_of_total(state: dict) -> str:
    """``"k of n"``, or ``"k of at least n"`` while the runs chosen from results are unknown."""
    return f"{state['done']} of {'' if state['complete'] else 'at least '}{state['total']}"


def minutes(seconds: float) -> str:
    return "under a minute" if seconds < 60 else f"about {round(seconds / 60)} minutes"


def progress_line(state: dict) -> str:
    """One line of terminal progress: runs done, current run, estimate."""
    if state["finished"]:
        return f"background training ({state['profile']}): all {state['total']} runs done"
    line = (f"background training ({state['profile']}): {done_of_total(state)} runs done, "
            f"{minutes(state['seconds_left'])} left")
    return line + (f"; now: {state['running'][0]}" if state["running"] else "")


def touch() -> None:
    """Tell a watching ``mkdocs serve`` that there is news (a file in `signal_dir` changes)."""
    signal_dir().mkdir(parents=True, exist_ok=True)
    (signal_dir() / "rebuild").write_text(str(time.time()))


def write(state: dict) -> Path:
    path = status_path(state["profile"])
    write_json(path, state)
    return path


def read(profile: str) -> dict | None:
    """The last status written for ``profile``, or ``None``."""
    return read_json(status_path(profile))


# ------------------------------------------------------------ the process

class Reporter:
    """Writes the status, prints progress and asks for a rebuild, at most every `REFRESH` s."""

    def __init__(self, profile: str, refresh: float = REFRESH, out=sys.stderr):
        self.profile, self.refresh, self.out = profile, refresh, out
        self.lock, self.touched = threading.Lock(), float("-inf")

    def __call__(self, trainer) -> None:
        self.report(of_trainer(self.profile, trainer))

    def report(self, state: dict, now: bool = False) -> None:
        with self.lock:
            write(state)
            print(progress_line(state), file=self.out, flush=True)
            if now or time.monotonic() - self.touched >= self.refresh:
                touch()
                self.touched = time.monotonic()


def end_with_parent(parent: int, every: float = 1.0) -> threading.Thread:
    """A thread that ends this process group once ``parent`` is gone (re-parented away)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    thread = threading.Thread(target=watch, daemon=True, name="end-with-parent")
    thread.start()
    return thread


def main(argv=None) -> int:
    from mlp.experiments import run
    from mlp.experiments.profiles import PROFILES

    p = argparse.ArgumentParser(prog="python -m mlp.experiments.background", description=__doc__.split("\n")[0])
    p.add_argument("--profile", choices=PROFILES, default="full")
    p.add_argument("--parent", type=int, help="end when this process is gone")
    p.add_argument("--refresh", type=float, default=REFRESH, help="seconds between two rebuild signals")
    args = p.parse_args(argv)
    if args.parent:
        end_with_parent(args.parent)
    signal.signal(signal.SIGTERM, lambda *_: os.killpg(os.getpgrp(), signal.SIGKILL))
    reporter = Reporter(args.profile, args.refresh)
    trainers = []
    try:
        run(None, args.profile, progress=False, on_change=reporter, trainer_out=trainers)
    except Exception as error:  # noqa: BLE001 - reported to the server, which keeps the preview
        state = of_trainer(args.profile, trainers[0]) if trainers else survey(args.profile)
        reporter.report({**state, "failed": f"{type(error).__name__}: {error}"}, now=True)
        raise
    trainer = trainers[0]
    reporter.report(status(args.profile, len(trainer.asked), len(trainer.asked), True, 0.0, [], finished=True),
                    now=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
