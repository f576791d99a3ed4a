"""The network on one example, node by node, in plain Python floats (report 2.1).

Every value is a float and every node is computed on its own, in an explicit loop,
as eq. 2.1 (forward) and eq. 2.2 (backward) write them. Indices: i over the inputs,
j over the hidden units, m over the outputs (the report's k, renamed so that it no
longer collides with the hidden pre-activation k_j).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from mlp.checks import as_float_array, check_labels
from mlp.params import Params, check_params


class Forward(NamedTuple):
    """The forward pass's nodes, each a list of floats."""

    k: list  # k_j, hidden pre-activations
    h: list  # h_j = σ(k_j)
    z: list  # z_m, output logits
    y: list  # y_m = softmax(z)_m


class Backward(NamedTuple):
    """The gradient of the loss at every node and parameter, as nested lists."""

    dz: list
    dv: list
    dc: list
    dh: list
    dk: list
    dw: list
    db: list

    @property
    def grads(self) -> Params:
        """The parameter gradients as a `mlp.params.Params` of lists."""
        return Params(self.dw, self.db, self.dv, self.dc)


# --8<-- [start:activations]
def sigmoid(k: float) -> float:
    """σ(k) = 1 / (1 + e^(-k)), computed without overflow for any finite k."""
    if k >= 0:
        return 1.0 / (1.0 + math.exp(-k))
    e = math.exp(k)
    return e / (1.0 + e)


def softmax(z: list) -> list:
    """y_m = e^(z_m) / Σ_n e^(z_n), shifted by max(z) so that no exponent overflows."""
    zmax = max(z)
    e = [math.exp(z_m - zmax) for z_m in z]
    total = sum(e)
    return [e_m / total for e_m in e]


def cross_entropy(z: list, label: int) -> float:
    """Loss -ln y_label (eq. 2.5) from the logits: log Σ e^(z_n) - z_label (log-sum-exp)."""
    zmax = max(z)
    return zmax + math.log(sum(math.exp(z_n - zmax) for z_n in z)) - z[label]
# --8<-- [end:activations]


# --8<-- [start:forward]
def forward(x: list, params: Params) -> Forward:
    """Eq. 2.1: k_j = Σ_i x_i w_ij + b_j, h_j = σ(k_j), z_m = Σ_j h_j v_jm + c_m, y = softmax(z)."""
    w, b, v, c = params
    n_in, n_hid, n_out = len(w), len(b), len(c)
    k = [0.0] * n_hid
    for j in range(n_hid):
        for i in range(n_in):
            k[j] += x[i] * w[i][j]
        k[j] += b[j]
    h = [sigmoid(k[j]) for j in range(n_hid)]
    z = [0.0] * n_out
    for m in range(n_out):
        for j in range(n_hid):
            z[m] += h[j] * v[j][m]
        z[m] += c[m]
    y = softmax(z)
    return Forward(k, h, z, y)
# --8<-- [end:forward]


# --8<-- [start:backward]
def backward(x: list, label: int, params: Params, fwd: Forward) -> Backward:
    """Eq. 2.2: the gradient of -ln y_label at every node, from the output back."""
    w, b, v, c = params
    n_in, n_hid, n_out = len(w), len(b), len(c)
    _, h, _, y = fwd
    dz = [y[m] - (1.0 if m == label else 0.0) for m in range(n_out)]  # y_m - t_m
    dv = [[0.0] * n_out for _ in range(n_hid)]
    dh = [0.0] * n_hid
    for j in range(n_hid):
        for m in range(n_out):
            dv[j][m] = h[j] * dz[m]
            dh[j] += dz[m] * v[j][m]
    dc = list(dz)
    dk = [dh[j] * h[j] * (1.0 - h[j]) for j in range(n_hid)]  # σ'(k_j) = h_j(1 - h_j)
    dw = [[0.0] * n_hid for _ in range(n_in)]
    for i in range(n_in):
        for j in range(n_hid):
            dw[i][j] = dk[j] * x[i]
    db = list(dk)
    return Backward(dz, dv, dc, dh, dk, dw, db)
# --8<-- [end:backward]


def check_example(x, label, params: Params):
    """Checked ``(x, label, params)`` as plain Python floats, lists and an int."""
    arrays = check_params(params)
    x = as_float_array(x, "x", 1, np.float64)
    if len(x) != arrays.w.shape[0]:
        raise ValueError(f"x has {len(x)} features but params.w expects {arrays.w.shape[0]}")
    if np.ndim(label) != 0:
        raise ValueError(f"label must be a single class index, got shape {np.shape(label)}")
    label = int(check_labels([label], 1, arrays.c.shape[0], name="label")[0])
    return x.tolist(), label, arrays.tolist()


def gradients(x, label: int, params: Params) -> tuple[float, Params]:
    """Loss and parameter gradients for one example: ``(loss, Params of nested lists)``.

    ``x`` and the fields of ``params`` may be nested lists or NumPy arrays.
    """
    x, label, params = check_example(x, label, params)
    fwd = forward(x, params)
    return cross_entropy(fwd.z, label), backward(x, label, params, fwd).grads


def predict(x, params: Params) -> int:
    """The most probable class of one example."""
    x, _, params = check_example(x, 0, params)
    z = forward(x, params).z
    return max(range(len(z)), key=z.__getitem__)
