"""Results stored on disk, keyed by everything that determines them.

A result's key hashes its configuration, the code that computes it (by default a training
run's; `mlp.staleness`: comments and docstrings do not count) and the checksums of the data
it reads; a rebuild with nothing changed recomputes nothing, and a change to any of these
recomputes exactly the results it touches.

Each entry is one ``.npz`` file that can hold nothing but data: the result's arrays, and
the rest of it as a JSON document naming them, read with ``allow_pickle=False``. It
carries the SHA-256 of its content, so a corrupted or partial entry is detected and
recomputed, never used; it is written atomically, and under a per-entry lock
(`entry_lock`, ``fcntl.flock``: POSIX only) two processes filling one folder at once
compute each result once. Entries of the old pickle format (``*.pkl``) are never read; the
build says so once (`old_format_notice`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from mlp import staleness
from mlp.data import SHA256
from mlp.files import user_cache_dir, write_atomically
from mlp.params import Params

FORMAT = "mlp-result-2"
SUFFIX = ".npz"
OLD_SUFFIX = ".pkl"  # the pickle format of mlp-result-1: never opened



def results_dir() -> Path:
    """``$MLP_RESULTS_DIR`` if set, else ``results/`` in the user's cache folder."""
    return Path(os.environ.get("MLP_RESULTS_DIR") or user_cache_dir() / "results")


def usable_results_dir() -> Path:
    """`results_dir`, created if missing; an ``OSError`` naming it and ``MLP_RESULTS_DIR`` if it
    cannot hold results (a file in its place, no permission to write)."""
    folder = results_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = "a file, not a folder" if folder.is_file() else error.strerror or error
        raise OSError(f"the results folder {folder} cannot be used ({reason}): "
                      "set MLP_RESULTS_DIR to a folder you can write to") from None
    return folder


# ------------------------------------------------------------ the code of a run

RUN = "mlp.experiments.runs"  # where a run starts: `mlp.experiments.runs.execute`


def source_hash(code=(RUN,), root: Path | None = None) -> str:
    """`mlp.staleness.code_hash` of the modules ``code`` (default: a training run's), under ``root``."""
    return staleness.code_hash(code, root or staleness.ROOT)


