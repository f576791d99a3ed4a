"""The executed pages as notebooks: each page executed once, kept on disk, shown and offered.

Every ``docs/*.py`` page that mkdocs-jupyter includes is read by jupytext, given an
`intro` cell (how to run the notebook; tagged `INTRO_TAG`, which the site's
``remove_tag_config`` drops from the page), and executed top to bottom by nbclient in a
kernel of its own, several pages at a time (`execute_all`: as many as `mlp.jobs.workers`
allows, each kernel with one BLAS thread when there are several). The executed notebook is stored
under a key of everything its outputs depend on (`key`), so an unchanged rebuild executes
nothing. The site then renders that notebook without executing it, and offers the same
file as the page's download: the page and the notebook come from one execution.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mlp.jobs import one_blas_thread_env, workers

INTRO_TAG = "notebook-intro"
INTRO = """\
This notebook is the page `{source}` of the `mlp` site, as the build executed it (experiments
profile `{profile}`). It runs top to bottom in Jupyter with the package installed
(`pip install -e '.[docs]'` in the project). It reads the experiments' results from the
results cache (`MLP_RESULTS_DIR`) and trains those that are missing there: set
`MLP_PROFILE=quick` before starting Jupyter to train on slivers in a minute or two."""
log = logging.getLogger("mkdocs.hooks.mlp")  # MkDocs prints its own loggers' lines
KERNEL_TIMEOUT = 1800  # seconds a cell may take: a page never trains, but may read a slow disk
KERNEL_MEMORY = 2 * 2**30  # bytes a page's kernel may take: the MNIST page's, which loads the data, peaked at 1.4 GB


class PageFailed(RuntimeError):
    """A cell of a page raised: the page's name and the cell's error."""


def intro(source: Path, root: Path, profile: str) -> str:
    return INTRO.format(source=source.relative_to(root).as_posix(), profile=profile)


def key(source: Path, intro_text: str, page_key: str, kernel: str) -> str:
    """A hash of the page's text, its intro, the kernel and ``page_key`` (`mlp.site.hooks.page_key`)."""
    digest = hashlib.sha256(source.read_bytes())
    for part in (intro_text, page_key, kernel):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:16]


def notebook(source: Path, intro_text: str, kernel: str):
    """The page ``source`` as an unexecuted notebook: the intro cell, then the page's cells."""
    import jupytext
    import nbformat

    nb = jupytext.read(source)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(intro_text, metadata={"tags": [INTRO_TAG]}))
    return nbformat.reads(nbformat.writes(nb), as_version=nbformat.NO_CONVERT)  # fresh cell ids, valid


def execute(nb, kernel: str, folder: Path, name: str, env: dict | None = None) -> float:
    """Execute ``nb`` in a new kernel started in ``folder`` (with the environment ``env``, default
    this process's); return the seconds the kernel took to start and answer. `PageFailed` names
    ``name`` if a cell raises."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start, ready = time.perf_counter(), []
    try:
        NotebookClient(nb, kernel_name=kernel, timeout=KERNEL_TIMEOUT, allow_errors=False,
                       resources={"metadata": {"path": str(folder)}},
                       on_notebook_start=lambda notebook: ready.append(time.perf_counter())).execute(
            **({} if env is None else {"env": env}))
    except CellExecutionError as error:
        raise PageFailed(f"{name}: a cell failed:\n{error}") from None
    return ready[0] - start


def stored(source: Path, into: Path, intro_text: str, kernel: str, page_key: str,
           folder: Path, env: dict | None = None) -> tuple[Path, float | None, float | None]:
    """``(path, seconds, kernel_seconds)``: the page's executed notebook in ``into``, executed now
    (in a kernel with the environment ``env``) if it is not stored under its `key` (the seconds
    of that execution, and of its kernel's start among them), else ``None, None``."""
    import nbformat

    path = into / f"{key(source, intro_text, page_key, kernel)}-{source.stem}.ipynb"
    if path.is_file():
        return path, None, None
    log.info("executing %s", source.name)
    start = time.perf_counter()
    nb = notebook(source, intro_text, kernel)
    kernel_seconds = execute(nb, kernel, folder, source.name, env)
    seconds = time.perf_counter() - start
    log.info("executed %s in %.0f s", source.name, seconds)
    nbformat.validate(nb)
    into.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    nbformat.write(nb, str(partial))
    partial.replace(path)  # never a half-written notebook under a key
    return path, seconds, kernel_seconds


def at_once(pages: int) -> int:
    """How many of ``pages`` pages to execute at once (`mlp.jobs.workers`, `KERNEL_MEMORY` each)."""
    return workers(KERNEL_MEMORY, tasks=pages)


def execute_all(jobs: dict, run, threads: int) -> dict:
    """``{name: run(job, env)}`` for the ``jobs`` (name -> job), in their order, ``threads`` at a
    time; ``env`` is the environment of a kernel: one BLAS thread when several run, else this
    process's (``None``). The first failure is raised once the running ones are done."""
    env = one_blas_thread_env() if threads > 1 else None
    pool = ThreadPoolExecutor(threads)
    try:
        futures = {name: pool.submit(run, job, env) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, the pages not started never start
