"""The training steps again, written for speed, each tested equal to its plain twin.

:func:`mlp.train.vectorized_step` and :func:`mlp.train.scalar_step` read like the
report's equations: they compute every gradient, then subtract it. The steps here do the
same arithmetic in fewer passes, and are what training runs:

- :class:`Step` (vectorized) computes into buffers made once per run, and hands each
  weight update to BLAS as one call, ``w ← w - lr xᵀ dk`` (a GEMM computes
  ``C ← αAB + βC``; here ``β = 1``; at batch size 1 it can be a rank-1 GER), so the weight
  gradient is never stored: at batch size 1, writing it out and subtracting it cost more
  than the products themselves.
  Which BLAS computes each product is measured on the machine (`mlp.kernels`), and in
  float32 gradients too small for a normal number are set to 0 (`flush_subnormals`).
- :func:`scalar_step` (plain floats, explicit loops) moves each parameter as soon as its
  gradient is known, instead of building the gradient lists first.

Both are tested equal to the plain steps (``tests/test_fast.py``); read those first.
"""

from __future__ import annotations

import math

import numpy as np

from mlp import kernels
from mlp.kernels import gemm
from mlp.params import Params
from mlp.scalar import sigmoid


def forward_into(x: np.ndarray, params: Params, h: np.ndarray, z: np.ndarray, xw=gemm, hv=gemm) -> None:
    """Eq. 2.3 into the buffers ``h`` and ``z``: h = σ(x w + b), z = h v + c.

    ``xw`` and ``hv`` compute the two products (``f(c, a, b)``: ``c ← a b``), SciPy's
    :func:`gemm` unless a step chose others (`mlp.kernels`).
    """
    w, b, v, c = params
    xw(h, x, w)
    h += b  # h holds k
    np.negative(h, out=h)  # -k
    with np.errstate(over="ignore"):  # e^(-k) = inf for k < -709 gives σ = 0, as it should
        np.exp(h, out=h)  # e^(-k)
    h += 1.0
    np.reciprocal(h, out=h)  # σ(k) = 1 / (1 + e^(-k))
    hv(z, h, v)
    z += c


def flush_subnormals(a: np.ndarray, scratch: np.ndarray, small: np.ndarray) -> None:
    """Set the entries of ``a`` smaller in size than its dtype's smallest normal number to 0.

    Through saturated units (σ(k) near 0 or 1) gradients shrink below it, to float32's
    10^(-38) with the report's N(0, 1) weights, and a product with subnormal operands runs
    several times slower. What is flushed is far below a rounding of the weights it moves.
    ``scratch`` (``a``'s shape and dtype) and ``small`` (bool) are overwritten.
    """
    np.abs(a, out=scratch)
    np.less(scratch, np.finfo(a.dtype).tiny, out=small)
    np.copyto(a, 0, where=small)


def flushes(dtype) -> bool:
    """Whether `Step` flushes subnormal gradients in ``dtype``: in float32 only. float64's lie
    below 1e-308, where η dk falls only as σ(k) nears its own overflow to 0; there the flush
    would cost its passes (4% of an epoch) for nothing."""
    return np.dtype(dtype) == np.float32


def keep(a: np.ndarray, scratch: np.ndarray, small: np.ndarray) -> None:
    """`flush_subnormals`'s stand-in where none are expected: leaves ``a`` as it is."""


