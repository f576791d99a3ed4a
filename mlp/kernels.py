"""The BLAS calls of the training step that NumPy does not offer, and what keeps them fast.

A weight update ``w ← w - xᵀ dk`` is one GEMM (``C ← αAB + βC``) with ``β = 1``: the
weight gradient is never stored. NumPy's products can only write a product out, to be
subtracted after; SciPy's wrappers of BLAS's ``?gemm`` (:func:`gemm`) take ``β``. The step
sends all five of its products through them, so that it runs on one BLAS library: a
process here reaches two (NumPy and SciPy each bundle an OpenBLAS), and with more than
one thread a step that alternates between them waits at every call for the other
library's idle threads to stop spinning.
"""

from __future__ import annotations

from functools import cache

import numpy as np


def gemm(c: np.ndarray, a: np.ndarray, b: np.ndarray, alpha: float = 1.0, beta: float = 0.0) -> np.ndarray:
    """``c ← alpha a b + beta c`` in place, as one call of SciPy's BLAS; no operand is copied. Returns ``c``.

    ``c`` is C-contiguous; ``a`` and ``b`` are C- or Fortran-contiguous (a transpose such as
    ``x.T`` is fine), all of ``c``'s dtype. BLAS is column-major, where a C-contiguous
    matrix reads as its transpose, so this asks for ``cᵀ ← alpha bᵀ aᵀ + beta cᵀ``.
    """
    (bt, trans_b), (at, trans_a) = _as_fortran_transpose(b), _as_fortran_transpose(a)
    routine = _routine(c.dtype.char)
    if routine is None:
        raise ValueError(f"gemm computes in float64 or float32, not {c.dtype}")
    out = routine(alpha, bt, at, beta=beta, c=c.T, trans_a=trans_b, trans_b=trans_a, overwrite_c=1)
    if not np.shares_memory(out, c):
        raise ValueError("gemm writes into a C-contiguous c of the operands' dtype")
    return c


@cache
def _routine(char: str):
    """SciPy's ``dgemm`` or ``sgemm`` for a dtype's character, else ``None``; SciPy's BLAS is
    loaded on the first product, so that ``import mlp`` stays quick."""
    from scipy.linalg import blas

    return {"d": blas.dgemm, "f": blas.sgemm}.get(char)


def _as_fortran_transpose(m: np.ndarray) -> tuple[np.ndarray, int]:
    """``(array, trans)`` that BLAS reads, without a copy, as ``mᵀ``."""
    if m.flags.c_contiguous:
        return m.T, 0
    if m.flags.f_contiguous:
        return m, 1
    raise ValueError("gemm needs C- or Fortran-contiguous operands")


# In float32, what `flush_subnormals` sets to 0: entries below 2^-100 in size (about 7.9e-31), 2^26
# times float32's smallest normal number, so that a product of a kept entry with anything above 2^-26
# in size (the inputs, the weights, the activations) is a normal number too.
FLUSH_BELOW = 2.0 ** -100


def flush_subnormals(a: np.ndarray) -> np.ndarray:
    """In float32, set the entries of ``a`` smaller in size than `FLUSH_BELOW` to 0; returns ``a``.

    Through saturated units (σ(k) near 0 or 1) activations and gradients shrink towards
    float32's smallest normal number (about 1.2e-38) and below it, and a product with
    subnormal operands, or whose terms are subnormal, runs several times slower. The bound
    sits a little above that number, so that the products of what is kept stay normal too.
    What is flushed moves a weight, or an output, by far less than its rounding. float64's
    subnormals lie below 1e-308, which its values reach only as σ(k) nears its own underflow
    to 0: there the flush would cost its passes for nothing, so it is skipped.
    """
    if a.dtype == np.float32:
        np.copyto(a, 0, where=np.abs(a) < FLUSH_BELOW)
    return a
