"""The data a run trains on: each data set read once per process, cut to the run's size, and the
fixed sample its training curves are measured on."""

from __future__ import annotations

import functools

import numpy as np

from mlp import data

LOADERS = {
    "synth": lambda final, dtype, standardize: data.load_synth(),
    "mnist": lambda final, dtype, standardize: data.load_mnist(final=final, dtype=dtype, standardize=standardize),
    "fashion-mnist": lambda final, dtype, standardize: data.load_fashion_mnist(final=final, dtype=dtype,
                                                                               standardize=standardize),
}
KEPT = 6  # data sets a process keeps loaded (`_loaded`)


def load(run):
    """The ``run``'s ``(train, held_out, n_classes)``, cut to ``run.limit`` if set; read-only arrays."""
    if run.dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {', '.join(LOADERS)}, got {run.dataset!r}")
    train_set, held_out, n_out = _loaded(run.dataset, run.final, np.dtype(run.dtype), run.standardize)
    if run.limit:
        train_set = tuple(a[:run.limit] for a in train_set)
        held_out = tuple(a[:max(run.limit // 5, 1)] for a in held_out)
    return train_set, held_out, n_out


@functools.lru_cache(maxsize=KEPT)
def _loaded(dataset: str, final: bool, dtype: np.dtype, standardize: str):
    """A data set as `LOADERS` gives it, once per process: the runs a worker trains share one
    read-only copy instead of reading and standardizing the files again for each. Six are
    kept, more than the five the experiments read (MNIST's training split in float32 and in
    float64, all its training images standardized two ways, and Fashion-MNIST's), so runs
    taken longest first do not load one twice."""
    train_set, held_out, n_out = LOADERS[dataset](final, dtype, standardize)
    for array in (*train_set, *held_out):
        array.flags.writeable = False
    return train_set, held_out, n_out


SAMPLE_SEED = 20_000  # the training sample's own stream: the same rows for every run and seed


def sample(x: np.ndarray, labels: np.ndarray, n: int | None):
    """``n`` of the examples drawn at random, the same for every run (`SAMPLE_SEED`), in their
    order, as a contiguous copy: the fixed set a run's training loss and accuracy are measured
    on after every epoch. All of them if ``n`` is ``None`` or not below their number.

    Drawn, not evenly spaced: the images of MNIST's training file alternate between two
    kinds of writers, and a trained network scores points lower on the even-numbered ones
    than on the odd (the MNIST page measures it), so every sixth image, all even, would
    misjudge the whole set.
    """
    if n is None or n >= len(x):
        return x, labels
    rows = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(x), size=n, replace=False))
    return x[rows], labels[rows]
