"""The vectorized training step again, with every array allocated once.

:func:`mlp.train.vectorized_step` reads like eq. 2.3 and 2.4 and allocates a dozen arrays
per update. :class:`Step` does the same arithmetic into buffers made once per run: at
batch size 1 allocation, not arithmetic, was most of the time. It is tested equal to
the plain step (``tests/test_fast.py``); read that one first.
"""

from __future__ import annotations

import numpy as np

from mlp.params import Params


class Step:
    """One gradient-descent update of ``params`` in place, for batches of up to ``batch_size``."""

    def __init__(self, params: Params, batch_size: int):
        (n_in, n_hid), n_out, dtype = params.w.shape, params.c.shape[0], params.w.dtype
        self.params = params
        self.k = np.empty((batch_size, n_hid), dtype)  # k, then h
        self.s = np.empty((batch_size, n_hid), dtype)  # dh, then dk
        self.z = np.empty((batch_size, n_out), dtype)  # z, then y, then dz
        self.zmax = np.empty((batch_size, 1), dtype)
        self.total = np.empty((batch_size, 1), dtype)
        self.grads = Params(np.empty((n_in, n_hid), dtype), np.empty(n_hid, dtype),
                            np.empty((n_hid, n_out), dtype), np.empty(n_out, dtype))

    def __call__(self, x: np.ndarray, labels: np.ndarray, lr: float, reduction: str = "sum") -> float:
        """Update with the gradient of the batch ``(x, labels)``; return its loss (before the update)."""
        w, b, v, c = self.params
        dw, db, dv, dc = self.grads
        rows = np.arange(len(x))
        h, s, z = self.k[:len(x)], self.s[:len(x)], self.z[:len(x)]
        zmax, total = self.zmax[:len(x)], self.total[:len(x)]
        # Forward, eq. 2.3: h = σ(x w + b), z = h v + c.
        np.dot(x, w, out=h)
        h += b
        np.negative(h, out=h)
        with np.errstate(over="ignore"):  # e^(-k) = inf for k < -709 gives σ = 0, as it should
            np.exp(h, out=h)
        h += 1.0
        np.reciprocal(h, out=h)
        np.dot(h, v, out=z)
        z += c
        # Loss from the logits: log Σ e^(z_n - max) + max - z_label; y = softmax(z).
        np.max(z, axis=1, keepdims=True, out=zmax)
        z -= zmax
        label_logits = z[rows, labels]
        np.exp(z, out=z)
        np.sum(z, axis=1, keepdims=True, out=total)
        loss = float(np.sum(np.log(total)) - np.sum(label_logits))
        z /= total
        # Backward, eq. 2.4, with the learning rate folded into dz and dk, so the updates
        # are plain subtractions: dz = y - t; dh = dz vᵀ; dk = dh ⊙ h ⊙ (1 - h).
        z[rows, labels] -= 1.0
        scale = lr / len(x) if reduction == "mean" else lr
        np.dot(z, v.T, out=s)
        z *= scale
        np.dot(h.T, z, out=dv)
        np.sum(z, axis=0, out=dc)
        s *= h
        np.subtract(1.0, h, out=h)
        s *= h
        s *= scale
        np.dot(x.T, s, out=dw)
        np.sum(s, axis=0, out=db)
        w -= dw
        b -= db
        v -= dv
        c -= dc
        return loss / len(x) if reduction == "mean" else loss
