"""Argument checks shared by both network forms.

Bad input gets a ``ValueError`` or ``TypeError`` that names the argument, never a
silently wrong answer.
"""

from __future__ import annotations

import numpy as np

from mlp.params import Params


def as_float_array(value, name: str, ndim: int, dtype=None) -> np.ndarray:
    """``value`` as a finite floating-point array with ``ndim`` dimensions."""
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ) or array.dtype == np.bool_:
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if dtype is None:
        dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float64
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_params(params) -> Params:
    """``params`` as a `Params` of float arrays with consistent shapes."""
    if not isinstance(params, Params):
        raise TypeError(f"params must be an mlp.Params, got {type(params).__name__}")
    w = as_float_array(params.w, "params.w", 2)
    dtype = w.dtype
    b = as_float_array(params.b, "params.b", 1, dtype)
    v = as_float_array(params.v, "params.v", 2, dtype)
    c = as_float_array(params.c, "params.c", 1, dtype)
    n_in, n_hid = w.shape
    if b.shape != (n_hid,) or v.shape[0] != n_hid or c.shape != (v.shape[1],):
        raise ValueError(
            "params shapes do not fit together: "
            f"w {w.shape}, b {b.shape}, v {v.shape}, c {c.shape}; "
            "expected (n_in, n_hid), (n_hid,), (n_hid, n_out), (n_out,)"
        )
    return Params(w, b, v, c)


def check_labels(labels, n_examples: int, n_out: int, name: str = "labels") -> np.ndarray:
    """``labels`` as a 1-D integer array of classes in ``0 .. n_out - 1``."""
    array = np.asarray(labels)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array)):
            array = array.astype(np.int64)
        else:
            raise TypeError(f"{name} must be integer class indices, got dtype {array.dtype}")
    if array.shape != (n_examples,):
        raise ValueError(f"{name} must have shape ({n_examples},), got {array.shape}")
    if n_examples and (array.min() < 0 or array.max() >= n_out):
        raise ValueError(f"{name} must lie in 0..{n_out - 1}, got values in {array.min()}..{array.max()}")
    return array


def check_reduction(reduction: str) -> str:
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    return reduction
