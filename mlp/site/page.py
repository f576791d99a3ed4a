"""What the executed pages use to show results: numbers, tables, figures and source code.

Every number a page prints goes through :func:`number`, which tags it with the key of
the result it came from (``<span class="mlp-number" data-key=...>``), so a test can
check the built site against the results cache.
"""

from __future__ import annotations

import base64
import html
import inspect
import itertools
import re
import textwrap
from functools import lru_cache
from pathlib import Path

from IPython.display import HTML, Markdown, display

import mlp
from mlp import experiments
from mlp import text
from mlp.experiments.profiles import from_environment as profile


@lru_cache(maxsize=None)
def results(name: str) -> dict:
    """The named experiment's results (from the cache, which the build filled)."""
    return experiments.run([name], profile())[name]


def lookup(key: str):
    """The value at a dotted key, ``experiment.field.field``, of the results.

    A part names a dict's key, a ``Params`` field (``dry_run.scalar.v.0.1``) or an index.
    """
    name, *path = key.split(".")
    value = results(name)
    for part in path:
        if isinstance(value, dict):
            value = value[part]
        elif isinstance(value, mlp.Params) and part in mlp.Params._fields:
            value = getattr(value, part)
        else:
            value = value[int(part)]
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
    """Show a Matplotlib figure as an SVG image whose ``alt`` text describes it.

    An ``<img>`` of a data URI shown as HTML, not an SVG output: nbconvert turns an SVG
    output into an ``<img>`` with a placeholder ``alt``, and a screen reader reads the
    ``alt``, not the text inside the SVG.
    """
    from mlp import plots

    display(HTML(image(plots.svg(fig), alt)))


def image(svg: str, alt: str) -> str:
    """``<img class="mlp-figure">`` of an SVG document as a data URI, with ``alt`` (which must say something)."""
    if not alt or not alt.strip():
        raise ValueError("a figure needs a text alternative that describes it")
    data = base64.b64encode(svg.encode()).decode("ascii")
    return f'<img class="mlp-figure" alt="{html.escape(alt.strip())}" src="data:image/svg+xml;base64,{data}">'


# matplotlib's player draws its buttons with Font Awesome from a CDN; plain characters instead.
PLAYER_ICONS = {"fa-minus": "\u2212", "fa-fast-backward": "\u00ab", "fa-step-backward": "\u2039",
                "fa-play fa-flip-horizontal": "\u25c0", "fa-pause": "\u275a\u275a", "fa-play": "\u25b6",
                "fa-step-forward": "\u203a", "fa-fast-forward": "\u00bb", "fa-plus": "+"}


PLAYERS = itertools.count(1)  # the players of this page, numbered in order


def player(animation, alt: str) -> None:
    """Show a Matplotlib animation as a self-contained step-by-step player (SVG frames, no CDN)."""
    import matplotlib

    if not alt or not alt.strip():
        raise ValueError("a player needs a text alternative that describes it")
    with matplotlib.rc_context({"animation.frame_format": "svg", "svg.fonttype": "none"}):
        text = animation.to_jshtml()
    text = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", text)
    text = re.sub(r'<i class="fa ([^"]+)"></i>', lambda m: PLAYER_ICONS[m.group(1)], text)
    text = re.sub(r'<img id="(_anim_img\w+)">', lambda m: f'<img id="{m.group(1)}" class="mlp-figure" '
                  f'alt="{html.escape(alt.strip())}">', text)
    # For screen readers: the frame slider gets a name, and each player's "Repetition mode"
    # form, a landmark, a name of its own.
    number = next(PLAYERS)
    text = text.replace('class="anim-slider"', f'class="anim-slider" aria-label="Frame of player {number}"', 1)
    text = text.replace('aria-label="Repetition mode"', f'aria-label="Repetition mode of player {number}"', 1)
    if "https://" in text or "http://" in text or 'class="mlp-figure"' not in text:
        raise RuntimeError("matplotlib's player changed: it would load from the network or lack its alt text")
    display(HTML(f'<div class="mlp-player">{text}</div>'))


