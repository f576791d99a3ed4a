"""Hyperparameter sweeps: every cell of a grid, times seeds, through the report's runs and cache.

``sweep({"lr": [0.01, 0.1], "init": ["lecun", 1.0]}, seeds=3, dataset="synth")`` trains
the four cells three times each, as `Run` s through `Trainer` (local processes, or a Dask
cluster given a ``distributed.Client``) and the results cache, and returns plain data: per
cell its held-out accuracy (mean, 95% interval), final training loss, training time and
curves. A rerun trains nothing; a widened grid trains only its new cells. The grid is
checked whole before anything trains.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import numbers

from mlp import data
from mlp.params import INIT_NAMES
from mlp.experiments.loading import LOADERS
from mlp.experiments.runs import Run
from mlp.experiments.trainer import Trainer
from mlp.experiments.stats import band, summary


def _positive_int(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError("must be a positive integer")
    return int(value)


def _positive_float(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < math.inf:
        raise ValueError("must be a positive number")
    return float(value)


def _init(value):
    return value if value in INIT_NAMES else _positive_float(value)


def _one_of(*choices):
    def check(value):
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value
    return check


# The fields of a `Run` a grid may vary, each with the check of one value.
OPTIONS = {
    "lr": _positive_float,
    "batch_size": _positive_int,
    "n_hid": _positive_int,
    "init": _init,
    "epochs": _positive_int,
    "reduction": _one_of("sum", "mean"),
    "lr_decay": _positive_float,
    "dtype": _one_of("float64", "float32"),
}


def check_grid(grid: dict) -> dict:
    """``grid`` as ``{option: [values]}``, each value checked; a `ValueError` names the first fault."""
    if not isinstance(grid, dict):
        raise TypeError(f"grid must be a dict of option -> list of values, got {type(grid).__name__}")
    checked = {}
    for option, values in grid.items():
        if option not in OPTIONS:
            raise ValueError(f"unknown sweep option {option!r}; choose from {', '.join(OPTIONS)}")
        values = [values] if isinstance(values, (str, numbers.Number)) else list(values)
        if not values:
            raise ValueError(f"sweep option {option!r} has no values")
        out = []
        for value in values:
            try:
                out.append(OPTIONS[option](value))
            except ValueError as error:
                raise ValueError(f"sweep option {option!r}: {value!r} {error}") from None
        if len(set(out)) < len(out):
            raise ValueError(f"sweep option {option!r} repeats a value: {values}")
        checked[option] = out
    return checked


def check_dataset(dataset: str) -> str:
    """``dataset``, if it is known and its files are here (or downloadable); else a clear error."""
    if dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {dataset!r}")
    if dataset != "synth":
        data._dataset_dir(dataset, None)  # raises data.DataUnavailable (a FileNotFoundError)
    return dataset


def seed_list(seeds) -> list[int]:
    """``seeds`` as a list: a count ``n`` gives ``0 .. n-1``; a list of integers is kept."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count or a non-empty list of integers, got {seeds!r}")
        return list(range(seeds))
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in seeds):
        raise ValueError(f"seeds must be a positive count or a non-empty list of integers, got {seeds!r}")
    return [int(s) for s in seeds]


def cells(grid: dict) -> list[dict]:
    """Every combination of the grid's values, the last option varying fastest."""
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def plan(grid: dict, seeds=3, dataset: str = "mnist", final: bool = False, limit: int | None = None,
         base: Run | None = None) -> list[tuple[dict, list[Run]]]:
    """The runs of every cell: ``[(setting, [one Run per seed]), ...]``. Checks nothing (see `sweep`).

    The runs are ``base`` (default `Run()`) on ``dataset``, cut to ``limit`` if given, with
    each cell's setting and seed; they record no per-update losses and keep no parameters.
    """
    base = (base or Run()).replace(dataset=dataset, final=final, record_steps=False, keep_params=False)
    if limit is not None:
        base = base.replace(limit=limit)
    return [(setting, [base.replace(**setting, seed=seed) for seed in seed_list(seeds)]) for setting in cells(grid)]


