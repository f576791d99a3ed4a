"""The network on a batch of examples, in NumPy (report section 2.2, eq. 2.3 and 2.4).

Rows are examples: ``x`` is (B, n_in), and every intermediate is (B, width). The
target ``t`` is the one-hot form of the integer ``labels``.

`gradients` checks its arguments and is the entry point; `forward` and
`backward` are the bare equations, for arrays already checked (the training loop
checks a data set once, not every step).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp.activations import ACTIVATIONS, sigmoid
from mlp.checks import as_float_array, check_labels, check_reduction
from mlp.kernels import flush_subnormals, gemm
from mlp.params import Params, check_params


class Forward(NamedTuple):
    """The forward pass's intermediates, each (B, width)."""

    k: np.ndarray  # hidden pre-activations, x w + b
    h: np.ndarray  # hidden activations, σ(k) (or another activation's f(k))
    z: np.ndarray  # output logits, h v + c
    y: np.ndarray  # output probabilities, softmax(z)


class Backward(NamedTuple):
    """The backward pass's gradients of the loss, each shaped like its variable."""

    dz: np.ndarray
    dv: np.ndarray
    dc: np.ndarray
    dh: np.ndarray
    dk: np.ndarray
    dw: np.ndarray
    db: np.ndarray

    @property
    def grads(self) -> Params:
        """The parameter gradients as a `mlp.params.Params`."""
        return Params(self.dw, self.db, self.dv, self.dc)


