"""The ``mlp`` command: ``python -m mlp SUBCOMMAND``."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from mlp import checks, gradcheck, report, scalar, vectorized
from mlp.params import INIT_NAMES, Params, init_params


def dry_run(args) -> int:
    """Print the report's Table 1 dry run beside the derivatives both forms compute."""
    _, g_s = scalar.gradients(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)
    _, g_v = vectorized.gradients([report.DRY_RUN_X], [report.DRY_RUN_LABEL], report.DRY_RUN_PARAMS)
    print("Table 1 dry run: x = [1, -1], class 0")
    print(f"{'':4}{'report (4.1)':>30}{'scalar':>30}{'vectorized':>30}")
    for name, reported, s, v in zip(Params._fields, report.DRY_RUN_GRADS, g_s, g_v):
        rows = zip(np.atleast_2d(reported), np.atleast_2d(s), np.atleast_2d(v))
        for i, (r_row, s_row, v_row) in enumerate(rows):
            cells = [np.array2string(np.asarray(row), precision=4, floatmode="fixed", suppress_small=True)
                     for row in (r_row, s_row, v_row)]
            print(f"{'d' + name if i == 0 else '':4}" + "".join(f"{cell:>30}" for cell in cells))
    agree = report.dry_run_agrees(g_s) and all(np.allclose(s, v, rtol=1e-12) for s, v in zip(g_s, g_v))
    print("agree with the report to 4 decimals:", "yes" if agree else "NO")
    return 0 if agree else 1


def check(args) -> int:
    """Check both forms' gradients against central finite differences."""
    rng = np.random.default_rng(args.seed)
    n_in, n_hid, n_out = args.sizes
    params = init_params(n_in, n_hid, n_out, rng, scale="lecun")
    x, labels = rng.normal(size=(args.batch, n_in)), rng.integers(0, n_out, size=args.batch)
    results = {
        f"vectorized (batch of {args.batch})": gradcheck.check_vectorized(x, labels, params, entries=args.entries, rng=rng),
        "scalar (one example)": gradcheck.check_scalar(x[0], int(labels[0]), params, entries=args.entries, rng=rng),
    }
    print(f"gradient check, network {n_in}-{n_hid}-{n_out}, float64, "
          f"{args.entries or 'all'} entries per parameter, relative error:")
    print(f"{'':28}" + "".join(f"{'d' + name:>10}" for name in Params._fields))
    for label, result in results.items():
        print(f"{label:28}" + "".join(f"{result.errors[name]:10.1e}" for name in Params._fields))
    ok = all(result.max_error < args.tolerance for result in results.values())
    print(f"all below {args.tolerance:g}:", "yes" if ok else "NO")
    return 0 if ok else 1


def run_experiments(args) -> int:
    """Run experiments, print the summary table, and optionally draw their figures."""
    from mlp import experiments
    from mlp.experiments.table import format_rows, rows

    started, trainers = time.perf_counter(), []
    results = experiments.run(args.names, args.profile, jobs=args.jobs, progress=False if args.quiet else None,
                              trainer_out=trainers)
    if args.record:
        from mlp.experiments import timings

        timings.write(args.record, timings.record(args.names, args.profile, trainers[0],
                                                  time.perf_counter() - started))
    print(format_rows(rows(results)))
    if args.figures:
        from mlp.plots import draw_all

        for path in draw_all(results, args.figures):
            print("wrote", path)
    return 0


def train_one(args) -> int:
    """Train one network and report its accuracy per epoch."""
    from mlp.experiments.runs import Run, execute

    run = Run(dataset=args.dataset, final=args.final, n_hid=args.hidden, lr=args.lr, batch_size=args.batch_size,
              epochs=args.epochs, seed=args.seed, reduction=args.reduction, init=args.init,
              lr_decay=args.lr_decay, form=args.form, dtype=args.dtype, record_steps=False)
    result = execute(run, progress=False if args.quiet else None)
    history = result["history"]
    print(f"{'epoch':>5} {'train loss':>11} {'train acc':>10} {'val loss':>9} {'val acc':>8} {'seconds':>8}")
    for epoch, values in enumerate(zip(history["train_loss"], history["train_accuracy"], history["val_loss"],
                                       history["val_accuracy"], history["seconds"])):
        train_loss, train_acc, val_loss, val_acc, seconds = values
        print(f"{epoch:5d} {train_loss:11.4f} {100 * train_acc:9.2f}% {val_loss:9.4f} {100 * val_acc:7.2f}% {seconds:8.1f}")
    print(f"{result['held_out']} accuracy: {100 * result['held_out_accuracy']:.2f}% "
          f"(loss {result['held_out_loss']:.4f}), training time {result['train_seconds']:.1f} s")
    return 0


