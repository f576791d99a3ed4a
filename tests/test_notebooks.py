"""Executed pages: one execution per key, kept whole, a failing cell names its page."""

from __future__ import annotations

import nbformat
import pytest

from mlp.site import notebooks

PAGE = """\
# %% [markdown]
# # A page

# %% tags=["hide-input"]
x = 6 * 7
print(x)
"""


@pytest.fixture
def page(tmp_path):
    source = tmp_path / "docs" / "a_page.py"
    source.parent.mkdir()
    source.write_text(PAGE)
    return source


def stored(page, into, page_key="k1"):
    root = page.parent.parent
    return notebooks.stored(page, into, notebooks.intro(page, root, "quick"), "python3", page_key, root)


def test_the_key_follows_the_text_the_intro_and_the_page_key(page):
    base = notebooks.key(page, "intro", "k1", "python3")
    assert notebooks.key(page, "intro", "k2", "python3") != base
    assert notebooks.key(page, "other intro", "k1", "python3") != base
    page.write_text(PAGE.replace("6 * 7", "6 * 8"))
    assert notebooks.key(page, "intro", "k1", "python3") != base


def test_a_page_executes_once_with_its_intro_and_its_tags(page, tmp_path):
    into = tmp_path / "cache"
    path, seconds, kernel_seconds = stored(page, into)
    assert seconds is not None and 0 < kernel_seconds < seconds  # the kernel's start is part of it
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    intro, heading, code = nb.cells
    assert notebooks.INTRO_TAG in intro.metadata["tags"] and "docs/a_page.py" in intro.source
    assert code.metadata["tags"] == ["hide-input"]
    assert code.outputs[0]["text"] == "42\n"
    assert stored(page, into) == (path, None, None)  # stored: not executed again
    assert [p.name for p in into.iterdir()] == [path.name]  # no partial file left
    other, seconds, _ = stored(page, into, page_key="k2")  # new results: executed anew
    assert other != path and seconds is not None


def test_a_failing_cell_names_its_page_and_stores_nothing(page, tmp_path):
    page.write_text(PAGE + "\n# %%\nraise ValueError('planted')\n")
    into = tmp_path / "cache"
    with pytest.raises(notebooks.PageFailed, match=r"(?s)a_page\.py.*ValueError.*planted"):
        stored(page, into)
    assert not into.exists() or not any(into.iterdir())


def test_after_a_failure_the_pages_not_started_never_start():
    started = []

    def run(job, env):
        started.append(job)
        if job == "bad":
            raise notebooks.PageFailed("bad")
        return job

    with pytest.raises(notebooks.PageFailed):
        notebooks.execute_all({"a": "bad", "b": "bad", "c": "c", "d": "d"}, run, threads=1)
    assert started == ["bad"]
    assert notebooks.execute_all({"a": "a", "b": "b"}, run, threads=2) == {"a": "a", "b": "b"}
