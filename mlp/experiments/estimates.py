"""What a run will cost, guessed from its fields before it trains: seconds (`expected_cost`) and
the memory of a worker process that trains it among others (`worker_memory`).

The seconds order the runs, the longest first, and tell how long the runs left will take;
the memory bounds how many workers train at once (`mlp.jobs.workers`).
"""

from __future__ import annotations

import numpy as np

from mlp.data import BLOCK_ROWS
from mlp.experiments.loading import KEPT
from mlp.train import CHUNK  # rows `mlp.train.evaluate` takes at a time

INPUTS = {"synth": 2}  # the inputs per example of each data set; the images have 784
IMAGE_INPUTS = 784
EXAMPLES = 70_000  # training and held-out examples of every data set, in either split
TRAINING = 60_000  # of them, the most a run trains on (the final split's training set)
BASE = 100 * 2**20  # a worker's interpreter, NumPy and the package, with a run's curves


def expected_cost(run) -> float:
    """A rough guess of a run's training time (seconds, on one core), to start the longest first
    and to tell how long the runs left will take.

    Per example, the scalar form costs about 7 µs on the 2-3-2 network. The vectorized form
    on 784-300-10 in float64 costs about 150 µs at batch size 1 and, per batch of ``B``,
    150 µs plus 20 µs per example; every evaluated epoch adds a forward pass of 12 µs per
    example measured (the training sample and the held-out set, a fifth of the training
    set). float32 takes about half as long per example; a smaller network, in proportion
    to its weights, with at least 30 µs a batch.
    """
    examples = run.limit or 60_000
    if run.form == "scalar":
        return run.epochs * examples * 7e-6
    weights = (INPUTS.get(run.dataset, IMAGE_INPUTS) + 10) * run.n_hid / ((IMAGE_INPUTS + 10) * 300)
    single = 0.5 if run.dtype == "float32" else 1.0
    per_example = max(150e-6 * weights, 30e-6) / run.batch_size + 20e-6 * weights * single
    evaluated = run.epochs + 1 if run.record_epochs else 2
    measured = (evaluated if run.record_train else 2) * min(examples, run.train_sample or examples)
    forward = 12e-6 * weights * single
    return run.epochs * examples * per_example + (measured + evaluated * examples // 5) * forward


def _itemsize(run) -> int:
    return 8 if run.dataset == "synth" else np.dtype(run.dtype).itemsize  # the synthetic set is float64


def data_memory(run) -> int:
    """Bytes of the run's data set as a process keeps it loaded (`mlp.experiments.loading`): all its
    examples, whatever the run's ``limit``, with their labels."""
    return EXAMPLES * (INPUTS.get(run.dataset, IMAGE_INPUTS) * _itemsize(run) + 8)


def run_memory(run) -> int:
    """Bytes a run needs beyond the loaded data: loading's working memory (the largest file's bytes
    again while gzip decompresses it, then two float64 blocks of images while they are
    standardized, `mlp.data.BLOCK_ROWS` rows each), the network (parameters, gradients and
    the step's copies), a batch's activations, an evaluated chunk's, and the training sample's copy."""
    n_in, n_out, size = INPUTS.get(run.dataset, IMAGE_INPUTS), 10, _itemsize(run)
    loading = 0 if run.dataset == "synth" else TRAINING * n_in + 2 * BLOCK_ROWS * n_in * 8
    network = 4 * ((n_in + 1) * run.n_hid + (run.n_hid + 1) * n_out) * size
    activations = 3 * (run.batch_size * (n_in + run.n_hid + n_out) + CHUNK * (run.n_hid + n_out)) * size
    sampled = min(run.train_sample or 0, TRAINING) * n_in * size
    listed = (run.limit or TRAINING) * (n_in * 32 + 72) if run.form == "scalar" else 0  # Python floats
    return loading + network + activations + sampled + listed


def worker_memory(runs) -> int:
    """Bytes of a worker process that may train any of ``runs``: its `BASE`, every data set they read
    (up to the `KEPT` largest, which it may hold at once), the raw images behind them, and the
    most any one run needs on top (`run_memory`)."""
    runs = list(runs)
    if not runs:
        return BASE
    sets = {(run.dataset, run.final, run.dtype, run.standardize): data_memory(run) for run in runs}
    raw = EXAMPLES * (IMAGE_INPUTS + 1) * len({run.dataset for run in runs if run.dataset != "synth"})
    return BASE + sum(sorted(sets.values())[-KEPT:]) + raw + max(map(run_memory, runs))
