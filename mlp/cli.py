"""The ``mlp`` command: ``python -m mlp SUBCOMMAND``."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from mlp import gradcheck, report, scalar, vectorized
from mlp.params import Params, init_params


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
    agree = all(np.allclose(r, s, atol=5e-5) and np.allclose(s, v, rtol=1e-12)
                for r, s, v in zip(report.DRY_RUN_GRADS, g_s, g_v))
    print("agree with the report to 4 decimals:", "yes" if agree else "NO")
    return 0 if agree else 1


def check(args) -> int:
    """Check both forms' gradients against central finite differences."""
    rng = np.random.default_rng(args.seed)
    n_in, n_hid, n_out = args.sizes
    params = init_params(n_in, n_hid, n_out, rng, scale="xavier")
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


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="mlp", description=__doc__.splitlines()[0].strip('"'))
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
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
