"""What a build of the experiments records about itself: where the time went, which results it read.

``python -m mlp experiments --record FILE`` writes `record` as JSON: per experiment its
runs, how many were trained by this command and their seconds of training, evaluating
and loading data (summed over runs), the longest run's (the critical path: with
processes enough, the wall time cannot be shorter), the command's wall time, and
the `mlp.cache.fingerprint` of exactly the results it read, which keys the site's
executed pages (`mlp.site.hooks.page_key`): results of other profiles do not re-execute them.
The site adds each page's execution seconds, its kernel's start among them, the pages'
wall time and how many ran at once (`mlp.site.hooks`); the Performance page shows it all (`rows`, `page_rows`).
"""

from __future__ import annotations

from pathlib import Path

from mlp import cache
from mlp.files import read_json, write_json
from mlp.experiments.background import describe
from mlp.experiments.runs import path as run_path


def experiment_runs(experiment, profile: str, fetch) -> list:
    """Every run of ``experiment``: its plan and the runs it chose from results."""
    return [*experiment.plan(profile), *(experiment.followup(profile, fetch) if experiment.followup else [])]


def record(names, profile: str, trainer, wall_seconds: float) -> dict:
    """The record of one experiments command that used ``trainer`` (`mlp.experiments.run`)."""
    from mlp.experiments import EXPERIMENTS

    rows = {}
    for name in names or EXPERIMENTS:
        runs = set(experiment_runs(EXPERIMENTS[name], profile, trainer.fetch))
        trained = [run for run in runs if run in trainer.trained]
        rows[name] = {"runs": len(runs), "trained": len(trained),
                      **{f"{part}_seconds": sum((spent.get(run, 0.0) for run in trained), 0.0) for part, spent in
                         (("train", trainer.trained), ("evaluate", trainer.evaluated), ("load", trainer.loaded))}}
    paths = [run_path(run) for run in trainer.asked]
    spent = {run: [seconds.get(run, 0.0) for seconds in (trainer.trained, trainer.evaluated, trainer.loaded)]
             for run in trainer.trained}
    longest = max(spent, key=lambda run: sum(spent[run]), default=None)
    return {"profile": profile, "wall_seconds": wall_seconds, "jobs": trainer.jobs,
            "longest": None if longest is None else
            {"run": describe(longest), **dict(zip(SECONDS, spent[longest]))},
            "runs": len(trainer.asked), "trained": len(trainer.trained),
            "train_seconds": sum(trainer.trained.values(), 0.0),
            "evaluate_seconds": sum(trainer.evaluated.values(), 0.0), "load_seconds": sum(trainer.loaded.values(), 0.0), "experiments": rows,
            "fingerprint": cache.fingerprint(paths)}


def path(profile: str) -> Path:
    """Where a site build of ``profile`` records its timings (in the results folder)."""
    return cache.results_dir() / f"timings-{profile}.json"


write, read = write_json, read_json  # a record, as JSON


SECONDS = ("train_seconds", "evaluate_seconds", "load_seconds")


def rows(data: dict) -> tuple[list, list]:
    """``(header, rows)`` of a record's experiments (with their runs trained of runs asked for): seconds
    training, evaluating, loading data (``None`` where a record does not say), then their
    sums (the CPU time), the longest run's (the critical path) and the command's wall time."""
    header = ["experiment (runs trained of its runs)", "training", "evaluating", "loading"]
    out = [[f"{name} ({row['trained']} of {row['runs']})", *(row.get(part) for part in SECONDS)]
           for name, row in data["experiments"].items() if row["runs"]]
    out.append([f"all, summed: the CPU time ({data['trained']} of {data['runs']})",
                *(data.get(part) for part in SECONDS)])
    if data.get("longest"):
        out.append([f"the longest run, the critical path: `{data['longest']['run']}`",  # its settings, as code
                    *(data["longest"][part] for part in SECONDS)])
    out.append([f"wall time, {data['jobs']} processes", data["wall_seconds"], None, None])
    return header, out


def page_rows(data: dict) -> tuple[list, list]:
    """``(header, rows)`` of a record's executed pages: seconds executing, the kernel's start among
    them (0 for a page whose executed notebook was stored), then the pages' wall time."""
    header = ["page", "executing", "of which its kernel's start"]
    kernels = data.get("kernels", {})
    out = [[name, seconds, kernels.get(name)] for name, seconds in data.get("pages", {}).items()]
    if "pages_wall_seconds" in data:
        out.append([f"wall time, {data.get('pages_at_once', 2)} at a time", data["pages_wall_seconds"], None])
    return header, out