def varied(planned) -> list[str]:
    """The options that take more than one value in the plan's cells."""
    options = list(planned[0][0]) if planned else []
    return [o for o in options if len({repr(setting[o]) for setting, _ in planned}) > 1]


def summarize(planned, results, dataset: str, final: bool) -> dict:
    """Plain data of a sweep from its plan and the results (or exceptions) of its runs, in order."""
    out_cells, failed = [], []
    results = iter(results)
    for setting, runs in planned:
        done = []
        for run in runs:
            outcome = next(results)
            if isinstance(outcome, BaseException):
                failed.append({"setting": setting, "seed": run.seed, "error": f"{type(outcome).__name__}: {outcome}"})
            else:
                done.append(outcome)
        cell = {"setting": setting, "seeds": [r["run"]["seed"] for r in done], "n": len(done),
                "accuracy": None, "final_loss": None, "train_seconds": None, "curves": {}}
        if done:
            cell["accuracy"] = summary([r["held_out_accuracy"] for r in done])
            cell["final_loss"] = summary([r["history"]["train_loss"][-1] for r in done])
            cell["train_seconds"] = summary([r["train_seconds"] for r in done])
            for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
                curves = [r["history"][name] for r in done]
                if len({len(c) for c in curves}) == 1 and not all(math.isnan(v) for c in curves for v in c):
                    cell["curves"][name] = {k: v.tolist() for k, v in band(curves).items()}
        out_cells.append(cell)
    scored = [i for i, c in enumerate(out_cells) if c["accuracy"] and not math.isnan(c["accuracy"]["mean"])]
    best = max(scored, key=lambda i: out_cells[i]["accuracy"]["mean"]) if scored else None
    first = dataclasses.asdict(planned[0][1][0]) if planned else {}
    fixed = {k: v for k, v in first.items() if k not in varied(planned) and k != "seed"}
    return {"dataset": dataset, "held_out": "test" if final else "validation", "fixed": fixed,
            "options": list(planned[0][0]) if planned else [], "varied": varied(planned), "cells": out_cells, "best": best,
            "runs": sum(len(runs) for _, runs in planned), "failed": failed}


def sweep(grid: dict, seeds=3, dataset: str = "mnist", final: bool = False, jobs: int | None = None,
          client=None, progress: bool | None = None, limit: int | None = None, base: Run | None = None) -> dict:
    """Train every cell of ``grid`` once per seed (cached) and summarize each cell.

    ``grid`` maps options of `OPTIONS` to lists of values; the others are ``base``'s (a
    `Run`, default `Run()`). Runs train in ``jobs`` local processes, or on the cluster of
    a ``distributed.Client`` given as ``client``. ``final=True`` trains on all training
    data and scores on the test set (choosing a cell on it biases the test score);
    ``limit`` keeps the first ``limit`` training examples. A run that fails (a worker with
    other code, a worker lost too often) is listed under ``"failed"``, is not stored, and
    the other runs carry on.
    """
    grid = check_grid(grid)
    seeds = seed_list(seeds)
    for name, value in (("limit", limit), ("jobs", jobs)):
        if value is not None:
            try:
                _positive_int(value)
            except ValueError as error:
                raise ValueError(f"{name} {error}, got {value!r}") from None
    if client is None:  # a cluster's workers read their own data folders
        check_dataset(dataset)
    elif dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {dataset!r}")
    planned = plan(grid, seeds, dataset, final, limit, base)
    runs = [run for _, cell_runs in planned for run in cell_runs]
    if base is not None and base.form == "scalar" and any(run.batch_size != 1 for run in runs):
        raise ValueError("the scalar form trains one example at a time: batch_size must be 1")
    with Trainer(jobs, progress, client=client) as trainer:
        return summarize(planned, trainer.settle(runs), dataset, final)



