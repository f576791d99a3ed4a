"""The ``mlp`` command: ``python -m mlp SUBCOMMAND``.

On the command line words join with hyphens (``dry-run``, ``--n-hid``, the experiment
``scalar-sgd``), in Python with underscores (``dry_run``, ``n_hid``, ``"scalar_sgd"``);
either spelling of an experiment's name is taken. Options not given take the values of
`mlp.recipes` (``--recipe``). A bad option is one line and exit status 2; a run that
diverges, one line and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from mlp import checks, gradcheck, jobs, recipes, report, scalar, vectorized
from mlp.params import INIT_NAMES, Params, check_init, init_params


def dry_run(args) -> int:
    """Print the report's Table 1 dry run beside the derivatives both forms compute."""
    _, g_s = scalar.gradients(report.DRY_RUN_X, report.DRY_RUN_LABEL, report.DRY_RUN_PARAMS)
    _, g_v = vectorized.gradients([report.DRY_RUN_X], [report.DRY_RUN_LABEL], report.DRY_RUN_PARAMS)
    print("Table 1 dry run: x = [1, -1], class 0")
    print(f"{'':4}{'report (4.1)':>30}{'scalar':>30}{'vectorized':>30}")
    for name, reported, s, v in zip(Params._fields, report.DRY_RUN_GRADS, g_s, g_v):
        rows = zip(np.atleast_2d(reported), np.atleast_2d(s), np.atleast_2d(v))
        for i, (r_row, s_row, v_row) in enumerate(rows):
            cells = [np.array2string(np.round(row, 4) + 0.0, precision=4, floatmode="fixed")  # + 0.0: no -0.0000
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
    checks_ = {
        f"vectorized (batch of {args.batch})":
            lambda: gradcheck.check_vectorized(x, labels, params, entries=args.entries, rng=rng),
        "scalar (one example)": lambda: gradcheck.check_scalar(x[0], int(labels[0]), params, entries=args.entries, rng=rng),
    }
    print(f"gradient check, network {n_in}-{n_hid}-{n_out}, float64, "
          f"{args.entries} entries per parameter, relative error:")
    print(f"{'':28}" + "".join(f"{'d' + name:>10}" for name in Params._fields), flush=True)
    ok = True
    for label, check_one in checks_.items():  # each row as soon as it is known: the scalar one takes seconds
        print(f"{label:28}", end="", flush=True)
        result = check_one()
        print("".join(f"{result.errors[name]:10.1e}" for name in Params._fields), flush=True)
        ok = ok and result.max_error < args.tolerance
    print(f"all below {args.tolerance:g}:", "yes" if ok else "NO")
    return 0 if ok else 1


def run_experiments(args) -> int:
    """Run experiments, print the summary table, and optionally draw their figures."""
    from mlp import experiments
    from mlp.experiments.table import format_rows, rows

    started, trainers = time.perf_counter(), []
    args.names = [name.replace("-", "_") for name in args.names]
    args.profile = args.profile or experiments.profiles.from_environment()
    results = experiments.run(args.names, args.profile, jobs=args.jobs, progress=False if args.quiet else None,
                              trainer_out=trainers)
    if args.record:
        from mlp.experiments import build_times

        build_times.write(args.record, build_times.record(args.names, args.profile, trainers[0],
                                                  time.perf_counter() - started))
    print(format_rows(rows(results)))
    if args.figures:
        from mlp.plots import draw_all

        for path in draw_all(results, args.figures):
            print("wrote", path)
    return 0


TRAIN_OPTIONS = ("n_hid", "lr", "batch_size", "epochs", "reduction", "init", "lr_decay")  # of `mlp.recipes`


def recipe(args) -> dict:
    """The recipe's settings (`mlp.recipes`), with the options given on the command line in their place."""
    settings = dict(recipes.RECIPES[args.recipe])
    settings.update({name: getattr(args, name) for name in TRAIN_OPTIONS if getattr(args, name, None) is not None})
    if getattr(args, "form", None) == "scalar" and args.batch_size is None:
        settings["batch_size"] = 1  # the scalar form trains one example at a time
    return settings


def train_one(args) -> int:
    """Train one network and report its loss and accuracy per epoch; save it if asked."""
    from mlp.experiments.loading import load
    from mlp.experiments.runs import Run, execute
    from mlp.params import save
    from mlp.train import DivergenceError

    run = Run(dataset=args.dataset, final=args.final, seed=args.seed, form=args.form, dtype=args.dtype,
              limit=args.limit, record_steps=False, keep_params=True, on_divergence=args.on_divergence,
              **recipe(args))
    (x, _), (held_x, _), n_out = load(run)
    held_out = "test" if run.final else "validation"
    print(f"{run.dataset}: training on {len(x):,} examples, {held_out} on {len(held_x):,}; network "
          f"{x.shape[1]}-{run.n_hid}-{n_out}, {run.form}, lr {run.lr:g} ({run.reduction} loss), batch {run.batch_size}, "
          f"{run.epochs} epoch(s), init {run.init}", flush=True)
    try:
        result = execute(run, progress=False if args.quiet else None)
    except DivergenceError as error:
        print(f"mlp train: error: {str(error).split(' Try to ')[0]} Lower --lr"
              + (", or use --reduction mean" if "reduction" in error.hint else "")
              + "; or pass --on-divergence stop to keep the epochs before it.", file=sys.stderr)
        return 1
    history = result["history"]
    columns = ["train_loss", "train_accuracy"] + (["val_loss", "val_accuracy"] if len(history["val_loss"]) else [])
    print(f"{'epoch':>5} {'train loss':>11} {'train acc':>10}"
          + (f" {'val loss':>9} {'val acc':>8}" if len(columns) > 2 else "") + f" {'seconds':>8}")
    for epoch, seconds in enumerate(history["seconds"]):
        loss, accuracy, *val = (history[name][epoch] for name in columns)
        print(f"{epoch:5d} {loss:11.4f} {100 * accuracy:9.2f}%"
              + (f" {val[0]:9.4f} {100 * val[1]:7.2f}%" if val else "") + f" {seconds:8.1f}")
    print(f"{result['held_out']} accuracy: {100 * result['held_out_accuracy']:.2f}% "
          f"(loss {result['held_out_loss']:.4f}), training time {result['train_seconds']:.1f} s")
    if args.save:
        save(args.save, result["params"])
        print("wrote", args.save)
    if result["diverged"]:
        where = result["diverged"]
        print(f"mlp train: training diverged at step {where['step']} of epoch {where['epoch']} (loss {where['loss']:.4g}); "
              "the numbers above are the last epoch before it", file=sys.stderr)
        return 1
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

    from mlp.experiments.runs import Run

    grid = {}
    for option, kind in (("lr", float), ("batch_size", int), ("n_hid", int), ("init", "init"),
                         ("epochs", int), ("reduction", str), ("lr_decay", float)):
        text = getattr(args, option)
        if text is not None:
            grid[option] = [_sweep_value(option, part.strip(), kind) for part in text.split(",")]
    client = sweeps.connect(args.scheduler) if args.scheduler else None
    try:
        result = sweeps.sweep(grid, seeds=args.seeds, dataset=args.dataset, final=args.final, jobs=args.jobs,
                              client=client, progress=False if args.quiet else None, limit=args.limit,
                              base=Run(**recipes.RECIPES[args.recipe]))
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
    flag = f"--{option.replace('_', '-')}"
    if not text:
        raise ValueError(f"{flag}: an empty item in the comma-separated list")
    if kind == "init" and text in INIT_NAMES:
        return text
    try:
        return text if kind is str else (int if kind is int else float)(text)
    except ValueError:
        raise ValueError(f"{flag}: {text!r} is not {'an integer' if kind is int else 'a number'}") from None


def add_sweep_parser(sub) -> None:
    """The ``sweep`` subcommand."""
    p = sub.add_parser("sweep", help="train a grid of settings times seeds (cached) and compare them",
                       description="Train every combination of the comma-separated values, once per seed, "
                       "through the results cache (a rerun trains nothing, a widened grid only its new cells), "
                       "locally or on a Dask cluster, and print each cell's held-out accuracy with its 95% "
                       "interval (cut to 0..100%%). Options not given keep the train command's (--recipe); "
                       "results are stored in MLP_RESULTS_DIR (default ~/.cache/mlp/results).")
    p.add_argument("--lr", metavar="LIST", help="learning rates, e.g. 0.01,0.1,0.3")
    p.add_argument("--batch-size", dest="batch_size", metavar="LIST", help="examples per update, e.g. 32,100")
    p.add_argument("--init", metavar="LIST", help="weight init: standard deviations or one of lecun, glorot, uniform, e.g. lecun,1")
    p.add_argument("--n-hid", dest="n_hid", metavar="LIST", help="hidden units, e.g. 100,300")
    p.add_argument("--epochs", metavar="LIST", help="passes over the training data, e.g. 10")
    p.add_argument("--reduction", metavar="LIST", help="loss over a batch: sum, mean or sum,mean")
    p.add_argument("--lr-decay", dest="lr_decay", metavar="LIST", help="factor on the learning rate per epoch")
    p.add_argument("--seeds", type=positive_int, default=3, help="seeds per cell, 0 .. N-1 (default: 3)")
    p.add_argument("--dataset", choices=("synth", "mnist", "fashion-mnist"), default="mnist",
                   help="data set (default: mnist)")
    p.add_argument("--final", action="store_true",
                   help="train on all training data and score on the test set (default: validation split)")
    p.add_argument("--limit", type=positive_int, metavar="N",
                   help="keep only the first N training examples, and the first N // 5 held-out ones")
    p.add_argument("--recipe", choices=tuple(recipes.RECIPES), default="default",
                   help="the settings of options not given: default, or report, the report's final model "
                   "(default: default)")
    p.add_argument("--jobs", type=positive_int, metavar="N", help=jobs.HELP)
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


def seed(text: str) -> int:
    """An argument parsed as a seed: an integer >= 0."""
    try:
        return checks.check_count(int(text), "value", minimum=0)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}") from None


