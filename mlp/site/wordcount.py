"""How much a Learn page asks a reader to read, and how much of it is engineering.

``python -m mlp.site.wordcount SITE_DIR`` prints, for each page of the Learn section (from
``mkdocs.yml``'s navigation, in its order), the words of its prose on the built site and
how many of them sit folded away (inside ``<details>``: solutions, checks, asides), and
the share of them in paragraphs that speak of engineering (`ENGINEERING`). Prose is the
text of the page's article in paragraphs, list items, table cells, headings and summaries,
without code (listings, code cells, inline code), their outputs, or math; a word is a run
of letters. A paragraph counts as engineering when its text, inline code included, names
one of `ENGINEERING`'s terms.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import yaml

BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "summary", "figcaption"}
CODE = {"pre", "code", "script", "style", "svg", "button"}
SKIPPED_CLASSES = {"jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt", "mlp-source", "mlp-download", "headerlink", "katex"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "param",
        "track"}
# The machinery of the package, not the mathematics of backpropagation.
ENGINEERING = re.compile(r"(?i)\b(argument check|check_\w+|ValueError|TypeError|OverflowError|DivergenceError|"
                         r"pair|stepper|buffers?|gather\w*|progress bar|tqdm|CLI|command line|Dask|cache[ds]?|"
                         r"BLAS|threads?|benchmark\w*|float32|dtype|fast twins?|mlp\.fast|Numba|allocat\w+|"
                         r"notebook|the build)\b")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class Block(NamedTuple):
    words: int  # of prose: no code, no math
    engineering: bool  # whether its text, code included, names an engineering term
    folded: bool = False  # inside a <details>, closed until the reader opens it


class _Prose(HTMLParser):
    """Collects the article's blocks: each one's prose and its full text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, skips prose, is a block) of each open element
        self.in_article = 0
        self.open = []  # [prose, full text] of each open block
        self.blocks: list[Block] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "article":
            self.in_article += 1
        skip = tag in CODE or bool(classes & SKIPPED_CLASSES)
        block = self.in_article > 0 and tag in BLOCKS
        self.stack.append((tag, skip, block))
        if block:
            self.open.append(["", ""])

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            open_tag, _, block = self.stack.pop()
            if block:
                prose, full = self.open.pop()
                folded = any(t == "details" for t, _, _ in self.stack)
                self.blocks.append(Block(len(WORD.findall(MATH.sub(" ", prose))),
                                         bool(ENGINEERING.search(MATH.sub(" ", full))), folded))
            if open_tag == "article":
                self.in_article -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.open:
            return
        skipped = any(skip for _, skip, _ in self.stack)
        self.open[-1][1] += data
        if not skipped:
            self.open[-1][0] += data


def blocks(html: str) -> list[Block]:
    """The prose blocks of a built page's article."""
    parser = _Prose()
    parser.feed(html)
    parser.close()
    return [block for block in parser.blocks if block.words]


class Count(NamedTuple):
    words: int
    engineering: int  # words in engineering paragraphs
    folded: int  # words inside <details>


def count(html: str) -> Count:
    """A built page's prose words, and how many of them are in engineering paragraphs, and folded."""
    found = blocks(html)
    return Count(sum(b.words for b in found), sum(b.words for b in found if b.engineering),
                 sum(b.words for b in found if b.folded))


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's own tags (!ENV, !relative) read as nothing: only the navigation matters."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def learn_pages(config: Path) -> list[tuple[str, str]]:
    """``(title, source file)`` of each page of the navigation's Learn section, in order."""
    for entry in yaml.load(config.read_text(), Loader=_Loader)["nav"]:
        ((title, value),) = entry.items()
        if title == "Learn":
            return [next(iter(item.items())) for item in value]
    raise ValueError(f"{config}: no Learn section in the navigation")


def built(site: Path, source: str) -> Path:
    """Where a page's source is built to (directory URLs: ``scalar.py`` -> ``scalar/index.html``)."""
    stem = Path(source).with_suffix("")
    return site / ("index.html" if stem.name == "index" else stem / "index.html")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlp.site.wordcount", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site's folder")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="the navigation (mkdocs.yml)")
    args = parser.parse_args(argv)
    rows = []
    for title, source in learn_pages(args.config):
        path = built(args.site, source)
        if not path.exists():
            print(f"{path}: not built", file=sys.stderr)
            return 1
        rows.append((title, count(path.read_text())))
    rows.append(("all Learn pages", Count(*(sum(c[i] for _, c in rows) for i in range(3)))))
    width = max(len(title) for title, _ in rows)
    print(f"{'page':<{width}}  {'words':>6}  {'folded':>6}  {'engineering':>11}")
    for title, c in rows:
        print(f"{title:<{width}}  {c.words:>6}  {c.folded:>6}  {c.engineering / c.words if c.words else 0:>11.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
