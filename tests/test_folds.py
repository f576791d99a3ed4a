"""Cells tagged to be folded (a page's checks) end up inside one closed <details> per run."""

import re

from mlp.site.hooks import FOLDS, fold_checks


def cell(text, tag=None, code=False):
    """A cell as the site's pages write it: a code cell in two nested jp-Cell divs, both tagged;
    a Markdown cell's tag on its rendered div, inside jp-Cell-inputWrapper and jp-InputArea."""
    tags = f" celltag_{tag}" if tag else ""
    if code:
        return (f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell{tags}">\n'
                f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell{tags}" id="c">'
                f'<div class="jp-Cell-inputWrapper"><div>{text}</div></div></div>\n</div>\n')
    return (f'<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell" id="m">\n'
            f'<div class="jp-Cell-inputWrapper" tabindex="0"><div class="jp-InputArea jp-Cell-inputArea">'
            f'<div class="jp-RenderedMarkdown{tags}"><p>{text}</p></div></div></div>\n</div>\n')


def folded(html):
    """The text of each <details>, and the text outside any."""
    inside = re.findall(r"<details[^>]*><summary>(.*?)</summary>(.*?)</details>", html, flags=re.S)
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    return [(summary, re.findall(r"[A-Z]\d", body)) for summary, body in inside], re.findall(r"[A-Z]\d", outside)


def test_a_run_of_tagged_cells_folds_into_one_details_and_nothing_else_moves():
    html = (cell("A1") + cell("B1", "check") + cell("C1", "check", code=True) + cell("D1", code=True)
            + cell("E1", "check", code=True) + cell("F1"))
    out = fold_checks(html)
    assert folded(out) == ([(FOLDS["check"], ["B1", "C1"]), (FOLDS["check"], ["E1"])], ["A1", "D1", "F1"])
    assert out.count("<div") == out.count("</div>")
    assert re.sub(r"</?details[^>]*>|<summary>.*?</summary>", "", out) == html
    for details in re.findall(r"<details.*?</details>", out, flags=re.S):  # whole cells, balanced
        assert details.count("<div") == details.count("</div>")
        assert re.search(r"</summary><div class=\"jp-Cell jp-", details)


def test_two_kinds_of_fold_side_by_side_stay_apart():
    out = fold_checks(cell("A1", "check", code=True) + cell("B1", "overflow", code=True))
    assert folded(out)[0] == [(FOLDS["check"], ["A1"]), (FOLDS["overflow"], ["B1"])]


def test_untagged_cells_are_left_as_they_are():
    html = cell("A1") + cell("B1", "hide-input", code=True)
    assert fold_checks(html) == html


def test_the_learn_pages_sympy_checks_are_folded():
    """On the Learn pages, every cell that runs a SymPy check (``.holds()``) is tagged to fold."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    unfolded = []
    for page in ("scalar.py", "derivatives.py"):
        for cell in re.split(r"^(?=# %%)", (root / "docs" / page).read_text(), flags=re.M):
            header = cell.partition("\n")[0]
            if ".holds()" in cell and "[markdown]" not in header and '"check"' not in header:
                unfolded.append(f"{page}: {cell.strip()[:80]}")
    assert not unfolded, unfolded