def key(kind: str, config: dict, datasets=(), code=(RUN,)) -> str:
    """The hash naming the result of ``kind`` computed with ``config`` on ``datasets`` by the modules ``code``."""
    data = {name: value for name, value in sorted(SHA256.items()) if name.split("/")[0] in datasets}
    text = json.dumps({"kind": kind, "config": config, "source": source_hash(code), "data": data},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def path_for(kind: str, config: dict, datasets=(), code=(RUN,)) -> Path:
    """Where the result of ``kind`` with ``config`` on ``datasets`` by the modules ``code`` is stored."""
    return results_dir() / f"{kind}-{key(kind, config, datasets, code)[:20]}{SUFFIX}"


# ------------------------------------------------------------ entries on disk
#
# An entry is an .npz with the members ``format`` (FORMAT), ``tree`` (the result as JSON,
# each array replaced by {"__array__": "a<i>"}, each Params by {"__params__": [w, b, v, c]},
# each tuple by {"__tuple__": [...]}), ``sha256`` (of the tree and the arrays) and the
# arrays ``a0``, ``a1``, ...

_MARKERS = ("__array__", "__params__", "__tuple__")


def _encode(value, arrays: dict):
    """``value`` as JSON-ready data, its arrays moved into ``arrays``."""
    if isinstance(value, Params):
        return {"__params__": [_encode(np.asarray(p), arrays) for p in value]}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError("cannot store an array of Python objects in a result")
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"__array__": name}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        if not all(isinstance(k, str) and k not in _MARKERS for k in value):
            raise TypeError(f"a result's dict keys must be strings other than {', '.join(_MARKERS)}")
        return {k: _encode(v, arrays) for k, v in value.items()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode(v, arrays) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a result")


def _decode(tree, arrays: dict):
    if isinstance(tree, list):
        return [_decode(v, arrays) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if len(tree) == 1 and next(iter(tree)) in _MARKERS:
        (marker, inner), = tree.items()
        if marker == "__array__":
            return arrays[inner]
        parts = [_decode(v, arrays) for v in inner]
        return Params(*parts) if marker == "__params__" else tuple(parts)
    return {k: _decode(v, arrays) for k, v in tree.items()}


def _checksum(tree: str, arrays: dict) -> str:
    digest = hashlib.sha256(tree.encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(f"\0{name}\0{a.dtype.str}\0{a.shape}\0".encode() + a.tobytes())
    return digest.hexdigest()


def store(path: Path, value):
    """Write ``value`` to ``path`` atomically, with the checksum `load` verifies.

    Returns ``value`` as `load` gives it back (Python numbers for NumPy scalars, say), so
    a fresh result and a stored one look the same to their reader.
    """
    arrays = {}
    tree = json.dumps(_encode(value, arrays))
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array(FORMAT), tree=np.array(tree), sha256=np.array(_checksum(tree, arrays)),
             **arrays)
    write_atomically(path, buffer.getvalue())
    return _decode(json.loads(tree), arrays)


def load(path: Path):
    """The result stored at ``path``, or ``None`` if it is missing, partial or corrupted."""
    try:
        with np.load(path, allow_pickle=False) as entry:
            members = {name: entry[name] for name in entry.files}
        meta = {name: str(members.pop(name)[()]) for name in ("format", "tree", "sha256")}
        if meta["format"] == FORMAT and _checksum(meta["tree"], members) == meta["sha256"]:
            return _decode(json.loads(meta["tree"]), members)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged zip fails in many ways (BadZipFile, EOFError, struct.error, ...)
        pass
    warnings.warn(f"ignoring corrupted cache entry {path}", RuntimeWarning, stacklevel=3)
    return None


def stored_digest(path: Path) -> bytes:
    """The content checksum recorded in the entry at ``path`` (which must exist)."""
    with np.load(path, allow_pickle=False) as entry:
        return str(entry["sha256"][()]).encode()


_told = set()  # the folders whose old entries this process has reported


def old_format_notice(folder: Path | None = None) -> str | None:
    """What to tell the user about entries of the old format in ``folder``, once per process.

    They are pickles, and unpickling runs code: they are listed by name, never opened.
    ``None`` if there are none, or if they were reported already.
    """
    folder = Path(folder or results_dir())
    old = list(folder.glob(f"*{OLD_SUFFIX}"))
    if not old or folder in _told:
        return None
    _told.add(folder)
    return (f"{folder} holds results in an old format ({len(old)} *{OLD_SUFFIX} files): they are ignored, "
            f"never read, and can be deleted")


def fingerprint(paths=None) -> str:
    """A digest of the stored results at ``paths`` (default: all): it changes whenever one is added or rewritten."""
    digest = hashlib.sha256()
    for path in sorted(results_dir().glob(f"*{SUFFIX}") if paths is None else map(Path, paths)):
        if paths is not None and not path.exists():
            digest.update(path.name.encode() + b"\0missing")
            continue
        try:
            digest.update(path.name.encode() + b"\0" + stored_digest(path))
        except Exception:  # damaged: it is recomputed when read; its name still counts
            digest.update(path.name.encode() + b"\0damaged")
    return digest.hexdigest()


# ------------------------------------------------------------ one computation at a time

@contextlib.contextmanager
def entry_lock(path: Path):
    """Hold the lock of the entry at ``path``: exclusive across processes (and threads).

    A blocking ``fcntl.flock`` on ``.<name>.lock`` beside the entry, waiting for as long
    as another holder computes. The kernel releases it when its holder exits or dies,
    so a killed process leaves no stale lock. The holder deletes the lock file before
    releasing it, so none stays behind; a waiter that then gets the lock of a deleted
    file starts again on a fresh one. Not re-entrant: a holder that asks for the same
    entry again waits for itself.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    while True:
        with open(lock, "a") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                current = os.stat(lock).st_ino == os.fstat(file.fileno()).st_ino
            except FileNotFoundError:
                current = False
            if current:
                try:
                    yield
                finally:
                    lock.unlink(missing_ok=True)
                    fcntl.flock(file, fcntl.LOCK_UN)
                return


def cached(kind: str, config: dict, compute, datasets=(), code=(RUN,)):
    """``compute()``, or its stored result for the same kind, config, data and ``code``: the
    modules ``compute`` runs (`mlp.staleness.modules`), by default a training run's.

    Load, else compute and store, all under the entry's lock: a second process asking
    for the same result meanwhile waits, then loads what the first stored.
    """
    path = path_for(kind, config, datasets, code)
    with entry_lock(path):
        value = load(path)
        if value is None:
            value = store(path, compute())
    return value
