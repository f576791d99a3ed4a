"""Numbers and tables as text: the one percent format, ``mean ± std``, and plain-text tables.

The site (:mod:`mlp.site.page`), the summary table (:mod:`mlp.experiments.table`) and the
benchmark (:mod:`mlp.bench`) all write through these, so one number reads the same everywhere.
"""

from __future__ import annotations


def percent(value: float) -> str:
    """A fraction as a percentage with two decimals: ``0.9314 -> "93.14%"``."""
    return f"{100 * value:.2f}%"


# How each kind of number is written, by name: the site tags its numbers with the name
# (``page.number(key, fmt)``), and the package's own sentences (:mod:`mlp.experiments.verdicts`)
# write through the same table, so a number reads the same in both.
FORMATS = {
    "percent": percent,
    "percent0": lambda v: f"{100 * v:.0f}%",
    "points": lambda v: f"{100 * v:.2f}",  # a difference of two percentages, in points
    "seconds": lambda v: f"{v:.1f} s",
    "sci": lambda v: f"{v:.1e}",
    "int": lambda v: f"{v:,.0f}",
    "plain": lambda v: f"{v:.4g}",
    "1f": lambda v: f"{v:.1f}",
    "2f": lambda v: f"{v:.2f}",
    "3f": lambda v: f"{v:.3f}",
    "4f": lambda v: f"{v:.4f}",
    "6f": lambda v: f"{v + 0.0:.6f}",  # + 0.0: a zero reads 0.000000, never -0.000000
    "signed4f": lambda v: f"{v + 0.0:+.4f}",
    "3g": lambda v: f"{v + 0.0:.3g}",  # three significant digits, as the graph figure writes them
    "2sig": lambda v: f"{float(f'{v:.2g}'):,.0f}",  # a count rounded to two significant digits
    "duration": lambda v: f"{1e3 * v:.3g} ms" if v >= 1e-3 else f"{1e6 * v:.3g} µs",  # seconds, shown in ms or µs
}


def plain(key: str, fmt: str, value) -> str:
    """A number written by :data:`FORMATS`, untagged: the default ``show`` of the package's sentences."""
    return FORMATS[fmt](value)


def mean_std(s: dict, show=None, interval: bool = False) -> str:
    """``mean ± std`` of a summary over seeds (:func:`mlp.experiments.stats.summary`).

    ``show(field)`` writes one field of ``s`` (default: :func:`percent` of it; the site
    passes one that tags the number). One seed gives the mean alone. ``interval=True`` adds
    the confidence interval of the mean and the number of seeds.
    """
    show = show or (lambda field: percent(s[field]))
    if s["n"] < 2:
        return show("mean")
    text = f"{show('mean')} ± {show('std')}"
    if interval:
        text += f" ({100 * s['confidence']:.0f}% CI {show('ci_low')} – {show('ci_high')}, {s['n']} seeds)"
    return text


def plain_table(header, rows, align: str = "left") -> str:
    """Rows of cells as a plain-text table, columns padded to their widest cell.

    ``align="left"`` pads on the right and puts a rule of dashes under the header;
    ``"right"`` pads on the left (for columns of numbers), without a rule.
    """
    header, rows = [str(c) for c in header], [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    if align == "left":
        rows = [["-" * w for w in widths], *rows]
    pad = str.ljust if align == "left" else str.rjust
    return "\n".join("  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows])
