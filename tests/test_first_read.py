"""A first read, top to bottom: no Learn page uses a term or a function before the page that introduces it.

The Learn pages are read in the order of the site's navigation (mkdocs.yml), from their
source text. Each term below has the page that introduces it and the mark of that
introduction: a bold definition for a word, the listing (``page.source``) for a function.
A page before that one may name the term only on a line that links to the introducing
page ("explained on Training"); on the introducing page itself, a word may not appear
above its introduction, not even earlier in the sentence that introduces it, but for
headings and lines that point down the page to it (``[below](#...)``); a function may
be named in the paragraph or cell just above its listing.

Words reach the reader from every cell (a cell whose input is hidden still prints its
text); code reaches the reader only from cells whose input is shown, so the uses of a
function are counted in those alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LEARN = ["gradients.py", "notation.md", "scalar.py", "derivatives.py", "nudge.py", "vectorized.py", "layers.py",
         "gradcheck.py", "training.md", "cheatsheet.py"]


class Term(NamedTuple):
    name: str
    use: str  # a regular expression that finds a use
    page: str  # the page (under docs/) that introduces it
    marker: str  # a regular expression that finds the introduction on that page
    code: bool  # a function of the package (counted in shown code) rather than a word


def listing(function: str) -> str:
    return rf"page\.source\({re.escape(function)}\)"


def bold(words: str) -> str:
    return rf"\*\*{words}\*\*"


TERMS = [
    Term("mlp.site.page", r"\bpage\.\w+\(", "scalar.py", r"`mlp\.site\.page`", True),
    Term("backward pass", r"(?i)\bbackward pass", "scalar.py", bold("backward pass"), False),
    Term("dz", r"`dz`|\bdz\b(?!_)", "notation.md", r"`dz` here is not a differential", False),
    Term("Jacobian", r"(?i)\bjacobian", "derivatives.py", bold("Jacobian"), False),
    Term("computational graph", r"(?i)\bcomputational graph", "scalar.py", bold("computational graph"), False),
    Term("softmax", r"(?i)\bsoftmax", "notation.md", bold("softmax"), False),
    Term("logit", r"(?i)\blogits?\b", "notation.md", bold("logit"), False),
    Term("one-hot", r"(?i)\bone-hot", "notation.md", bold("one-hot"), False),
    Term("cross-entropy", r"(?i)\bcross-entropy", "notation.md", bold("cross-entropy"), False),
    Term("log-sum-exp", r"(?i)\blog-sum-exp", "scalar.py", bold("log-sum-exp"), False),
    Term("central differences", r"(?i)\bcentral (finite )?differences", "scalar.py", bold("central differences"),
         False),
    Term('reduction="sum"', r"reduction=.sum", "notation.md", r'`reduction="sum"`, the default', False),
    Term("scalar.backward", r"\bscalar\.backward\b", "scalar.py", listing("scalar.backward"), True),
    Term("scalar.gradients", r"\bscalar\.gradients\b", "scalar.py", listing("scalar.gradients"), True),
    Term("vectorized.forward", r"\bvectorized\.forward\b", "vectorized.py", listing("vectorized.forward"), True),
    Term("vectorized.gradients", r"\bvectorized\.gradients\b", "vectorized.py", listing("vectorized.gradients"),
         True),
    Term("gradcheck.compare", r"\bgradcheck\.compare\b", "gradcheck.py", listing("gradcheck.compare"), True),
    Term("the initializations", r"(?i)\b(xavier|lecun|glorot)\b", "vectorized.py", bold("LeCun initialization"),
         False),
    Term("BLAS", r"\bBLAS\b", "vectorized.py", bold("BLAS"), False),
    Term("nats", r"\bnats?\b", "training.md", bold("nats"), False),
    Term("confidence interval", r"(?i)\bconfidence intervals?\b", "training.md", bold("confidence interval"), False),
    Term("Welch's t-test", r"\bWelch", "training.md", bold("Welch's t-test"), False),
]


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's own tags (!ENV, !relative) read as nothing: only the nav matters here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def nav(root: Path) -> list[tuple[str, list[str]]]:
    """The navigation's sections, each ``(title, [page, ...])``; a top-level page is its own section."""
    sections = []
    for entry in yaml.load((root / "mkdocs.yml").read_text(), Loader=_Loader)["nav"]:
        ((title, value),) = entry.items()
        pages = [value] if isinstance(value, str) else [next(iter(item.values())) for item in value]
        sections.append((title, pages))
    return sections


class Block(NamedTuple):
    text: str
    shown: bool  # whether its code is shown (not a cell tagged hide-input)


def blocks(path: Path) -> list[Block]:
    """A page's cells (a jupytext percent file) or paragraphs (Markdown), in order."""
    text = path.read_text()
    if path.suffix == ".py":
        cells = re.split(r"^(?=# %%)", text, flags=re.M)
        return [Block(cell, "hide-input" not in cell.partition("\n")[0]) for cell in cells if cell.strip()]
    return [Block(paragraph, True) for paragraph in re.split(r"\n\s*\n", text) if paragraph.strip()]


def links_to(line: str, page: str) -> bool:
    """Whether a line links to a page, as .py pages (``../training/``) or .md pages (``training.md``) do."""
    stem = re.escape(Path(page).stem)
    return re.search(rf"\]\((\.\./)?{stem}(/|\.md|\.py)?(#[^)]*)?\)", line) is not None


def uses(block: Block, term: Term, pointer_to: str | None = None) -> list[str]:
    """The lines of a block that use a term (and, with ``pointer_to``, do not link to that page)."""
    if term.code and not block.shown:
        return []
    return [line.strip() for line in block.text.splitlines()
            if re.search(term.use, line) and not (pointer_to and links_to(line, pointer_to))]


