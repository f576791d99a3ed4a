"""Timing the epochs of `mlp.bench.epochs` side by side, in one process, on the same data.

Each implementation trains the same network on the same data; rounds are interleaved
(A B C A B C ...; `mlp.stopwatch.interleaved`) so that a drift in the machine's speed hits
all alike, and the median over rounds is reported, as a ratio to the best bound of the
same round (the faster of the two libraries' bounds).
"""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from mlp import fast, train
from mlp.bench.epochs import BOUNDS, EPOCHS, LR, step_epoch
from mlp.params import init_params
from mlp.stopwatch import interleaved

SIZES = (784, 300, 10)
EXAMPLES = 60_000  # seconds are reported per epoch of this many examples
PAUSE = 0.3  # seconds between timed epochs with several threads (OpenBLAS's threads spin about 0.1 s)


def available(name: str) -> bool:
    """Whether the library an implementation needs is installed (PyTorch and scikit-learn are optional)."""
    module = {"pytorch": "torch", "scikit-learn": "sklearn"}.get(name)
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def measure(x, labels, batch_size: int, dtype, threads: int, rounds: int = 5, names=tuple(EPOCHS)) -> dict:
    """Seconds per epoch of each implementation (median, min, max over the counted rounds), and
    the median of its ratio to the best bound of each round."""
    from threadpoolctl import threadpool_limits

    x = np.ascontiguousarray(x, dtype=dtype)
    params = init_params(x.shape[1], SIZES[1], SIZES[2], rng=0, scale="lecun", dtype=dtype)
    # scikit-learn computes in float64 only, and at batch size 1 its per-batch Python overhead
    # makes an epoch take minutes: it is timed where it is a fair comparison.
    names = [n for n in names if available(n)
             and not (n == "scikit-learn" and (dtype != np.float64 or batch_size < 100))]
    with threadpool_limits(threads):
        if "pytorch" in names:
            import torch

            torch.set_num_threads(threads)
        # With several threads, each library's idle threads spin a while after its last call:
        # a pause lets them stop, so that one implementation's threads do not slow the next's.
        seconds = interleaved({n: EPOCHS[n](x, labels, batch_size, params) for n in names}, rounds,
                              pause=PAUSE if threads > 1 else 0.0)
    scale = EXAMPLES / len(x)
    best = np.min([seconds[n] for n in BOUNDS if n in seconds], axis=0) if set(BOUNDS) & set(seconds) else np.nan
    return {n: {"median_seconds": float(np.median(s) * scale), "min_seconds": float(s.min() * scale),
                "max_seconds": float(s.max() * scale), "median_ratio_to_bound": float(np.median(s / best))}
            for n, s in seconds.items()}


def saturated(x, labels, batch_size: int = 100, rounds: int = 5, examples: int = 20_000) -> dict:
    """Median seconds per epoch of the bare step in float64 and float32 with the report's N(0, 1)
    weights, where many units saturate and float32's gradients fall towards its subnormal
    numbers (`mlp.kernels.flush_subnormals`); one BLAS thread, interleaved rounds."""
    from threadpoolctl import threadpool_limits

    n = min(len(x), examples)
    epochs = {dtype: step_epoch(np.ascontiguousarray(x[:n], dtype), labels[:n], batch_size,
                                init_params(x.shape[1], SIZES[1], SIZES[2], rng=0, scale=1.0, dtype=np.dtype(dtype)))
              for dtype in ("float64", "float32")}
    with threadpool_limits(1), np.errstate(over="ignore", under="ignore"):
        seconds = interleaved(epochs, rounds)
    return {"batch_size": batch_size, "examples": n, "init": 1.0,
            "median_seconds": {dtype: float(np.median(s) * EXAMPLES / n) for dtype, s in seconds.items()}}


def scalar_rates(rounds: int = 5, examples: int = 20_000) -> dict:
    """Examples per second of the scalar SGD steps on the report's 2-3-2 network and synthetic data:
    the plain step (`mlp.train.scalar_step`) and the fused one that trains (`mlp.fast.scalar_step`)."""
    from mlp.data import load_synth

    (x, labels), _, _ = load_synth(num_train=examples, num_val=1)
    x, labels = x.tolist(), labels.tolist()
    params = init_params(2, 3, 2, rng=0).tolist()

    def epoch(step):
        def run():
            for xi, li in zip(x, labels):
                step(xi, li, params, LR)
        return run

    seconds = interleaved({"plain": epoch(train.scalar_step), "step": epoch(fast.scalar_step)}, rounds)
    return {"network": [2, 3, 2], "examples": examples,
            "examples_per_second": {name: float(examples / np.median(s)) for name, s in seconds.items()}}


def thread_counts() -> tuple[int, ...]:
    """1, 2, 4, 8, ... up to the cores this process may use, and all of them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return tuple(sorted({2 ** i for i in range(cores.bit_length()) if 2 ** i <= cores} | {cores}))


def run(batch_sizes=(500, 100, 1), dtypes=("float64", "float32"), threads=None, rounds: int = 5,
        examples: dict | None = None, data=None, scalar_examples: int = 20_000) -> dict:
    """The whole benchmark: every batch size, dtype and thread count (`thread_counts` by
    default); plain data, JSON-ready, with the arguments it ran with.

    ``examples`` limits the examples per epoch for a batch size (batch size 1 takes a
    minute an epoch): times are scaled to 60,000 examples. ``data`` is ``(x, labels)``,
    MNIST's training set by default. ``scalar_examples``: per round of `scalar_rates`.
    """
    import scipy
    from threadpoolctl import threadpool_info

    if data is None:
        from mlp.data import load_mnist

        (x, labels), _, _ = load_mnist(final=True)
    else:
        x, labels = data
    threads = tuple(threads or thread_counts())
    examples = {1: 6_000} if examples is None else examples
    results = []
    for batch_size in batch_sizes:
        n = min(len(x), examples.get(batch_size, len(x)))
        for dtype in dtypes:
            for t in threads:
                results.append({"batch_size": batch_size, "dtype": dtype, "threads": t, "examples": n,
                                "implementations": measure(x[:n], labels[:n], batch_size, np.dtype(dtype), t, rounds)})
    blas = [{**{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")},
             "library": "/".join(Path(info["filepath"]).parts[-2:])}
            for info in threadpool_info() if info["user_api"] == "blas"]
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run": {"batch_sizes": list(batch_sizes), "dtypes": list(dtypes), "threads": list(threads),
                    "rounds": rounds, "examples": {str(b): n for b, n in examples.items()}},
            "machine": {"platform": platform.platform(), "processor": processor(), "cores": thread_counts()[-1],
                        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                        "blas": blas},
            "network": list(SIZES), "rounds": rounds, "results": results,
            "scalar": scalar_rates(rounds, scalar_examples), "saturated": saturated(x, labels, rounds=rounds)}


def processor() -> str:
    """The processor's model name (``/proc/cpuinfo``), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def write(report: dict, path) -> None:
    with open(path, "w") as out:
        json.dump(report, out, indent=1)