# The files whose text the pages show (`source`, `folded`, `snippet`, `listing`, `readme_commands`,
# `mlp.site.sourcelines`): their comments and line numbers are on the site, so their text keys
# the executed pages verbatim (`mlp.site.hooks.page_key`); of every other module only the code counts.
SHOWN = ("README.md", "docs/assets/network.js", "mlp/activations.py", "mlp/data.py", "mlp/derivations.py", "mlp/fast.py", "mlp/gradcheck.py",
         "mlp/kernels.py", "mlp/layers.py", "mlp/scalar.py", "mlp/train.py", "mlp/vectorized.py")


def _shown(path: str) -> str:
    """``path`` (relative to the project) if it is one of `SHOWN`."""
    if path not in SHOWN:
        raise ValueError(f"{path} is not in mlp.site.page.SHOWN, the files whose text keys the pages: add it there")
    return path


def _listing(obj) -> tuple[str, str]:
    """A function's or class's place (``<p class="mlp-source">``) and its source as a Markdown code block."""
    lines, start = inspect.getsourcelines(obj)
    path = _shown(Path(inspect.getsourcefile(obj)).relative_to(Path(mlp.__file__).parent.parent).as_posix())
    return (f'<p class="mlp-source">{html.escape(path)}, line {start}</p>',
            "```python\n" + "".join(lines) + "```")


def source(obj) -> None:
    """Show the source of a function or class of the package, as it is in the package (one of `SHOWN`)."""
    place, code = _listing(obj)
    display(HTML(place))
    md(code)


def folded(summary: str, text: str, *objects) -> None:
    """Show Markdown ``text`` and the source of ``objects`` in one folded block (``<details>``), closed
    until the reader opens it: a side matter kept out of the way of the explanation."""
    listings = "\n\n".join(part for obj in objects for part in _listing(obj))
    display(Markdown(f'<details class="note"><summary>{html.escape(summary)}</summary>\n\n'
                     f"{textwrap.dedent(text).strip()}\n\n{listings}\n\n</details>"))


def snippet(path: str, name: str) -> None:
    """Show the section ``name`` of a package file (one of `SHOWN`), between its
    ``# --8<-- [start:name]`` and ``[end:name]`` lines: the same sections the Markdown pages
    include with pymdownx.snippets."""
    lines = (Path(mlp.__file__).parent.parent / _shown(path)).read_text().splitlines(keepends=True)
    marks = [n for n, line in enumerate(lines) if re.fullmatch(rf"# --8<-- \[(start|end):{re.escape(name)}\]\s*", line)]
    if len(marks) != 2:
        raise ValueError(f"{path} has no section {name!r} (one start and one end line)")
    start, end = marks
    display(HTML(f'<p class="mlp-source">{html.escape(path)}, line {start + 2}</p>'))
    md("```python\n" + "".join(lines[start + 1:end]) + "```")


def listing(path: str, language: str) -> None:
    """Show a file of the project as it is, by its path from the project's root (a script the site runs;
    one of `SHOWN`)."""
    text = (Path(mlp.__file__).parent.parent / _shown(path)).read_text()
    display(HTML(f'<p class="mlp-source">{html.escape(path)}</p>'))
    md(f"```{language}\n{text}```")


def quiz(name: str) -> None:
    """Show the question ``name`` of `mlp.quiz.questions`: the reader types an answer, the page checks it."""
    from mlp import quiz as questions
    from mlp.site import quiz as render

    display(HTML(render.render(questions.questions()[name])))


def nudge(point: dict) -> None:
    """Show the "nudge a weight" figure (`mlp.site.nudge`) at ``point``, a `synthetic_inside.backprop_point`."""
    from mlp.site import nudge as figure

    display(HTML(figure.render(point)))


def readme_commands() -> None:
    """Show the shell commands of the README, so the site and the README cannot disagree."""
    readme = (Path(mlp.__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    if len(blocks) < 2:
        raise ValueError("README.md should give its two commands in ```sh blocks")
    md("\n\n".join(f"```sh\n{block}```" for block in blocks))
