"""How many processes work at once: the cores this process may use, the memory free, the user's limit.

The experiments, sweeps, the background trainer of ``mkdocs serve`` and the site's page
execution each ask `workers` how many processes to run side by side. The answer is the
number of cores this process may run on (its affinity mask, which ``taskset``, a batch
scheduler or a container narrows; not the machine's core count), lowered to what fits in
the memory available now when each process needs ``need`` bytes, and replaced by the
user's limit where one is given: ``--jobs N`` on the command line, else the environment
variable ``MLP_JOBS``. When several work at once, each uses one BLAS thread (`pool`):
the cores are already shared out between the processes, and a BLAS thread more per
process would only compete with the others.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ENV = "MLP_JOBS"
MEMINFO = Path("/proc/meminfo")
HELP = (f"the most training processes at once (default: ${ENV} if set, else the cores this process may "
        "use; fewer where memory is short)")


def cores() -> int:
    """The cores this process may run on (its affinity mask; the machine's count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity masks (macOS, Windows)
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory available to new processes now, or ``None`` where the system does not say.

    ``MemAvailable`` of ``/proc/meminfo`` (free memory plus the caches the kernel would
    give back); elsewhere the free pages by ``os.sysconf``.
    """
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # given in kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def parse(value, name: str) -> int:
    """``value`` as a number of processes, a positive integer; a `ValueError` naming ``name`` otherwise."""
    try:
        number = int(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"{name} must be a positive integer (the most processes working at once), got {value!r}")
    return number


def limit(jobs: int | None = None) -> int | None:
    """The user's limit: ``jobs`` if given, else ``$MLP_JOBS`` if set, else ``None``; checked."""
    if jobs is not None:
        return parse(jobs, "jobs")
    value = os.environ.get(ENV, "").strip()
    return parse(value, ENV) if value else None


def workers(need: int = 0, tasks: int | None = None, jobs: int | None = None) -> int:
    """How many processes to run at once: the user's limit (`limit`) or else the `cores`, no more
    than fit in the `available_memory` at ``need`` bytes each, nor than ``tasks``; at least one."""
    count = limit(jobs) or cores()
    free = available_memory() if need > 0 else None
    if free is not None:
        count = min(count, free // need)
    if tasks is not None:
        count = min(count, tasks)
    return max(count, 1)


def one_blas_thread() -> None:
    """Hold this process's BLAS libraries to one thread from now on (a worker's initializer)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def pool(processes: int) -> ProcessPoolExecutor:
    """A pool of ``processes`` worker processes, each with one BLAS thread when there are several."""
    return ProcessPoolExecutor(processes, initializer=one_blas_thread if processes > 1 else None)


BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def one_blas_thread_env(environ=None) -> dict:
    """A copy of ``environ`` (default: this process's) under which a new process starts with one
    BLAS thread: for processes not forked from a `pool`, such as the site's notebook kernels."""
    return {**(os.environ if environ is None else environ), **{name: "1" for name in BLAS_ENV}}
