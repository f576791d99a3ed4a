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

from mlp import cache, data, recipes
from mlp.checks import check_choice, check_count, check_positive
from mlp.params import check_init
from mlp.experiments.loading import LOADERS
from mlp.experiments.runs import Run
from mlp.experiments.trainer import Trainer
from mlp.experiments.stats import band, summary


# The fields of a `Run` a grid may vary, each with the check of one value (`mlp.checks`).
OPTIONS = {
    "lr": check_positive,
    "batch_size": check_count,
    "n_hid": check_count,
    "init": check_init,
    "epochs": check_count,
    "reduction": lambda value, name: check_choice(value, name, ("sum", "mean")),
    "lr_decay": check_positive,
    "dtype": lambda value, name: check_choice(value, name, ("float64", "float32")),
}


def check_grid(grid: dict) -> dict:
    """``grid`` as ``{option: [values]}``, each value checked; the first fault raises an error naming it."""
    if not isinstance(grid, dict):
        raise TypeError(f"grid must be a dict of option -> list of values, got {type(grid).__name__}")
    checked = {}
    for option, values in grid.items():
        if option not in OPTIONS:
            raise ValueError(f"unknown sweep option {option!r}; choose from {', '.join(OPTIONS)}")
        values = [values] if isinstance(values, (str, numbers.Number)) else list(values)
        if not values:
            raise ValueError(f"sweep option {option!r} has no values")
        out = [OPTIONS[option](value, f"sweep option {option!r}") for value in values]
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
    """``seeds`` as a list: a count ``n`` gives ``0 .. n-1``; a list of non-negative integers is kept."""
    if not isinstance(seeds, (list, tuple, range)):
        return list(range(check_count(seeds, "seeds")))
    if not seeds:
        raise ValueError("seeds must be a positive count or a non-empty list of seeds, got an empty list")
    return [check_count(seed, "each of seeds", minimum=0) for seed in seeds]


def default_base() -> Run:
    """The run a sweep varies when no ``base`` is given: `mlp.recipes.DEFAULT`, as ``mlp train`` trains."""
    return Run(**recipes.DEFAULT)


def cells(grid: dict) -> list[dict]:
    """Every combination of the grid's values, the last option varying fastest."""
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def plan(grid: dict, seeds=3, dataset: str = "mnist", final: bool = False, limit: int | None = None,
         base: Run | None = None) -> list[tuple[dict, list[Run]]]:
    """The runs of every cell: ``[(setting, [one Run per seed]), ...]``. Checks nothing (see `sweep`).

    The runs are ``base`` (default `default_base`) on ``dataset``, cut to ``limit`` if given, with
    each cell's setting and seed; they record no per-update losses and keep no parameters.
    """
    base = (base or default_base()).replace(dataset=dataset, final=final, record_steps=False, keep_params=False)
    if limit is not None:
        base = base.replace(limit=limit)
    return [(setting, [base.replace(**setting, seed=seed) for seed in seed_list(seeds)]) for setting in cells(grid)]


def within_0_1(accuracy: dict) -> dict:
    """An accuracy's summary with its interval cut to [0, 1], where an accuracy lies; ``"cut"``
    says whether it was (with few seeds the t interval reaches past both ends)."""
    low, high = max(accuracy["ci_low"], 0.0), min(accuracy["ci_high"], 1.0)
    return {**accuracy, "ci_low": low, "ci_high": high,
            "cut": bool(low != accuracy["ci_low"] or high != accuracy["ci_high"])}


FEW_SEEDS = 3  # fewer seeds than this give an interval too wide to tell cells apart (t = 12.7 at 2)


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
            cell["accuracy"] = within_0_1(summary([r["held_out_accuracy"] for r in done]))
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
    `Run`, default `default_base`). Runs train in ``jobs`` local processes, or on the cluster of
    a ``distributed.Client`` given as ``client``. ``final=True`` trains on all training
    data and scores on the test set (choosing a cell on it biases the test score);
    ``limit`` keeps the first ``limit`` training examples and the first ``limit // 5``
    held-out ones (`Run.limit`). Each cell's accuracy interval is cut to [0, 1] (`within_0_1`). A run that fails (a worker with
    other code, a worker lost too often) is listed under ``"failed"``, is not stored, and
    the other runs carry on.
    """
    grid = check_grid(grid)
    seeds = seed_list(seeds)
    for name, value in (("limit", limit), ("jobs", jobs)):
        if value is not None:
            check_count(value, name)
    if client is None:  # a cluster's workers read their own data folders
        check_dataset(dataset)
    elif dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {dataset!r}")
    cache.usable_results_dir()  # the caller stores every result, local or from a cluster
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
    """The sweep as a plain-text table: accuracy mean and 95% interval per cell, the best marked;
    a last line says when a cell has too few seeds (`FEW_SEEDS`) for its interval to mean much."""
    options = result["varied"]
    fixed = {o: result["cells"][0]["setting"][o] for o in result["options"] if o not in options}
    header = [*options, "runs", f"{result['held_out']} accuracy (95% interval)", "final train loss",
              "train time", ""]
    lines = []
    for row in table_rows(result):
        interval = "" if math.isnan(row["ci_low"]) else f" ({100 * row['ci_low']:.2f} to {100 * row['ci_high']:.2f})"
        accuracy = f"{100 * row['accuracy']:.2f}%{interval}" if not math.isnan(row["accuracy"]) else "failed"
        lines.append([*(_cell_text(row[o]) for o in options), str(row["runs"]), accuracy,
                      f"{row['final_loss']:.4f}", f"{row['train_seconds']:.1f} s", "best" if row["best"] else ""])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    text = "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [header, *lines])
    few = min((cell["n"] for cell in result["cells"] if cell["n"]), default=FEW_SEEDS)
    if few < FEW_SEEDS:
        text += (f"\n{few} seed(s) in a cell: " + ("no interval" if few == 1 else "its interval is too wide to compare cells")
                 + f"; use {FEW_SEEDS + 2} seeds or more")
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
    base, default = base or default_base(), default_base()
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
