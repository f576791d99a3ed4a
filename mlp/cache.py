"""Results stored on disk, keyed by everything that determines them.

A result's key hashes its configuration, the source of the modules that compute it and
the checksums of the data it reads; a rebuild with nothing changed recomputes nothing,
and a change to any of these recomputes exactly the results it touches. Each file
carries the SHA-256 of its payload: a corrupted or partial entry is detected and
recomputed, never used.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import pickle
import warnings
from pathlib import Path

import mlp
from mlp.data import SHA256, user_cache_dir, write_atomically

_MAGIC = b"mlp-result-1\n"

# The modules whose source determines a training run's numbers.
CORE_MODULES = ("params", "checks", "scalar", "vectorized", "fast", "train", "data")


def results_dir() -> Path:
    """``$MLP_RESULTS_DIR`` if set, else ``results/`` in the user's cache folder."""
    return Path(os.environ.get("MLP_RESULTS_DIR") or user_cache_dir() / "results")


def code_only(source: str) -> str:
    """The syntax tree of ``source`` without comments, layout or docstrings.

    Editing a comment or a docstring does not change what a module computes, so it
    does not invalidate the results.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:]
    return ast.dump(tree)


@functools.lru_cache(maxsize=64)
def _code_digest(path: str, mtime_ns: int, size: int) -> bytes:
    """SHA-256 of a source file's `code_only`; the time and size in the key catch an edit."""
    return hashlib.sha256(code_only(Path(path).read_text()).encode()).digest()


def source_hash(modules=CORE_MODULES) -> str:
    """SHA-256 over the code (not comments or docstrings) of the named ``mlp`` modules."""
    digest = hashlib.sha256()
    package = Path(mlp.__file__).parent
    for name in modules:
        path = package / f"{name}.py"
        stat = path.stat()
        digest.update(name.encode() + b"\0" + _code_digest(str(path), stat.st_mtime_ns, stat.st_size))
    return digest.hexdigest()


def key(kind: str, config: dict, datasets=()) -> str:
    """The hash naming the result of ``kind`` computed with ``config`` on ``datasets``."""
    data = {name: value for name, value in sorted(SHA256.items()) if name.split("/")[0] in datasets}
    text = json.dumps({"kind": kind, "config": config, "source": source_hash(), "data": data},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(path: Path):
    """The result stored at ``path``, or ``None`` if it is missing, partial or corrupted."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    digest, payload = blob[len(_MAGIC):len(_MAGIC) + 64], blob[len(_MAGIC) + 65:]
    if not blob.startswith(_MAGIC) or hashlib.sha256(payload).hexdigest().encode() != digest:
        warnings.warn(f"ignoring corrupted cache entry {path}", RuntimeWarning, stacklevel=3)
        return None
    return pickle.loads(payload)


def stored_digest(path: Path) -> bytes:
    """The payload checksum recorded in the entry at ``path`` (which must exist)."""
    with open(path, "rb") as file:
        return file.read(len(_MAGIC) + 64)[len(_MAGIC):]


def fingerprint() -> str:
    """A digest of every stored result: it changes whenever any result is added or rewritten."""
    digest = hashlib.sha256()
    for path in sorted(results_dir().glob("*.pkl")):
        digest.update(path.name.encode() + b"\0" + stored_digest(path))
    return digest.hexdigest()


def store(path: Path, value) -> None:
    """Write ``value`` to ``path`` atomically, with the checksum `load` verifies."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(path, _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def path_for(kind: str, config: dict, datasets=()) -> Path:
    """Where the result of ``kind`` with ``config`` on ``datasets`` is stored."""
    return results_dir() / f"{kind}-{key(kind, config, datasets)[:20]}.pkl"


def cached(kind: str, config: dict, compute, datasets=()):
    """``compute()``, or its stored result for the same kind, config, source and data."""
    path = path_for(kind, config, datasets)
    value = load(path)
    if value is None:
        value = compute()
        store(path, value)
    return value
