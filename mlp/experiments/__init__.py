"""Every experiment of the report, named, seeded and re-runnable, returning plain data.

``run(["scalar_sgd"], "quick")`` gives ``{"scalar_sgd": {...}}``. Each experiment plans
its training runs; all planned runs are trained together (`mlp.experiments.trainer`:
a process per core, the longest run first), through the results cache, runs chosen from earlier results joining the queue as soon as
those are in, and each experiment then summarizes its own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable, NamedTuple

from mlp import cache
from mlp.checks import check_count, check_list
from mlp.experiments import activations, init_scales, mnist, mnist_inside, sweeps, synthetic, synthetic_inside, table
from mlp.experiments.profiles import PROFILES, check
from mlp.experiments.runs import Run
from mlp.experiments.trainer import Trainer
from mlp.experiments.sweeps import sweep


class Figure(NamedTuple):
    """A figure of the experiments: drawn by the `mlp.plots` function named ``draw`` from the results
    of ``needs`` (default: the experiment's own), saved as ``file``. Named, not imported: the
    experiments do not import matplotlib."""
    file: str
    draw: str
    needs: tuple = ()


class Experiment(NamedTuple):
    title: str
    plan: Callable  # profile -> the runs it needs
    summarize: Callable  # (profile, results of plan, fetch) -> plain data
    followup: Callable | None = None  # (profile, fetch) -> runs chosen from earlier results
    rows: Callable = lambda result: []  # its result -> the summary table's (quantity, ours, report) rows
    figures: tuple = ()  # its `Figure` s


def _none(profile):
    return []


EXPERIMENTS = {
    "dry_run": Experiment("Table 1: dry run", _none, synthetic.dry_run, rows=table.dry_run_rows),
    "synthetic_data": Experiment("Figure 2: synthetic data", _none, synthetic.synthetic_data,
                                 rows=table.synthetic_data_rows,
                                 figures=(Figure("figure2_synthetic_data", "synthetic_data"),)),
    "scalar_sgd": Experiment("Figure 3: scalar SGD on synthetic data", synthetic.scalar_sgd_runs,
                             synthetic.scalar_sgd, rows=table.scalar_sgd_rows,
                             figures=(Figure("figure3_scalar_sgd", "scalar_sgd"),
                                      Figure("synthetic_boundaries", "synthetic_boundaries",
                                             ("synthetic_data", "scalar_sgd")))),
    "synthetic_snapshots": Experiment("Inside: the scalar SGD run's parameters at chosen epochs", _none,
                                      synthetic_inside.synthetic_snapshots, rows=table.snapshot_rows),
    "mnist_sgd": Experiment("Figure 4: SGD on MNIST", mnist.mnist_sgd_runs, mnist.mnist_sgd,
                            rows=table.one_run_rows, figures=(Figure("figure4_mnist_sgd", "run_curves"),)),
    "mnist_minibatch": Experiment("Figure 5: mini-batch on MNIST", mnist.mnist_minibatch_runs,
                                  mnist.mnist_minibatch, rows=table.one_run_rows,
                                  figures=(Figure("figure5_mnist_minibatch", "run_curves"),)),
    "learning_rates": Experiment("Figure 6: learning rates", mnist.learning_rates_runs, mnist.learning_rates,
                                 rows=partial(table.sweep_rows, field="lr"),
                                 figures=(Figure("figure6_learning_rates", "learning_rates"),)),
    "float_types": Experiment("float32 against float64, seed by seed", mnist.float_types_runs, mnist.float_types,
                              rows=table.float_types_rows),
    "batch_sizes": Experiment("Figure 7: batch sizes", mnist.batch_sizes_runs, mnist.batch_sizes,
                              rows=partial(table.sweep_rows, field="batch size"),
                              figures=(Figure("figure7_batch_sizes", "batch_sizes"),)),
    "final_model": Experiment("Final model: report's and tuned recipe", mnist.final_model_runs,
                              mnist.final_model, mnist.chosen_runs, rows=table.final_model_rows,
                              figures=(Figure("final_accuracies", "final_accuracies", ("final_model", "fashion")),)),
    "fashion": Experiment("Fashion-MNIST", mnist.fashion_runs, mnist.fashion,
                          partial(mnist.chosen_runs, dataset="fashion-mnist"), rows=table.fashion_rows),
    "init_scales": Experiment("The report's recipe from five initial weight scales", init_scales.init_sweep_runs,
                              init_scales.init_sweep, rows=table.init_scales_rows),
    "standardization": Experiment("Global against per-pixel standardization", init_scales.standardization_runs,
                                  init_scales.standardization, init_scales.standardization_followup,
                                  rows=table.standardization_rows),
    "mnist_inside": Experiment("Inside the MNIST network", mnist_inside.inside_runs, mnist_inside.mnist_inside,
                               mnist_inside.inside_followup, rows=table.mnist_inside_rows),
    "activations": Experiment("Sigmoid against ReLU hidden units, five seeds", activations.activation_runs,
                              activations.activations, rows=table.activations_rows),
    "sweep_example": Experiment("A sweep: learning rate x initialization on synthetic data", sweeps.site_runs,
                                sweeps.site_sweep, rows=table.sweep_example_rows),
}


def run(names=None, profile: str = "full", jobs: int | None = None, progress: bool | None = None,
        on_change=None, trainer_out: list | None = None) -> dict:
    """Run the named experiments (a list; all by default) in ``profile``; return ``{name: result}``.

    ``jobs`` training processes at once (default: `Trainer`'s).

    ``on_change(trainer)`` is told of every finished run and of the moment every run is
    known (`Trainer`); ``trainer_out``, a list, receives the trainer, for its record.
    """
    check(profile)
    names = list(EXPERIMENTS) if names is None else check_list(names, "names") or list(EXPERIMENTS)
    if jobs is not None:
        check_count(jobs, "jobs")
    unknown = [name for name in names if name not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment(s) {', '.join(unknown)}; choose from {', '.join(EXPERIMENTS)}")
    chosen = [EXPERIMENTS[name] for name in names]
    if any(e.plan(profile) or e.followup for e in chosen):  # results to store
        cache.usable_results_dir()
    with Trainer(jobs, progress, on_change=on_change) as trainer, ThreadPoolExecutor(1) as beside:
        if trainer_out is not None:
            trainer_out.append(trainer)
        trainer.start([r for e in chosen for r in e.plan(profile)])  # every run of every experiment
        # The experiments that plan no runs are summarized at once, beside the training: the
        # snapshots train a run of their own, which would otherwise start after the runs the
        # summaries before it wait for, and lengthen the critical path by its whole time.
        alone = {name: beside.submit(e.summarize, profile, [], trainer.fetch)
                 for name, e in zip(names, chosen) if not e.plan(profile) and not e.followup}
        if on_change:
            on_change(trainer)
        trainer.start([r for e in chosen if e.followup for r in e.followup(profile, trainer.fetch)])
        trainer.complete = True
        if on_change:
            on_change(trainer)
        return {name: alone[name].result() if name in alone else
                e.summarize(profile, trainer.fetch(e.plan(profile)), trainer.fetch)
                for name, e in zip(names, chosen)}
