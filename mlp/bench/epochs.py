"""The epochs that ``mlp bench`` times: each a function of no arguments running one epoch.

One epoch of the 784-300-10 network is, per batch, five matrix products (eq. 2.3: x w and
h v; eq. 2.4: dz vᵀ, hᵀ dz and xᵀ dk) plus element-wise passes. The *bound* times those
five products alone, at the same shapes, into arrays made once: the epoch with nothing
else in it. It is timed through both BLAS libraries a process here reaches, SciPy's
(`mlp.kernels.gemm`, which the step uses) and NumPy's (``np.matmul``); the faster of the
two in a round is the *best bound*. Its products are the step's, not a floor under them:
timed inside the step they can come out a little under it, within the spread of timings.
"""

from __future__ import annotations

import numpy as np

from mlp import train, vectorized
from mlp.kernels import gemm
from mlp.params import Params

LR = 1e-3
BOUND_SCALE = 1e-10  # the bound's inputs, scaled: h ~ 1e-10, weight updates ~ 1e-20, far above float32's 1e-38


def bound(x: np.ndarray, labels, batch_size: int, params: Params, library: str = "scipy"):
    """An epoch of the five products alone through ``library``'s BLAS: ``"scipy"``, as the
    step computes them (each weight update one `gemm` with β = 1), or ``"numpy"`` (each
    update written out by ``np.matmul``, then subtracted). ``labels`` are not used.

    As in the step, the weight updates are subtracted from the weights the forward products
    read (one copy of the weights, not two). Without an activation in between, values would
    grow out of range; so the products run on the inputs scaled by `BOUND_SCALE`, which keeps
    every value a normal number (their speed is training's) and the weights where they are.
    """
    dtype = params.w.dtype
    w, v = params.w.copy(), params.v.copy()
    x = x * dtype.type(BOUND_SCALE)
    h, dh = np.empty((batch_size, w.shape[1]), dtype), np.empty((batch_size, w.shape[1]), dtype)
    z = np.empty((batch_size, v.shape[1]), dtype)
    if library == "scipy":
        product = gemm

        def update(c, a, b):
            gemm(c, a, b, alpha=-1.0, beta=1.0)
    else:
        scratch = {id(w): np.empty_like(w), id(v): np.empty_like(v)}

        def product(c, a, b):
            np.matmul(a, b, out=c)

        def update(c, a, b):
            np.subtract(c, np.matmul(a, b, out=scratch[id(c)]), out=c)

    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            xb = x[i:i + batch_size]
            product(h, xb, w)
            product(z, h, v)
            product(dh, z, v.T)
            update(v, h.T, z)
            update(w, xb.T, dh)

    return epoch


def numpy_bound(x, labels, batch_size, params):
    """`bound` through NumPy's BLAS."""
    return bound(x, labels, batch_size, params, "numpy")


def train_epoch(x, labels, batch_size, params):
    """An epoch of `mlp.train.train` as a user calls it (shuffling and gathering included);
    returns its training seconds, ``History.seconds``: the evaluations before and after it
    are not counted."""
    def epoch():
        _, history = train.train(params, (x, labels), lr=LR, batch_size=batch_size, epochs=1, reduction="sum",
                                 progress=False)
        return history.seconds[-1]

    return epoch


def step_epoch(x, labels, batch_size, params):
    """An epoch of the bare training step (`mlp.vectorized.step`), over the data in order."""
    return in_order(vectorized.step, x, labels, batch_size, params.map(np.copy))


def plain_epoch(x, labels, batch_size, params):
    """An epoch of the plain step that reads like eq. 2.3/2.4 (`mlp.train.vectorized_step`)."""
    return in_order(lambda xb, lb, p, lr: train.vectorized_step(xb, lb, p, lr, "sum"), x, labels, batch_size,
                    params.map(np.copy))


def in_order(step, x, labels, batch_size, params):
    """An epoch of ``step(x, labels, params, lr)`` over the data in order, in whole batches (as `bound` walks them)."""
    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            step(x[i:i + batch_size], labels[i:i + batch_size], params, LR)

    return epoch


def torch_epoch(x, labels, batch_size, params):
    """An epoch of the same network in PyTorch: pre-made tensors, autograd, plain SGD."""
    import torch

    xt, lt = torch.from_numpy(x), torch.from_numpy(labels)
    w, b, v, c = (torch.tensor(p, requires_grad=True) for p in params)
    optimizer = torch.optim.SGD([w, b, v, c], lr=LR)

    def epoch():
        for i in range(0, len(x) - batch_size + 1, batch_size):
            optimizer.zero_grad()
            z = torch.sigmoid(xt[i:i + batch_size] @ w + b) @ v + c
            torch.nn.functional.cross_entropy(z, lt[i:i + batch_size], reduction="sum").backward()
            optimizer.step()

    return epoch


def sklearn_epoch(x, labels, batch_size, params):
    """An epoch of scikit-learn's MLPClassifier with the same network (sgd, logistic)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(params.w.shape[1],), activation="logistic", solver="sgd",
                          batch_size=batch_size, learning_rate_init=LR, momentum=0.0, max_iter=1,
                          shuffle=False, random_state=0)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, labels)

    return epoch


BOUNDS = {"bound": bound, "numpy bound": numpy_bound}
EPOCHS = {**BOUNDS, "train": train_epoch, "step": step_epoch, "plain": plain_epoch,
          "pytorch": torch_epoch, "scikit-learn": sklearn_epoch}
