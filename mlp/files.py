"""Files the package keeps for itself: where they live, written whole or not at all, read back as JSON."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def user_cache_dir() -> Path:
    """The project's cache folder: ``$XDG_CACHE_HOME/mlp``, else ``~/.cache/mlp``.

    Downloaded data sets, results and the background trainer's status live under it.
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlp"


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``path`` so that it either holds all of ``content`` or does not exist."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def write_json(path: Path, data) -> None:
    """``data`` as indented JSON at ``path``, written atomically."""
    write_atomically(Path(path), json.dumps(data, indent=1).encode())


def read_json(path: Path):
    """The JSON document at ``path``, or ``None`` if it is missing, unreadable or not JSON."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
