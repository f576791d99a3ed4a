"""What the executed pages use to show results: numbers, tables, figures and source code.

Every number a page prints goes through :func:`number`, which tags it with the key of
the result it came from (``<span class="mlp-number" data-key=...>``), so a test can
check the built site against the results cache.
"""

from __future__ import annotations

import html
import inspect
import io
import re
import textwrap
from functools import lru_cache
from pathlib import Path

from IPython.display import HTML, SVG, Markdown, display

import mlp
from mlp import experiments
from mlp.text import percent
from mlp.experiments.profiles import from_environment as profile


@lru_cache(maxsize=None)
def results(name: str) -> dict:
    """The named experiment's results (from the cache, which the build filled)."""
    return experiments.run([name], profile())[name]


def lookup(key: str):
    """The value at a dotted key, ``experiment.field.field``, of the results."""
    name, *path = key.split(".")
    value = results(name)
    for part in path:
        value = value[int(part) if isinstance(value, list) else part]
    return value


FORMATS = {
    "percent": percent,
    "seconds": lambda v: f"{v:.1f} s",
    "sci": lambda v: f"{v:.1e}",
    "int": lambda v: f"{v:,.0f}",
    "plain": lambda v: f"{v:.4g}",
}


def number(key: str, fmt: str = "percent") -> str:
    """The result at ``key``, formatted and tagged for the site's consistency test."""
    text = FORMATS[fmt](lookup(key))
    return f'<span class="mlp-number" data-key="{html.escape(key)}" data-format="{fmt}">{text}</span>'


def md(text: str) -> None:
    """Show Markdown (numbers from :func:`number` may be embedded)."""
    display(Markdown(textwrap.dedent(text).strip()))


def table(header, rows) -> None:
    """Show a table (cells may hold :func:`number` spans)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    md("\n".join(lines))


def figure(fig, alt: str) -> None:
    """Show a Matplotlib figure as inline SVG, with ``alt`` as its accessible title."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    display(SVG(svg))


def source(obj) -> None:
    """Show the source of a function or class of the package, as it is in the package."""
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).relative_to(Path(mlp.__file__).parent.parent)
    display(HTML(f'<p class="mlp-source">{html.escape(path.as_posix())}, line {start}</p>'))
    md("```python\n" + "".join(lines) + "```")


def readme_commands() -> None:
    """Show the shell commands of the README, so the site and the README cannot disagree."""
    readme = (Path(mlp.__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    if len(blocks) < 2:
        raise ValueError("README.md should give its two commands in ```sh blocks")
    md("\n\n".join(f"```sh\n{block}```" for block in blocks))