def bench(args) -> int:
    """Time training epochs against the GEMM bound (and PyTorch, scikit-learn if installed)."""
    from mlp import bench as benchmark

    threads = [t for group in args.threads for t in group] if args.threads else None
    report = benchmark.run(batch_sizes=args.batch_sizes, dtypes=args.dtypes, threads=threads,
                           rounds=args.rounds, examples={1: args.sgd_examples})
    print(benchmark.table(report))
    print("best bound: the five products alone, through SciPy's BLAS (as the step) or NumPy's, whichever was\n"
          "faster; median seconds per epoch of 60,000 examples; the others: median epoch time as a multiple of\n"
          "it. train: mlp.train.train, evaluation excluded; step: mlp.vectorized.step alone. Where NumPy's\n"
          "products are faster by more than the spread between runs, the step's SciPy calls are not this\n"
          "processor's best choice.")
    if args.json:
        benchmark.write(report, args.json)
        print("wrote", args.json)
    return 0


def run_sweep(args) -> int:
    """Train every cell of a grid times seeds (cached), print a table per cell, write JSON, CSV and figures."""
    from mlp.experiments import sweeps

    grid = {}
    for option, kind in (("lr", float), ("batch_size", int), ("n_hid", int), ("init", "init"),
                         ("epochs", int), ("reduction", str), ("lr_decay", float)):
        text = getattr(args, option)
        if text is not None:
            grid[option] = [_sweep_value(option, part.strip(), kind) for part in text.split(",") if part.strip()]
    client = sweeps.connect(args.scheduler) if args.scheduler else None
    try:
        result = sweeps.sweep(grid, seeds=args.seeds, dataset=args.dataset, final=args.final, jobs=args.jobs,
                              client=client, progress=False if args.quiet else None, limit=args.limit)
    finally:
        if client is not None:
            client.close()
    print(f"{result['dataset']}, {result['runs']} runs ({len(result['cells'])} cell(s) x seeds "
          f"{', '.join(map(str, range(args.seeds)))}); {result['held_out']} accuracy")
    print(sweeps.format_table(result))
    for failure in result["failed"]:
        print(f"failed: {failure['setting']} seed {failure['seed']}: {failure['error']}", file=sys.stderr)
    if args.out:
        paths = sweeps.write(result, args.out)
        try:
            from mlp.plots import draw_sweep
        except ImportError:
            print("matplotlib is not installed: no figures (pip install 'mlp[plots]')", file=sys.stderr)
        else:
            paths += draw_sweep(result, args.out)
        for path in paths:
            print("wrote", path)
    return 1 if result["failed"] else 0


def _sweep_value(option: str, text: str, kind):
    """One value of a comma-separated sweep list, as the type its option takes."""
    if kind == "init" and text in INIT_NAMES:
        return text
    try:
        return text if kind is str else (int if kind is int else float)(text)
    except ValueError:
        raise ValueError(f"sweep option {option!r}: {text!r} is not {'an integer' if kind is int else 'a number'}") from None


def add_sweep_parser(sub) -> None:
    """The ``sweep`` subcommand."""
    p = sub.add_parser("sweep", help="train a grid of settings times seeds (cached) and compare them",
                       description="Train every combination of the comma-separated values, once per seed, "
                       "through the results cache (a rerun trains nothing, a widened grid only its new cells), "
                       "locally or on a Dask cluster, and print each cell's held-out accuracy with its 95% "
                       "interval. Options not given keep the train command's defaults.")
    p.add_argument("--lr", metavar="LIST", help="learning rates, e.g. 0.01,0.1,0.3")
    p.add_argument("--batch-size", dest="batch_size", metavar="LIST", help="examples per update, e.g. 32,100")
    p.add_argument("--init", metavar="LIST", help="weight init: standard deviations or one of lecun, glorot, uniform, e.g. lecun,1")
    p.add_argument("--n-hid", dest="n_hid", metavar="LIST", help="hidden units, e.g. 100,300")
    p.add_argument("--epochs", metavar="LIST", help="passes over the training data, e.g. 10")
    p.add_argument("--reduction", metavar="LIST", help="loss over a batch: sum, mean or sum,mean")
    p.add_argument("--lr-decay", dest="lr_decay", metavar="LIST", help="factor on the learning rate per epoch")
    p.add_argument("--seeds", type=int, default=3, help="seeds per cell, 0 .. N-1 (default: 3)")
    p.add_argument("--dataset", default="mnist", help="mnist, fashion-mnist or synth (default: mnist)")
    p.add_argument("--final", action="store_true",
                   help="train on all training data and score on the test set (default: validation split)")
    p.add_argument("--limit", type=int, help="keep only the first N training examples")
    p.add_argument("--jobs", type=int, help="local training processes (default: 2 or the number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster of this scheduler, e.g. tcp://host:8786 (pip install 'mlp[cluster]')")
    p.add_argument("--out", metavar="DIR", help="write sweep.json, sweep.csv and the figures into DIR")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run_sweep)


def positive_int(text: str) -> int:
    """An argument parsed as an integer and checked by `mlp.checks.check_count`."""
    try:
        return checks.check_count(int(text), "value")
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}") from None


def thread_list(text: str) -> list[int]:
    """Comma-separated positive integers: ``"1,2,4"``."""
    return [positive_int(part) for part in text.split(",") if part]


def positive_float(text: str) -> float:
    """An argument parsed as a number and checked by `mlp.checks.check_positive`."""
    try:
        return checks.check_positive(float(text), "value")
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}") from None