def init_scale(text: str):
    """An argument parsed as a weight scale: a positive number or one of `INIT_NAMES`."""
    try:
        return check_init(text if text in INIT_NAMES or text == "xavier" else float(text), "value")
    except (TypeError, ValueError) as error:
        reason = str(error).replace("value ", "", 1) if text == "xavier" else (
            f"must be a positive number or one of {', '.join(INIT_NAMES)}, got {text}")
        raise argparse.ArgumentTypeError(reason) from None


def parser() -> argparse.ArgumentParser:
    from mlp.experiments import EXPERIMENTS, PROFILES

    top = argparse.ArgumentParser(prog="mlp", description="Backpropagation by hand: a two-layer network, "
                                  "its report's experiments and checks.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("dry-run", help="the report's Table 1 dry run, beside its reported derivatives",
                       description="Compute the derivatives of the report's dry run (Table 1: the 2-3-2 "
                       "network on x = [1, -1], class 0) in both forms and print them beside the report's; "
                       "exit status 1 if they disagree at 4 decimals.")
    p.set_defaults(run=dry_run)

    p = sub.add_parser("gradcheck", help="finite-difference check of both forms' gradients",
                       description="Check both forms' backward passes against central finite differences "
                       "on a random network and batch: print the largest relative error per parameter, "
                       "exit status 1 if one is not below --tolerance.")
    p.add_argument("--sizes", type=positive_int, nargs=3, default=[784, 300, 10], metavar=("N_IN", "N_HID", "N_OUT"),
                   help="network sizes (default: 784 300 10, the MNIST network)")
    p.add_argument("--batch", type=positive_int, default=4, help="examples in the batch (default: 4)")
    p.add_argument("--entries", type=positive_int, default=30,
                   help="randomly chosen entries of each parameter to differentiate (default: 30)")
    p.add_argument("--seed", type=seed, default=0, help="random seed (default: 0)")
    p.add_argument("--tolerance", type=positive_float, default=1e-6,
                   help="largest relative error that passes (default: 1e-6)")
    p.set_defaults(run=check)

    p = sub.add_parser("experiments", help="run the report's experiments (cached) and print their results",
                       description="Run the named experiments (default: all) and print a summary table. "
                       "Results are cached (MLP_RESULTS_DIR, default ~/.cache/mlp/results): a re-run with "
                       "nothing changed trains nothing.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="experiments to run: " + ", ".join(e.replace("_", "-") for e in EXPERIMENTS))
    p.add_argument("--profile", choices=PROFILES, default=None,
                   help="full: the report's sizes; quick: the same code on a sliver of data; tiny: a smaller "
                   "sliver, a stand-in for tests (default: MLP_PROFILE, else full)")
    p.add_argument("--jobs", type=positive_int, metavar="N", help=jobs.HELP)
    p.add_argument("--figures", metavar="DIR", help="also draw every figure into DIR (needs matplotlib)")
    p.add_argument("--record", metavar="FILE", help="write where the time went, and a digest of the results "
                   "read, as JSON into FILE")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run_experiments)

    def given(name: str) -> str:
        """The values of an option not given, in the two recipes."""
        values = {recipes.DEFAULT[name], recipes.REPORT[name]}
        return (f"default: {recipes.DEFAULT[name]}" if len(values) == 1 else
                f"default: {recipes.DEFAULT[name]}; with --recipe report: {recipes.REPORT[name]}")

    p = sub.add_parser("train", help="train one network and report its accuracy",
                       description="Train the two-layer sigmoid network on one data set by gradient descent, "
                       "showing progress on a terminal, and print the loss and accuracy of every epoch. "
                       "Options not given follow --recipe: default, which learns at any batch size "
                       "(mean loss, LeCun's initial scale), or report, the report's final model (summed "
                       "loss, standard-normal weights). Stores nothing unless --save.")
    p.add_argument("--dataset", choices=("synth", "mnist", "fashion-mnist"), default="mnist",
                   help="data set (default: mnist)")
    p.add_argument("--final", action="store_true",
                   help="train on all training data and report test accuracy (default: validation split)")
    p.add_argument("--recipe", choices=tuple(recipes.RECIPES), default="default",
                   help="the settings of options not given (default: default)")
    p.add_argument("--n-hid", dest="n_hid", type=positive_int, help=f"hidden units ({given('n_hid')})")
    p.add_argument("--lr", type=positive_float, help=f"learning rate ({given('lr')})")
    p.add_argument("--lr-decay", dest="lr_decay", type=positive_float,
                   help=f"factor applied to the learning rate after each epoch ({given('lr_decay')})")
    p.add_argument("--batch-size", dest="batch_size", type=positive_int,
                   help=f"examples per update ({given('batch_size')}; the scalar form: 1)")
    p.add_argument("--epochs", type=positive_int, help=f"passes over the training data ({given('epochs')})")
    p.add_argument("--reduction", choices=("sum", "mean"),
                   help=f"loss over a batch: mean, or summed as the report ({given('reduction')})")
    p.add_argument("--init", type=init_scale,
                   help="weight init: standard deviation of a normal, or lecun, glorot or uniform "
                   f"({given('init')})")
    p.add_argument("--seed", type=seed, default=0, help="seed of the initialization and the shuffling (default: 0)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="float type (default: float64)")
    p.add_argument("--form", choices=("vectorized", "scalar"), default="vectorized",
                   help="network form; scalar trains one example at a time (default: vectorized)")
    p.add_argument("--limit", type=positive_int, metavar="N",
                   help="train on the first N training examples and hold out the first N // 5 (default: all)")
    p.add_argument("--on-divergence", dest="on_divergence", choices=("raise", "stop"), default="raise",
                   help="if the loss diverges: raise, an error; stop, print the epochs before it "
                   "(exit status 1 either way; default: raise)")
    p.add_argument("--save", metavar="FILE", help="write the trained parameters to FILE (.npz; mlp.load reads it)")
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