def connect(address: str):
    """A ``distributed.Client`` of the Dask scheduler at ``address`` (needs the ``cluster`` extra)."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError("running a sweep on a Dask cluster needs the distributed package: "
                          "pip install 'mlp[cluster]'") from None
    return Client(address)


def _cell_text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def table_rows(result: dict) -> list[dict]:
    """One flat row per cell: its setting, then accuracy, final loss and time (means), best marked."""
    rows = []
    for i, cell in enumerate(result["cells"]):
        row = dict(cell["setting"])
        row["runs"] = cell["n"]
        for name in ("accuracy", "final_loss", "train_seconds"):
            s = cell[name] or {}
            row[name] = s.get("mean", math.nan)
            if name == "accuracy":
                row["ci_low"], row["ci_high"] = s.get("ci_low", math.nan), s.get("ci_high", math.nan)
        row["best"] = i == result["best"]
        rows.append(row)
    return rows


def format_table(result: dict) -> str:
    """The sweep as a plain-text table: accuracy mean ± 95% interval per cell, the best marked."""
    options = result["varied"]
    fixed = {o: result["cells"][0]["setting"][o] for o in result["options"] if o not in options}
    header = [*options, "runs", f"{result['held_out']} accuracy (95% interval)", "final train loss",
              "train time", ""]
    lines = []
    for row in table_rows(result):
        half = (row["ci_high"] - row["ci_low"]) / 2
        accuracy = (f"{100 * row['accuracy']:.2f}%" + ("" if math.isnan(half) else f" ± {100 * half:.2f}")
                    if not math.isnan(row["accuracy"]) else "failed")
        lines.append([*(_cell_text(row[o]) for o in options), str(row["runs"]), accuracy,
                      f"{row['final_loss']:.4f}", f"{row['train_seconds']:.1f} s", "best" if row["best"] else ""])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    text = "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [header, *lines])
    return (f"all cells: {', '.join(f'{o}={_cell_text(v)}' for o, v in fixed.items())}\n" if fixed else "") + text


def write(result: dict, folder) -> list:
    """The sweep as ``sweep.json`` (all of it) and ``sweep.csv`` (a row per cell) in ``folder``."""
    import csv
    import json
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "sweep.json", folder / "sweep.csv"]
    paths[0].write_text(json.dumps(result, indent=1) + "\n")
    rows = table_rows(result)
    with open(paths[1], "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    return paths



def command(grid: dict, seeds: int, dataset: str, base: Run | None = None) -> list[str]:
    """The ``mlp sweep`` arguments that train the same runs as ``sweep(grid, seeds, dataset, base=base)``."""
    base, default = base or Run(), Run()
    args = ["sweep", "--dataset", dataset]
    for option in OPTIONS:
        values = grid.get(option, [getattr(base, option)] if getattr(base, option) != getattr(default, option) else [])
        if values:
            args += [f"--{option.replace('_', '-')}", ",".join(_cell_text(v) for v in values)]
    if base.limit:
        args += ["--limit", str(base.limit)]
    return args + ["--seeds", str(seeds)]


# The site's sweep: learning rate x initialization on the synthetic set, seconds in all.
SITE_BASE = Run(dataset="synth", n_hid=8, batch_size=100, epochs=8, reduction="mean", limit=6_000)
SITE_GRID = {"lr": [0.1, 1.0, 10.0], "init": ["lecun", 1.0, 10.0]}
SITE_SEEDS = 5


def site_runs(profile: str) -> list[Run]:
    """The runs of the site's sweep (the same in every profile: it is small already)."""
    return [run for _, runs in plan(SITE_GRID, SITE_SEEDS, "synth", limit=SITE_BASE.limit, base=SITE_BASE)
            for run in runs]


def site_sweep(profile: str, results, fetch=None) -> dict:
    """The site's sweep, summarized as `sweep` summarizes any sweep."""
    planned = plan(SITE_GRID, SITE_SEEDS, "synth", limit=SITE_BASE.limit, base=SITE_BASE)
    return summarize(planned, results, "synth", final=False)
