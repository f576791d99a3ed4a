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
from mlp import text
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
        value = value[part if isinstance(value, dict) else int(part)]
    return value


FORMATS = text.FORMATS
_FROM_RESULTS = object()


def number(key: str, fmt: str = "percent", value=_FROM_RESULTS) -> str:
    """A number for a page, formatted and tagged for the site's consistency test.

    By default the result at ``key`` (:func:`lookup`). A number the page derives from the
    results (a verdict's margin, a ratio of two curves) passes its ``value`` and a ``key``
    naming what it is; the span then carries the value, so the test can still check the
    text against it. Every computed number a page shows goes through here.
    """
    derived = value is not _FROM_RESULTS
    value = float(value) if derived else lookup(key)
    extra = f' data-value="{value!r}"' if derived else ""
    return (f'<span class="mlp-number" data-key="{html.escape(key)}" data-format="{fmt}"{extra}>'
            f'{FORMATS[fmt](value)}</span>')


def mean_std(key: str) -> str:
    """``mean ± std`` of the summary at ``key``, each number tagged (:func:`mlp.text.mean_std`)."""
    return text.mean_std(lookup(key), lambda field: number(f"{key}.{field}"))


def interval(key: str) -> str:
    """The confidence interval of the summary at ``key``, ``low – high``, each end tagged."""
    return f"{number(key + '.ci_low')} – {number(key + '.ci_high')}"


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