class Step:
    """One gradient-descent update of ``params`` in place, for batches of up to ``batch_size``.

    Each of the five products goes through the BLAS path `mlp.kernels.plan` chose for
    these shapes on this machine (``blas``: ``"auto"``, ``"scipy"`` or ``"numpy"``;
    ``None`` reads ``$MLP_BLAS``); ``self.plan`` names them.
    """

    def __init__(self, params: Params, batch_size: int, blas: str | None = None):
        (n_in, n_hid), n_out, dtype = params.w.shape, params.c.shape[0], params.w.dtype
        if not all(p.flags.c_contiguous and p.dtype == dtype for p in params):
            raise ValueError("Step updates C-contiguous parameters of one dtype")
        self.params = params
        self.plan = kernels.plan(batch_size, n_in, n_hid, n_out, dtype, blas)
        shapes = {"hT dz": params.v.shape, "xT dk": params.w.shape}
        self.xw, self.hv, self.dzvt, self.update_v, self.update_w = (
            kernels.kernel(path, product in kernels.UPDATES, shapes.get(product), dtype)
            for product, path in self.plan.items())
        # What each buffer holds, in order (η is the learning rate, folded into dz and so into
        # dh and dk; with the mean loss, η / B):
        self.h = np.empty((batch_size, n_hid), dtype)  # k, -k, e^(-k), 1 + e^(-k), h = σ(k), then 1 - h
        self.s = np.empty((batch_size, n_hid), dtype)  # η dh, η dh ⊙ h, then η dk = η dh ⊙ h ⊙ (1 - h)
        self.z = np.empty((batch_size, n_out), dtype)  # z, z - max z, e^(z - max z), y, then η dz = η (y - t)
        self.zmax = np.empty((batch_size, 1), dtype)
        self.total = np.empty((batch_size, 1), dtype)
        self.small = np.empty((batch_size, n_hid), bool)  # where |η dk| is subnormal
        self.flush = flush_subnormals if flushes(dtype) else keep
        self.db = np.empty(n_hid, dtype)
        self.dc = np.empty(n_out, dtype)

    def __call__(self, x: np.ndarray, labels: np.ndarray, lr: float, reduction: str = "sum") -> float:
        """Update with the gradient of the batch ``(x, labels)``; return its loss (before the update)."""
        w, b, v, c = self.params
        n = len(x)
        rows = np.arange(n)
        h, s, z = self.h[:n], self.s[:n], self.z[:n]
        zmax, total, db, dc = self.zmax[:n], self.total[:n], self.db, self.dc
        x = np.ascontiguousarray(x, w.dtype)
        forward_into(x, self.params, h, z, self.xw, self.hv)
        # Loss from the logits: log Σ e^(z_n - max) + max - z_label; y = softmax(z).
        np.maximum.reduce(z, axis=1, keepdims=True, out=zmax)
        z -= zmax
        label_logits = z[rows, labels]
        np.exp(z, out=z)
        np.add.reduce(z, axis=1, keepdims=True, out=total)
        loss = float(np.add.reduce(np.log(total), None) - np.add.reduce(label_logits))
        z /= total
        # Backward, eq. 2.4, with the learning rate folded into dz (and so into dh and dk):
        # η dz = η (y - t); η dh = η dz vᵀ (before v moves); v -= hᵀ η dz; c -= Σ η dz.
        z[rows, labels] -= 1.0
        z *= lr / n if reduction == "mean" else lr
        self.dzvt(s, z, v.T)
        self.update_v(v, h.T, z)  # v -= hᵀ η dz
        np.add.reduce(z, axis=0, out=dc)
        c -= dc
        # η dk = η dh ⊙ h ⊙ (1 - h); w -= xᵀ η dk; b -= Σ η dk: the same way round as v and c.
        s *= h
        np.subtract(1.0, h, out=h)
        s *= h
        self.flush(s, h, self.small[:n])  # η dk below the smallest normal number: 0
        self.update_w(w, x.T, s)  # w -= xᵀ η dk
        np.add.reduce(s, axis=0, out=db)
        b -= db
        return loss / n if reduction == "mean" else loss


def scalar_step(x: list, label: int, params: Params, lr: float) -> float:
    """One SGD update of nested-list ``params`` in place (eq. 2.1, 2.2); returns the loss before it."""
    w, b, v, c = params
    # Forward: k_j = Σ_i x_i w_ij + b_j, h_j = σ(k_j), z_m = Σ_j h_j v_jm + c_m.
    k = b[:]
    for x_i, w_i in zip(x, w):
        for j, w_ij in enumerate(w_i):
            k[j] += x_i * w_ij
    h = [sigmoid(k_j) for k_j in k]
    z = c[:]
    for h_j, v_j in zip(h, v):
        for m, v_jm in enumerate(v_j):
            z[m] += h_j * v_jm
    zmax = max(z)
    e = [math.exp(z_m - zmax) for z_m in z]
    total = sum(e)
    loss = math.log(total) + zmax - z[label]
    # Backward: dz_m = y_m - t_m; dh_j = Σ_m dz_m v_jm, each v_jm read before it moves.
    dz = [e_m / total for e_m in e]
    dz[label] -= 1.0
    dk = []
    for h_j, v_j in zip(h, v):
        dh_j = 0.0
        for m, dz_m in enumerate(dz):
            dh_j += dz_m * v_j[m]
            v_j[m] -= lr * h_j * dz_m
        dk.append(dh_j * h_j * (1.0 - h_j))  # σ'(k_j) = h_j (1 - h_j)
    for m, dz_m in enumerate(dz):
        c[m] -= lr * dz_m
    for x_i, w_i in zip(x, w):
        for j, dk_j in enumerate(dk):
            w_i[j] -= lr * dk_j * x_i
    for j, dk_j in enumerate(dk):
        b[j] -= lr * dk_j
    return loss
