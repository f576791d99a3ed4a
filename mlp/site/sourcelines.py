"""Which line of the package computes each variable of the network, found in its source.

The cheat sheet links every equation to the code that computes it. The line numbers are
not typed: `computing_lines` parses the function's source and returns the statements
that assign the variable from the network's values, so the page follows the code when
the code moves. `listing` shows a function with one anchor per line to link to.
"""

from __future__ import annotations

import ast
import html
import inspect
import textwrap
from pathlib import Path
from typing import NamedTuple

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

import mlp
from mlp import scalar, vectorized

FORWARD = ("k", "h", "z", "y")
BACKWARD = ("dz", "dv", "dc", "dh", "dk", "dw", "db")
# The names a computing line reads: inputs, parameters, forward values, gradients.
NETWORK = {"x", "label", "labels", "params", "fwd", "w", "b", "v", "c", *FORWARD, *BACKWARD}
FORMS = {"scalar": scalar, "vectorized": vectorized}


class Line(NamedTuple):
    """One statement of the package's source: its file, first line number and text."""

    path: str  # relative to the project, e.g. mlp/scalar.py
    number: int
    text: str

    @property
    def anchor(self) -> str:
        """The id of this line in a `listing`: ``scalar-103``."""
        return f"{Path(self.path).stem}-{self.number}"


def function_of(form: str, name: str):
    """The function of ``mlp.<form>`` that computes ``name``: ``forward`` or ``backward``."""
    module = FORMS[form]
    return module.forward if name in FORWARD else module.backward


def computing_lines(function, name: str) -> list[Line]:
    """The statements of ``function`` that assign ``name`` (or an entry of it) from network values.

    ``k[j] += x[i] * w[i][j]`` and ``dz = y - ...`` count; an initialization such as
    ``k = [0.0] * n_hid``, which reads no value of the network, does not.
    """
    lines, start = inspect.getsourcelines(function)
    source = textwrap.dedent("".join(lines))
    path = Path(inspect.getsourcefile(function)).relative_to(Path(mlp.__file__).parent.parent).as_posix()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign)) and name in assigned_names(node) and (
                reads(node.value) & NETWORK):
            found.append(Line(path, start + node.lineno - 1, ast.get_source_segment(source, node)))
    return sorted(found)


def assigned_names(node: ast.Assign | ast.AugAssign) -> set[str]:
    """The variables a statement writes: ``k`` for ``k = ...``, ``k[j] += ...`` and ``k, h = ...``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = set()
    for target in targets:
        for part in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            while isinstance(part, (ast.Subscript, ast.Attribute, ast.Starred)):
                part = part.value  # dw[i][j] writes dw, not i or j
            if isinstance(part, ast.Name):
                names.add(part.id)
    return names


def reads(node: ast.AST) -> set[str]:
    """The names an expression reads."""
    return {part.id for part in ast.walk(node) if isinstance(part, ast.Name)}


def listing(function, title: str) -> str:
    """HTML of ``function``'s source with its real line numbers, one anchor per line (`Line.anchor`)."""
    lines, start = inspect.getsourcelines(function)
    prefix = Path(inspect.getsourcefile(function)).stem
    formatter = HtmlFormatter(linenos="inline", linenostart=start, lineanchors=prefix, cssclass="highlight")
    code = highlight("".join(lines), PythonLexer(), formatter)
    return f'<p class="mlp-source">{html.escape(title)}</p>\n<div class="mlp-listing">{code}</div>'