# --8<-- [start:activations]
def softmax(z: np.ndarray) -> np.ndarray:
    """y_m = e^(z_m) / Σ_n e^(z_n) along the last axis, shifted by the row maximum."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(z: np.ndarray, labels: np.ndarray, reduction: str = "sum") -> float:
    """Loss -ln y_label (eq. 2.5) from the logits: log Σ e^(z_n) - z_label (log-sum-exp)."""
    zmax = z.max(axis=1)
    lse = zmax + np.log(np.exp(z - zmax[:, None]).sum(axis=1))
    losses = lse - z[np.arange(len(z)), labels]
    return float(losses.sum() if reduction == "sum" else losses.mean())
# --8<-- [end:activations]


def softmax_cross_entropy(z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """``(y, loss)``: `softmax` of the logits and their summed `cross_entropy`, from one pass of
    exponentials, written over ``z`` (for the training step, whose z is its own)."""
    z -= z.max(axis=1, keepdims=True)  # shifted by the row maximum: y is the same, no e^(z_m) overflows
    minus_z_label = -float(z[np.arange(len(z)), labels].sum())
    y = np.exp(z, out=z)
    total = y.sum(axis=1, keepdims=True)
    loss = float(np.log(total).sum()) + minus_z_label  # Σ -ln y_label = Σ (ln Σ_n e^(z_n) - z_label)
    return np.divide(y, total, out=y), loss


def one_hot(labels: np.ndarray, n_out: int, dtype=np.float64) -> np.ndarray:
    """Targets t: row i is 1 at column labels[i], 0 elsewhere."""
    t = np.zeros((len(labels), n_out), dtype=dtype)
    t[np.arange(len(labels)), labels] = 1.0
    return t


# --8<-- [start:forward]
def forward(x: np.ndarray, params: Params, activation: str = "sigmoid") -> Forward:
    """Eq. 2.3: k = x w + b, h = σ(k), z = h v + c, y = softmax(z).

    ``activation`` names the hidden layer's function in `mlp.activations.ACTIVATIONS`
    (σ, the report's, by default).
    """
    w, b, v, c = params
    k = x @ w + b
    h = ACTIVATIONS[activation].f(k)
    z = h @ v + c
    y = softmax(z)
    return Forward(k, h, z, y)
# --8<-- [end:forward]


# --8<-- [start:backward]
def backward(x: np.ndarray, labels: np.ndarray, params: Params, fwd: Forward,
             reduction: str = "sum", activation: str = "sigmoid") -> Backward:
    """Eq. 2.4: the gradients of the summed (or mean) loss, layer by layer.

    Eq. 2.4 as printed is the gradient of the loss *summed* over the batch; with
    ``reduction="mean"`` every gradient is divided by the batch size.
    """
    k, h, _, y = fwd
    dz = y - one_hot(labels, y.shape[1], y.dtype)  # softmax + cross-entropy: y - t
    if reduction == "mean":
        dz /= len(x)
    dv = h.T @ dz
    dc = dz.sum(axis=0)
    dh = dz @ params.v.T
    dk = dh * ACTIVATIONS[activation].df(k, h)  # σ'(k) = σ(k)(1 - σ(k)) = h(1 - h)
    dw = x.T @ dk
    db = dk.sum(axis=0)
    return Backward(dz, dv, dc, dh, dk, dw, db)
# --8<-- [end:backward]


# --8<-- [start:step]
def step(x: np.ndarray, labels: np.ndarray, params: Params, lr: float, reduction: str = "sum",
         activation: str = "sigmoid") -> float:
    """One gradient-descent update of ``params`` in place: `forward`, `backward` and
    ``p -= lr * g`` fused; returns the batch's loss, before the update.

    The same arithmetic in fewer passes: the learning rate is folded into dz (and so into
    dh and dk), and each weight update is one BLAS call, ``w ← w - xᵀ (η dk)``
    (`mlp.kernels.gemm` with β = 1), so that dw and dv are never stored. The loss and y come
    from one pass of exponentials (`softmax_cross_entropy`). In float32, the h, η dz and η dk
    too small for their products to be normal numbers are set to 0 (`mlp.kernels.flush_subnormals`).
    """
    w, b, v, c = params
    f, df = ACTIVATIONS[activation]
    n, dtype = len(x), w.dtype
    k = gemm(np.empty((n, w.shape[1]), dtype), x, w)
    k += b  # k = x w + b
    h = flush_subnormals(f(k))  # h = σ(k)
    z = gemm(np.empty((n, v.shape[1]), dtype), h, v)
    z += c  # z = h v + c
    dz, loss = softmax_cross_entropy(z, labels)  # y, in z's memory, and the summed loss
    dz[np.arange(n), labels] -= 1.0  # dz = y - t
    if reduction == "mean":
        loss /= n
    dz *= lr / n if reduction == "mean" else lr  # η dz
    flush_subnormals(dz)
    dh = gemm(np.empty_like(h), dz, v.T)  # η dh = η dz vᵀ, before v moves
    gemm(v, h.T, dz, alpha=-1.0, beta=1.0)  # v -= hᵀ η dz
    c -= dz.sum(axis=0)  # c -= Σ η dz
    dk = df(k, h, out=k)  # σ'(k) = h (1 - h), into k's memory
    dk *= dh  # η dk = η dh ⊙ σ'(k)
    flush_subnormals(dk)
    gemm(w, x.T, dk, alpha=-1.0, beta=1.0)  # w -= xᵀ η dk
    b -= dk.sum(axis=0)  # b -= Σ η dk
    return loss
# --8<-- [end:step]


def check_inputs(x, params: Params):
    """Checked ``(x, params)``: arrays of one float dtype, as many features as ``w`` has rows."""
    params = check_params(params)
    x = as_float_array(x, "x", 2, params.w.dtype)
    if x.shape[1] != params.w.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features but params.w expects {params.w.shape[0]}")
    return x, params


def check_batch(x, labels, params: Params):
    """Checked ``(x, labels, params)``: `check_inputs`, and one class index per row."""
    x, params = check_inputs(x, params)
    return x, check_labels(labels, len(x), params.c.shape[0]), params


def gradients(x, labels, params: Params, reduction: str = "sum") -> tuple[float, Params]:
    """Loss and parameter gradients for a batch: ``(loss, Params(dw, db, dv, dc))``.

    ``reduction="sum"`` (the default) is the loss and gradients of eq. 2.4, which the
    report's learning rates assume; ``"mean"`` divides both by the batch size.
    """
    check_reduction(reduction)
    x, labels, params = check_batch(x, labels, params)
    if len(x) == 0:
        raise ValueError("x holds no examples: a batch needs at least one")
    fwd = forward(x, params)
    return cross_entropy(fwd.z, labels, reduction), backward(x, labels, params, fwd, reduction).grads


def logits(x: np.ndarray, params: Params, activation: str = "sigmoid") -> np.ndarray:
    """`forward`'s z = σ(x w + b) v + c, with its two products through the training step's BLAS
    (`mlp.kernels.gemm`): evaluation between epochs of `mlp.train.train` runs on the library the
    step runs on, whose threads are already awake, and wakes no other library's."""
    w, b, v, c = params
    k = gemm(np.empty((len(x), w.shape[1]), w.dtype), np.ascontiguousarray(x), w)
    k += b
    h = ACTIVATIONS[activation].f(k, out=k)
    z = gemm(np.empty((len(x), v.shape[1]), w.dtype), h, v)
    z += c
    return z


def predict(x, params: Params) -> np.ndarray:
    """The most probable class of each row of ``x``."""
    x, params = check_inputs(x, params)
    return forward(x, params).z.argmax(axis=1)


def predict_proba(x, params: Params) -> np.ndarray:
    """Each row of ``x``'s class probabilities, the softmax ``y`` of the forward pass: (B, n_out)."""
    x, params = check_inputs(x, params)
    return forward(x, params).y