def problems(root: Path, terms=TERMS) -> list[str]:
    """Every place a first read meets a term before its introduction, or an introduction that is missing."""
    pages = dict(nav(root))["Learn"]
    found = []
    for term in terms:
        if term.page not in pages:
            found.append(f"{term.name}: its page {term.page} is not in the navigation")
            continue
        for page in pages[:pages.index(term.page)]:
            for line in (line for block in blocks(root / "docs" / page) for line in uses(block, term, term.page)):
                found.append(f"{page} uses {term.name} before {term.page} introduces it: {line[:100]}")
        own = blocks(root / "docs" / term.page)
        marked = [n for n, block in enumerate(own) if re.search(term.marker, block.text)]
        if not marked:
            found.append(f"{term.page} does not introduce {term.name} (no {term.marker!r})")
            continue
        if term.code:  # a listing's caption may name the function just above it
            above = own[:max(marked[0] - 1, 0)]
        else:  # a word: every paragraph above, and the introducing one up to its mark, headings aside
            heading = r"(?m)^# #{1,6} .*$" if term.page.endswith(".py") else r"(?m)^#{1,6} .*$"
            text = own[marked[0]].text[:re.search(term.marker, own[marked[0]].text).start()]
            above = [block._replace(text=re.sub(heading, "", block.text))
                     for block in [*own[:marked[0]], Block(text, True)]]
        for block in above:
            for line in uses(block, term):
                if "](#" not in line:  # a line that points down the page is allowed
                    found.append(f"{term.page} uses {term.name} above its introduction: {line[:100]}")
    return found


def test_the_navigation_has_three_parts_and_learn_reads_in_order():
    sections = nav(ROOT)
    assert [title for title, _ in sections] == ["Home", "Learn", "The report, reproduced", "Under the hood"]
    assert dict(sections)["Learn"] == LEARN


def test_a_first_read_meets_every_term_after_its_introduction():
    assert problems(ROOT) == []


@pytest.fixture
def site(tmp_path):
    """A small site to plant faults in: a nav of two pages."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_url: !ENV [X, '']\nnav:\n  - Home: index.md\n  - Learn:\n    - One: one.md\n    - Two: two.py\n")
    return tmp_path


def write(site, one, two):
    (site / "docs" / "one.md").write_text(one)
    (site / "docs" / "two.py").write_text(two)


ONE_TERM = [Term("BLAS", r"\bBLAS\b", "two.py", bold("BLAS"), False),
            Term("gradcheck.compare", r"\bgradcheck\.compare\b", "two.py", listing("gradcheck.compare"), True)]


def test_a_word_used_on_an_earlier_page_is_found(site):
    write(site, "# One\n\nNumPy calls BLAS.\n",
          "# %% [markdown]\n# **BLAS** is a library.\n\n# %% tags=[\"hide-input\"]\npage.source(gradcheck.compare)\n")
    assert problems(site, ONE_TERM) == ["one.md uses BLAS before two.py introduces it: NumPy calls BLAS."]


def test_a_line_that_says_where_the_word_is_explained_is_allowed(site):
    write(site, "# One\n\nNumPy calls BLAS ([explained](two.py#blas)).\n",
          "# %% [markdown]\n# **BLAS** is a library.\n\n# %% tags=[\"hide-input\"]\npage.source(gradcheck.compare)\n")
    assert problems(site, ONE_TERM) == []


def test_code_counts_only_where_it_is_shown(site):
    shown = "# %%\nerrors = gradcheck.compare(a, b)\n\n"
    hidden = "# %% tags=[\"hide-input\"]\nerrors = gradcheck.compare(a, b)\n\n"
    intro = "# %% [markdown]\n# **BLAS**, and the listing:\n\n# %% tags=[\"hide-input\"]\npage.source(gradcheck.compare)\n"
    write(site, "# One\n", hidden + "# %% [markdown]\n# text\n\n" + intro)
    assert problems(site, ONE_TERM) == []
    write(site, "# One\n", shown + "# %% [markdown]\n# text\n\n" + intro)
    assert problems(site, ONE_TERM) == ["two.py uses gradcheck.compare above its introduction: errors = gradcheck.compare(a, b)"]


def test_a_missing_introduction_is_found(site):
    write(site, "# One\n", "# %% [markdown]\n# BLAS is a library.\n")
    assert problems(site, ONE_TERM) == [
        "two.py does not introduce BLAS (no '\\\\*\\\\*BLAS\\\\*\\\\*')",
        "two.py does not introduce gradcheck.compare (no 'page\\\\.source\\\\(gradcheck\\\\.compare\\\\)')",
    ]


def test_a_word_used_earlier_in_the_sentence_that_introduces_it_is_found(site):
    intro = "# %% [markdown]\n# ## On BLAS\n#\n# NumPy calls BLAS.\n# **BLAS** is a library.\n"
    listing_cell = "\n# %% tags=[\"hide-input\"]\npage.source(gradcheck.compare)\n"
    write(site, "# One\n", intro + listing_cell)
    assert problems(site, ONE_TERM) == ["two.py uses BLAS above its introduction: # NumPy calls BLAS."]
    write(site, "# One\n", intro.replace("# NumPy calls BLAS.\n", "") + listing_cell)
    assert problems(site, ONE_TERM) == []  # the heading may name it


def test_pages_outside_learn_are_not_read(site):
    (site / "docs" / "index.md").write_text("# Home\n\nNumPy calls BLAS.\n")
    write(site, "# One\n", "# %% [markdown]\n# **BLAS** is a library.\n\n# %% tags=[\"hide-input\"]\n"
          "page.source(gradcheck.compare)\n")
    assert problems(site, ONE_TERM) == []
