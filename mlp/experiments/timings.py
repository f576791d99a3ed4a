"""What a build of the experiments records about itself: where the time went, which results it read.

``python -m mlp experiments --record FILE`` writes `record` as JSON: per experiment its
runs, how many were trained by this command and their training seconds (summed over
runs, so with two processes the wall time is about half), the command's wall time, and
the `mlp.cache.fingerprint` of exactly the results it read, which keys the site's
executed pages (`mlp.site.hooks.page_key`): results of other profiles do not re-execute them.
The site adds each page's build time (`mlp.site.hooks`), and the Performance page shows both.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from mlp import cache
from mlp.data import write_atomically
from mlp.experiments.runs import datasets


def experiment_runs(experiment, profile: str, fetch) -> list:
    """Every run of ``experiment``: its plan and the runs it chose from results."""
    return [*experiment.plan(profile), *(experiment.followup(profile, fetch) if experiment.followup else [])]


def record(names, profile: str, trainer, wall_seconds: float) -> dict:
    """The record of one experiments command that used ``trainer`` (`mlp.experiments.run`)."""
    from mlp.experiments import EXPERIMENTS

    rows = {}
    for name in names or EXPERIMENTS:
        runs = set(experiment_runs(EXPERIMENTS[name], profile, trainer.fetch))
        trained = [trainer.trained[run] for run in runs if run in trainer.trained]
        rows[name] = {"runs": len(runs), "trained": len(trained), "train_seconds": sum(trained)}
    paths = [cache.path_for("run", dataclasses.asdict(run), datasets(run)) for run in trainer.asked]
    return {"profile": profile, "wall_seconds": wall_seconds, "jobs": trainer.jobs,
            "runs": len(trainer.asked), "trained": len(trainer.trained),
            "train_seconds": sum(trainer.trained.values()), "experiments": rows,
            "fingerprint": cache.fingerprint(paths)}


def path(profile: str) -> Path:
    """Where a site build of ``profile`` records its timings (in the results folder)."""
    return cache.results_dir() / f"timings-{profile}.json"


def write(path, data: dict) -> None:
    write_atomically(Path(path), json.dumps(data, indent=1).encode())


def read(path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def rows(data: dict) -> tuple[list, list]:
    """``(header, rows)`` of a record: experiments (runs, trained, training seconds), then pages."""
    header = ["part of the build", "runs", "trained", "seconds"]
    out = [[name, row["runs"], row["trained"], row["train_seconds"]]
           for name, row in data["experiments"].items() if row["runs"]]
    out.append([f"experiments command, wall time ({data['jobs']} processes)", data["runs"], data["trained"],
                data["wall_seconds"]])
    out += [[f"page {name}", "", "", seconds] for name, seconds in data.get("pages", {}).items()]
    return header, out
