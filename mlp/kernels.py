"""Which BLAS computes each of the fast step's five products: chosen by measurement, here.

A process can reach two BLAS libraries: NumPy's (through ``np.matmul`` and ``np.dot``
with ``out=``) and SciPy's (through its ``?gemm`` wrappers, :func:`gemm`). Both bundle an
OpenBLAS, of different versions, and which is faster for a shape depends on the
processor: on one machine SciPy's ``gemm`` took three times as long as ``np.dot`` for the
forward product at batch size 1, on another they were even. The weight updates
``w ← w - xᵀ dk`` are one SciPy call with β = 1; NumPy can only compute the product into a
scratch array and subtract it. At batch size 1 an update is a rank-1 update, for which
SciPy also has BLAS's own routine, ``?ger`` (:func:`ger`): it read and wrote ``w`` faster
than ``gemm`` with one inner dimension did.

So :func:`plan` times each path for each product at the step's shapes, then the whole
step's five products as planned against each library alone. With more than one BLAS
thread, alternating between the two libraries left every call waiting for the other
library's spinning threads, several times slower: there the step takes one library,
the faster as a whole step, and each library is timed on its own, once the other's
threads have stopped spinning.
The plan is measured once per machine (processor, library versions and architectures,
thread count, shapes, dtype) and kept on disk (`kernel_dir`), so every process on a
machine takes the same kernels, and a run repeats to the last bit. The paths agree to
rounding, not to the bit: results on one machine can differ at rounding level from those
of another, as they already did between OpenBLAS's kernels for different processors.

``MLP_BLAS=scipy`` or ``numpy`` (or the ``blas`` argument) forces one library for all
five products, for tests and to reproduce a run; ``auto`` (the default) measures.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from scipy.linalg import blas

PRODUCTS = ("x w", "h v", "dz vT", "hT dz", "xT dk")  # eq. 2.3, then eq. 2.4
UPDATES = ("hT dz", "xT dk")  # subtracted from v and w: c ← c - a b
PATHS = ("scipy.gemm", "numpy.matmul", "numpy.dot", "scipy.ger")
CHOICES = ("auto", "scipy", "numpy")
FORCED = {"scipy": "scipy.gemm", "numpy": "numpy.matmul"}

_GEMM = {"d": blas.dgemm, "f": blas.sgemm}
_GER = {"d": blas.dger, "f": blas.sger}
_PLANS: dict[str, dict] = {}  # this process's plans, by `machine_key`


def gemm(c: np.ndarray, a: np.ndarray, b: np.ndarray, alpha: float = 1.0, beta: float = 0.0) -> None:
    """``c ← alpha a b + beta c`` in place, as one call of SciPy's BLAS; no operand is copied.

    ``c`` is C-contiguous; ``a`` and ``b`` are C- or Fortran-contiguous (a transpose such as
    ``x.T`` is fine), all of ``c``'s dtype. BLAS is column-major, where a C-contiguous
    matrix reads as its transpose, so this asks for ``cᵀ ← alpha bᵀ aᵀ + beta cᵀ``.
    """
    (bt, trans_b), (at, trans_a) = _as_fortran_transpose(b), _as_fortran_transpose(a)
    routine = _GEMM.get(c.dtype.char)
    if routine is None:
        raise ValueError(f"gemm computes in float64 or float32, not {c.dtype}")
    out = routine(alpha, bt, at, beta=beta, c=c.T, trans_a=trans_b, trans_b=trans_a, overwrite_c=1)
    if not np.shares_memory(out, c):
        raise ValueError("gemm writes into a C-contiguous c of the operands' dtype")


def ger(c: np.ndarray, a: np.ndarray, b: np.ndarray, alpha: float = 1.0) -> None:
    """``c ← c + alpha a b`` in place for a one-column ``a`` and a one-row ``b`` (a rank-1
    update), as one call of SciPy's BLAS ``?ger``; as in :func:`gemm`, it computes on
    ``cᵀ``: ``cᵀ ← cᵀ + alpha bᵀ aᵀ``."""
    if a.shape[1] != 1 or b.shape[0] != 1:
        raise ValueError(f"ger adds the product of one column and one row, not {a.shape} by {b.shape}")
    routine = _GER.get(c.dtype.char)
    if routine is None or not c.flags.c_contiguous:
        raise ValueError(f"ger writes into a C-contiguous c of float64 or float32, not {c.dtype}")
    out = routine(alpha, b[0], a[:, 0], a=c.T, overwrite_a=1)
    if not np.shares_memory(out, c):
        raise ValueError("ger writes into a c of the operands' dtype")


def paths(product: str, batch_size: int) -> tuple:
    """The `PATHS` that can compute ``product`` for a step of ``batch_size``: NumPy's ``dot``
    has no form that adds into its output, so it computes no update; ``ger``, only updates
    from one example."""
    return tuple(path for path in PATHS if not (product in UPDATES and path == "numpy.dot")
                 and (path != "scipy.ger" or (product in UPDATES and batch_size == 1)))


def _as_fortran_transpose(m: np.ndarray) -> tuple[np.ndarray, int]:
    """``(array, trans)`` that BLAS reads, without a copy, as ``mᵀ``."""
    if m.flags.c_contiguous:
        return m.T, 0
    if m.flags.f_contiguous:
        return m, 1
    raise ValueError("gemm needs C- or Fortran-contiguous operands")


def kernel(path: str, update: bool, shape=None, dtype=None):
    """``f(c, a, b)`` computing ``c ← a b`` (``update``: ``c ← c - a b``) through ``path``.

    NumPy's update needs a scratch array of ``c``'s ``shape`` and ``dtype``, made here once.
    """
    if path == "scipy.gemm":
        if update:
            return lambda c, a, b: gemm(c, a, b, alpha=-1.0, beta=1.0)
        return gemm
    if path == "scipy.ger":
        if not update:
            raise ValueError("ger computes updates only (c ← c - a b)")
        return lambda c, a, b: ger(c, a, b, alpha=-1.0)
    product = {"numpy.matmul": np.matmul, "numpy.dot": np.dot}[path]
    if not update:
        return lambda c, a, b: product(a, b, out=c)
    scratch = np.empty(shape, dtype)

    def subtract_product(c, a, b):
        product(a, b, out=scratch)
        np.subtract(c, scratch, out=c)
    return subtract_product


def blas_threads() -> int:
    """The most threads any loaded BLAS may use now (``threadpool_limits`` lowers it)."""
    from threadpoolctl import threadpool_info

    return max([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] or [1])


def choice(blas_name: str | None = None) -> str:
    """``blas_name``, else ``$MLP_BLAS``, else ``"auto"``; checked."""
    name = blas_name or os.environ.get("MLP_BLAS") or "auto"
    if name not in CHOICES:
        raise ValueError(f"the BLAS choice (MLP_BLAS) must be one of {', '.join(CHOICES)}, got {name!r}")
    return name


def plan(batch_size: int, n_in: int, n_hid: int, n_out: int, dtype, blas_name: str | None = None) -> dict:
    """The path of each of `PRODUCTS` for a step of these sizes: forced, or measured (once per machine)."""
    name = choice(blas_name)
    if name != "auto":
        return dict.fromkeys(PRODUCTS, FORCED[name])
    key = machine_key(batch_size, n_in, n_hid, n_out, np.dtype(dtype))
    if key not in _PLANS:
        _PLANS[key] = _stored_or_measured(key, lambda: measure(batch_size, n_in, n_hid, n_out, dtype)["plan"])
    return dict(_PLANS[key])


def store(batch_size: int, n_in: int, n_hid: int, n_out: int, dtype, planned: dict) -> None:
    """Keep ``planned`` as this machine's plan for these sizes, in place of any stored before:
    a plan measured while the machine was busy need not stay (`mlp.bench` stores its own)."""
    key = machine_key(batch_size, n_in, n_hid, n_out, np.dtype(dtype))
    _PLANS[key] = _stored_or_measured(key, lambda: dict(planned), replace=True)


def machine_key(batch_size, n_in, n_hid, n_out, dtype) -> str:
    """What a measured plan depends on: this module's code, processor, BLAS libraries, threads, shapes, dtype."""
    from threadpoolctl import threadpool_info

    libraries = sorted(f"{i['internal_api']} {i['version']} {i['architecture']} {Path(i['filepath']).name}"
                       for i in threadpool_info() if i["user_api"] == "blas")
    return json.dumps({"code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16], "processor": processor(), "libraries": libraries, "numpy": np.__version__,
                       "threads": blas_threads(), "sizes": [batch_size, n_in, n_hid, n_out],
                       "dtype": np.dtype(dtype).name}, sort_keys=True)


