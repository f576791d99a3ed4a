"""Argument checks for the whole package: counts, numbers, choices, flags, seeds, arrays.

Bad input gets a ``ValueError`` or ``TypeError`` that names the argument, never a
silently wrong answer.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

FLOAT_TYPES = (np.dtype(np.float64), np.dtype(np.float32))  # the types the package computes in


def check_count(value, name: str, minimum: int = 1) -> int:
    """``value`` as a Python int of at least ``minimum`` (sizes, counts; ``True`` is no count)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(value, name: str) -> float:
    """``value`` as a positive, finite Python float (learning rates, scales, steps)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    if not 0 < value < math.inf:  # also refuses NaN
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def check_choice(value, name: str, choices: tuple):
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_flag(value, name: str) -> bool:
    """``value`` if it is a bool: a truthy string or number is no answer to a yes-or-no option."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_float_type(dtype, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy dtype, if it is one the package computes in (float64, float32)."""
    try:
        found = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float64 or float32, got {dtype!r}") from None
    if found not in FLOAT_TYPES:
        raise TypeError(f"{name} must be float64 or float32, got {found}")
    return found


def check_rng(seed, name: str) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, with an error that names the argument."""
    if isinstance(seed, (bool, np.bool_)):  # True is no seed, though NumPy would take it as 1
        raise TypeError(f"{name} must be a non-negative integer seed or a numpy.random.Generator, got {seed!r}")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{name} must be a non-negative integer seed or a numpy.random.Generator, "
                          f"got {seed!r} ({error})") from None


def as_float_array(value, name: str, ndim: int, dtype=None) -> np.ndarray:
    """``value`` as a finite float64 or float32 array with ``ndim`` dimensions.

    Without ``dtype``: a float32 array stays float32, integers become float64, any other
    float type is refused.
    """
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
        check_float_type(dtype, f"{name}'s dtype")
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


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
    return check_choice(reduction, "reduction", ("sum", "mean"))


def check_list(value, name: str) -> list:
    """``value`` as a list, if it is a list, tuple or other sequence: a string is no list of
    names (it would be split into its characters)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list, got the string {value!r} (write [{value!r}] for one)")
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list, got {type(value).__name__}") from None