def init_scale(text: str):
    return text if text in INIT_NAMES else positive_float(text)


def parser() -> argparse.ArgumentParser:
    from mlp.experiments import EXPERIMENTS, PROFILES

    top = argparse.ArgumentParser(prog="mlp", description="Backpropagation by hand: a two-layer network, "
                                  "its report's experiments and checks.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("dry-run", help="the report's Table 1 dry run, beside its reported derivatives")
    p.set_defaults(run=dry_run)

    p = sub.add_parser("gradcheck", help="finite-difference check of both forms' gradients")
    p.add_argument("--sizes", type=positive_int, nargs=3, default=[784, 300, 10], metavar=("N_IN", "N_HID", "N_OUT"),
                   help="network sizes (default: 784 300 10, the MNIST network)")
    p.add_argument("--batch", type=positive_int, default=4, help="examples in the batch (default: 4)")
    p.add_argument("--entries", type=positive_int, default=30,
                   help="randomly chosen entries of each parameter to differentiate (default: 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--tolerance", type=float, default=1e-6, help="largest relative error that passes (default: 1e-6)")
    p.set_defaults(run=check)

    p = sub.add_parser("experiments", help="run the report's experiments (cached) and print their results",
                       description="Run the named experiments (default: all) and print a summary table. "
                       "Results are cached (MLP_RESULTS_DIR, default ~/.cache/mlp/results): a re-run with "
                       "nothing changed trains nothing.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="experiments to run: " + ", ".join(EXPERIMENTS))
    p.add_argument("--profile", choices=PROFILES, default="full",
                   help="full: the report's sizes; quick: the same code on a sliver of data; tiny: a smaller "
                   "sliver, a stand-in for tests (default: full)")
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="training processes at once (default: 2 or the number of cores, if fewer)")
    p.add_argument("--figures", metavar="DIR", help="also draw every figure into DIR (needs matplotlib)")
    p.add_argument("--record", metavar="FILE", help="write where the time went, and a digest of the results "
                   "read, as JSON into FILE")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run_experiments)

    p = sub.add_parser("train", help="train one network and report its accuracy",
                       description="Train the two-layer sigmoid network on one data set by gradient descent.")
    p.add_argument("--dataset", choices=("synth", "mnist", "fashion-mnist"), default="mnist",
                   help="data set (default: mnist)")
    p.add_argument("--final", action="store_true",
                   help="train on all training data and report test accuracy (default: validation split)")
    p.add_argument("--hidden", type=positive_int, default=300, help="hidden units (default: 300)")
    p.add_argument("--lr", type=positive_float, default=1e-3, help="learning rate (default: 1e-3)")
    p.add_argument("--lr-decay", type=positive_float, default=1.0,
                   help="factor applied to the learning rate after each epoch (default: 1)")
    p.add_argument("--batch-size", type=positive_int, default=100, help="examples per update (default: 100)")
    p.add_argument("--epochs", type=positive_int, default=5, help="passes over the training data (default: 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initialization and the shuffling (default: 0)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="float type (default: float64)")
    p.add_argument("--reduction", choices=("sum", "mean"), default="sum",
                   help="loss over a batch: summed, as the report, or mean (default: sum)")
    p.add_argument("--init", type=init_scale, default=1.0,
                   help="weight init: standard deviation of a normal, or lecun, glorot or uniform (default: 1, the report's)")
    p.add_argument("--form", choices=("vectorized", "scalar"), default="vectorized",
                   help="network form; scalar trains one example at a time (default: vectorized)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=train_one)

    p = sub.add_parser("bench", help="time training epochs against the GEMM bound and other libraries",
                       description="Time an epoch of training the 784-300-10 network on MNIST: the five "
                       "products alone through SciPy's and NumPy's BLAS (the bounds), mlp.train.train, the bare fused step, "
                       "the plain step, and PyTorch and scikit-learn when installed; interleaved rounds, medians, ratios "
                       "to the best bound.")
    p.add_argument("--batch-sizes", type=positive_int, nargs="+", default=[500, 100, 1], metavar="B",
                   help="batch sizes (default: 500 100 1)")
    p.add_argument("--dtypes", nargs="+", choices=("float64", "float32"), default=["float64", "float32"],
                   help="float types (default: both)")
    p.add_argument("--threads", type=thread_list, nargs="+", metavar="N",
                   help="BLAS thread counts, e.g. 1 2 4 8 or 1,2,4,8 (default: 1, 2, 4, ... up to the cores "
                   "this process may use, and all of them)")
    p.add_argument("--rounds", type=positive_int, default=5, help="counted rounds after a warm-up (default: 5)")
    p.add_argument("--sgd-examples", type=positive_int, default=6_000, metavar="N",
                   help="examples per epoch at batch size 1, scaled to 60,000 (default: 6000)")
    p.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")
    p.set_defaults(run=bench)

    add_sweep_parser(sub)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted: finished runs are kept in the cache", file=sys.stderr)
        return 130
    except (ValueError, OSError, ImportError) as error:  # OSError: a missing file, an unreachable scheduler
        print(f"mlp {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