def processor() -> str:
    """The processor's model name (``/proc/cpuinfo``), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def kernel_dir() -> Path:
    """``$MLP_KERNEL_DIR`` if set, else ``kernels/`` in the user's cache folder."""
    from mlp.files import user_cache_dir

    return Path(os.environ.get("MLP_KERNEL_DIR") or user_cache_dir() / "kernels")


def _stored_or_measured(key: str, measure_plan, replace: bool = False) -> dict:
    """The plan stored under ``key``, or (if none, or ``replace``) ``measure_plan()`` stored
    there; under a lock across processes."""
    from mlp.cache import entry_lock
    from mlp.files import read_json, write_json

    path = kernel_dir() / "plans.json"
    with entry_lock(path):
        plans = read_json(path)
        plans = plans if isinstance(plans, dict) else {}
        if replace or not isinstance(plans.get(key), dict) or set(plans[key]) != set(PRODUCTS) \
                or not set(plans[key].values()) <= set(PATHS):
            plans[key] = measure_plan()
            write_json(path, plans)
    return plans[key]


SETTLE = 0.25  # seconds for a library's idle BLAS threads to stop spinning (OpenBLAS's: about 0.1 s)


def measure(batch_size: int, n_in: int, n_hid: int, n_out: int, dtype, rounds: int = 5) -> dict:
    """Time every path of every product, then the fastest per product as one step against each
    library alone: its general path for all five (``gemm``, ``matmul``), and its fastest path
    for each product. Fastest alone is not always fastest in turn: with two threads SciPy's
    ``ger`` beat its ``gemm`` at the update from one example, yet the step with it was the slower.

    Returns ``{"plan": {product: path}, "seconds": {...}}``: the plan is the fastest of the
    sequences (minimum over interleaved rounds), each timed as the step runs it, the five
    products one after another. With more than one BLAS thread a plan that mixes the two
    libraries is not a candidate: it collapsed when measured on a busy machine (every call
    waiting for the other library's spinning threads) and, by luck of the moment, could
    also time fast once and then be stored. For the same reason each library is then timed
    on its own, `SETTLE` seconds after the other's last call: interleaved, every timing of
    one library ran beside the other's spinning threads, two or three times slower, so
    that the choice went by luck.
    """
    from mlp.timing import interleaved

    rng, dtype = np.random.default_rng(0), np.dtype(dtype)
    x, w, v = (rng.uniform(-0.01, 0.01, shape).astype(dtype) for shape in
               [(batch_size, n_in), (n_in, n_hid), (n_hid, n_out)])
    h, s, z = np.empty((batch_size, n_hid), dtype), np.empty((batch_size, n_hid), dtype), np.empty((batch_size, n_out), dtype)
    h[:], s[:], z[:] = 0.5, 0.01, 0.01
    operands = {"x w": (h, x, w), "h v": (z, h, v), "dz vT": (s, z, v.T), "hT dz": (v, h.T, z), "xT dk": (w, x.T, s)}
    kernels = {(p, path): kernel(path, p in UPDATES, operands[p][0].shape, dtype)
               for p in PRODUCTS for path in paths(p, batch_size)}
    number = _calls_per_timing(kernels, operands)
    threaded = blas_threads() > 1

    def timed(functions: dict, library_of) -> dict:
        """``interleaved`` seconds of ``functions``; with threads, one library's at a time, the
        libraries taking turns twice (a burst of load then hits one turn, not one library)."""
        if not threaded:
            return interleaved(functions, rounds)
        out = {k: [] for k in functions}
        for _ in range(2):
            for library in FORCED:
                group = {k: f for k, f in functions.items() if library_of(k) == library}
                if group:
                    time.sleep(SETTLE)
                    for k, s in interleaved(group, rounds).items():
                        out[k].extend(s)
        return {k: np.array(s) for k, s in out.items()}

    seconds = timed({(p, path): _repeat(k, operands[p], number) for (p, path), k in kernels.items()},
                    lambda key: _library(key[1]))
    each = {p: {path: float(seconds[p, path].min() / number) for (q, path) in kernels if q == p} for p in PRODUCTS}
    fastest = {p: min(times, key=times.get) for p, times in each.items()}
    plans = {library: dict.fromkeys(PRODUCTS, path) for library, path in FORCED.items()}
    for library in FORCED:  # each library's fastest path per product, where it has more than one
        fastest_in = {p: min((path for path in times if _library(path) == library), key=times.get)
                      for p, times in each.items()}
        if fastest_in not in plans.values():
            plans[f"{library} per product"] = fastest_in
    if (not threaded or len({_library(path) for path in fastest.values()}) == 1) and fastest not in plans.values():
        plans["fastest per product"] = fastest  # mixing libraries only where no thread can spin
    steps = timed({name: _repeat_step([kernels[p, path] for p, path in planned.items()], [operands[p] for p in PRODUCTS], number)
                   for name, planned in plans.items()},
                  lambda name: _library(next(iter(plans[name].values()))))
    step_seconds = {name: float(t.min() / number) for name, t in steps.items()}
    return {"plan": plans[min(step_seconds, key=step_seconds.get)], "seconds": {"products": each, "steps": step_seconds}}


def _library(path: str) -> str:
    """``"scipy"`` or ``"numpy"``: the library of a path (`PATHS`)."""
    return path.split(".")[0]


def _calls_per_timing(kernels: dict, operands: dict) -> int:
    """Calls per timed sample so that a step's products take about 5 ms (one call at large batches)."""
    from time import perf_counter

    start = perf_counter()
    for p in PRODUCTS:
        kernels[p, "scipy.gemm"](*operands[p])
    return max(1, min(5000, int(5e-3 / max(perf_counter() - start, 1e-7))))


def _repeat(k, operands, number: int):
    def run():
        for _ in range(number):
            k(*operands)
    return run


def _repeat_step(ks, operands, number: int):
    def run():
        for _ in range(number):
            for k, ops in zip(ks, operands):
                k(*ops)
    return run
