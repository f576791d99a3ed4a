"""What an executed page shows as the package's code: a snippet section, a folded block."""

import pytest

from mlp import vectorized
from mlp.site import page


@pytest.fixture
def shown(monkeypatch):
    """What the page helpers display, in order."""
    out = []
    monkeypatch.setattr(page, "display", out.append)
    return out


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A file to show, written by the test and counted among the shown files."""
    path = tmp_path / "module.py"
    monkeypatch.setattr(page, "SHOWN", (*page.SHOWN, str(path)))
    return path


SOURCE = """import math


# --8<-- [start:twice]
def twice(a):
    return 2 * a
# --8<-- [end:twice]


def other():
    pass
"""


def test_a_snippet_shows_the_lines_between_its_markers_and_where_they_start(module, shown):
    path = module
    path.write_text(SOURCE)
    page.snippet(str(path), "twice")
    place, code = shown
    assert f"{path}, line 5" in place.data
    assert code.data == "```python\ndef twice(a):\n    return 2 * a\n```"


def test_a_missing_or_unclosed_section_is_an_error(module, shown):
    path = module
    path.write_text(SOURCE.replace("# --8<-- [end:twice]\n", ""))
    for name in ("twice", "thrice"):
        with pytest.raises(ValueError, match=name):
            page.snippet(str(path), name)
    assert shown == []


def test_a_folded_block_holds_the_text_and_each_function_closed_until_opened(shown):
    page.folded("Why it cannot overflow", "The **sigmoid** uses $e^{-|k|}$.", vectorized.sigmoid,
                vectorized.softmax)
    (block,) = shown
    text = block.data
    assert text.startswith('<details class="note"><summary>Why it cannot overflow</summary>')
    assert text.rstrip().endswith("</details>")
    assert "open" not in text.split(">", 1)[0]
    assert "The **sigmoid** uses $e^{-|k|}$." in text
    for function in ("def sigmoid(", "def softmax("):
        assert function in text
    assert text.index("def sigmoid(") < text.index("def softmax(")


def test_a_snippet_of_a_file_whose_text_does_not_key_the_pages_is_refused(tmp_path, shown):
    path = tmp_path / "module.py"
    path.write_text(SOURCE)
    with pytest.raises(ValueError, match="SHOWN"):
        page.snippet(str(path), "twice")
