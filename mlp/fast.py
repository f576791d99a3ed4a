"""The scalar training step, fused: what the scalar form trains with, tested equal to its plain twin.

:func:`mlp.train.scalar_step` reads like the report's equations (eq. 2.1, 2.2): it builds
every gradient as nested lists, then subtracts it. :func:`scalar_step` here does the same
arithmetic over plain floats in one pass, moving each parameter as soon as its gradient is
known (``tests/test_fast.py`` checks that they take the same steps). The vectorized form's
fused step is `mlp.vectorized.step`, beside the equations it fuses.
"""

from __future__ import annotations

import math

from mlp.params import Params
from mlp.scalar import sigmoid


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
