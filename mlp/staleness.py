"""When a stored result is stale: when the code that can change it has changed.

The code of a module is its syntax tree without comments, layout or docstrings
(`code_only`): editing those changes nothing the module computes. The code a result
depends on is that of the modules its computation starts in and of every module of the
same package they import, at the top or inside a function, transitively, with the
``__init__.py`` of each package on the way, whose code runs first (`modules`).
`code_hash` digests that code, and, verbatim, any file whose text the result shows. The
results cache keys each result by it (`mlp.cache`), the site each executed page
(`mlp.site.hooks.page_key`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).parent.parent  # the folder holding the package ``mlp``


def code_only(source: str) -> str:
    """The syntax tree of ``source`` without comments, layout or docstrings, as text."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:]
    return ast.dump(tree)


@functools.lru_cache(maxsize=256)
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[bytes, tuple]:
    """SHA-256 of a source file's `code_only`, and its imports as ``(level, module, names)``.

    Parsed once per version of the file: the time and size in the key catch an edit.
    """
    source = Path(path).read_text()
    imports = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imports += [(0, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.level, node.module or "", tuple(alias.name for alias in node.names)))
    return hashlib.sha256(code_only(source).encode()).digest(), tuple(imports)


def _read(root: Path, name: str) -> tuple[bytes, tuple]:
    stat = (root / name).stat()
    return _parsed(str(root / name), stat.st_mtime_ns, stat.st_size)


def module_file(root: Path, dotted: list[str], package: str) -> str | None:
    """The file, relative to ``root``, of the module ``dotted`` if it belongs to ``package``."""
    if not dotted or dotted[0] != package:
        return None
    for name in ("/".join(dotted + ["__init__.py"]), "/".join(dotted) + ".py"):
        if (root / name).is_file():
            return name
    return None


def _imported(root: Path, name: str, package: str) -> set[str]:
    """The files of ``package`` that the file ``name`` (relative to ``root``) imports."""
    here = list(Path(name).parent.parts)  # the package the module is in (for relative imports)
    found = set()
    for level, module, names in _read(root, name)[1]:
        base = (here[:len(here) - level + 1] if level else []) + (module.split(".") if module else [])
        submodules = [module_file(root, base + [alias], package) for alias in names]  # `from a import b`: b a module?
        found.update(submodules)
        if not submodules or None in submodules:  # `import a`, or `from a import f` with f defined in a
            found.add(module_file(root, base, package))
    return found - {None}


def modules(entries, root: Path = ROOT, package: str = "mlp") -> tuple[str, ...]:
    """The files (relative to ``root``) whose code runs when the ``entries`` run.

    ``entries`` are dotted module names (``"mlp.experiments.runs"``) or files relative to
    ``root`` (``"docs/mnist.py"``); followed are the imports of ``package``'s modules, and
    the ``__init__.py`` of each package on the way. The imports of an ``__init__`` reached
    only as a parent are not followed: a package's ``__init__`` gathers it for its
    readers, and importing a module of it runs none of the others.
    """
    todo = [entry if entry.endswith(".py") else module_file(root, entry.split("."), package) for entry in entries]
    if None in todo:
        raise ValueError(f"not a module of {package} under {root}: {entries}")
    followed = set()
    while todo:
        name = todo.pop()
        if name not in followed:
            followed.add(name)
            todo.extend(_imported(root, name, package))
    parents = {"/".join([*Path(name).parts[:depth], "__init__.py"])
               for name in followed if Path(name).parts[0] == package
               for depth in range(1, len(Path(name).parts))}
    return tuple(sorted(followed | parents))


def code_hash(entries, root: Path = ROOT, package: str = "mlp", shown=()) -> str:
    """SHA-256 (hex) of the code of the `modules` the ``entries`` run, and of the text of the
    files ``shown`` (relative to ``root``), verbatim: a result that shows a file's text
    changes with its comments too. Computed once per state of the files it can read (`stamp`):
    a build asks it for every result it looks up."""
    root, entries, shown = Path(root), tuple(entries), tuple(sorted(shown))
    outside = [entry for entry in entries if entry.endswith(".py")] + list(shown)
    return _code_hash(entries, root, package, shown, stamp(root, package, outside))


def stamp(root: Path, package: str, files=()) -> tuple:
    """The path, modification time and size of every Python file of ``package`` under ``root``,
    and of ``files`` (relative to ``root``; ``None`` for one that is missing): what `code_hash`
    reads and which modules exist. An edit, a new module or a removed one changes it."""
    found = []
    for folder, subfolders, names in os.walk(root / package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        found += [(folder, name, *_time_and_size(Path(folder, name))) for name in sorted(names) if name.endswith(".py")]
    return (*found, *((name, *_time_and_size(root / name)) for name in files))


def _time_and_size(path: Path) -> tuple:
    try:
        status = path.stat()
    except FileNotFoundError:
        return (None,)
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=64)
def _code_hash(entries: tuple, root: Path, package: str, shown: tuple, stamp: tuple) -> str:
    digest = hashlib.sha256()
    for name in modules(entries, root, package):
        digest.update(name.encode() + b"\0" + _read(root, name)[0])
    for name in shown:
        digest.update(b"\0shown\0" + name.encode() + b"\0" + (root / name).read_bytes())
    return digest.hexdigest()
