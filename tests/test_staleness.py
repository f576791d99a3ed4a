"""One rule for a stale result: the code that can change it changed; comments and docstrings do not count."""

import ast
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlp import cache, staleness
from mlp.site import hooks
from mlp.site.page import SHOWN


def test_code_changes_count_but_comments_and_docstrings_do_not():
    base = 'def f(x):\n    """Twice x."""\n    return 2 * x\n'
    assert staleness.code_only(base) == staleness.code_only('def f(x):\n    """Doubles."""\n    # why\n    return 2 * x\n')
    assert staleness.code_only(base) == staleness.code_only("def f(x):\n    return 2 * x  # the same code\n")
    assert staleness.code_only(base) != staleness.code_only('def f(x):\n    """Twice x."""\n    return 3 * x\n')
    assert staleness.code_only('"""Module."""\n') == staleness.code_only("")
    assert staleness.code_only('def f():\n    return "text"\n') != staleness.code_only('def f():\n    return "other"\n')


# ------------------------------------------------------------ a package of several modules

@pytest.fixture
def small(tmp_path):
    """A package ``mlp`` of its own: ``a`` imports ``b`` (relative), ``b`` imports ``c`` inside a
    function (absolute); ``d`` is imported by none of them."""
    files = {
        "mlp/__init__.py": "",
        "mlp/jobs/__init__.py": "from mlp.jobs import d\n",
        "mlp/jobs/a.py": '"""Runs."""\nfrom . import b\n\n\ndef run():\n    return b.step() + 1\n',
        "mlp/jobs/b.py": "import numpy as np\n\n\ndef step():\n    from mlp.c import SCALE\n    return np.float64(SCALE)\n",
        "mlp/c.py": "SCALE = 2\n",
        "mlp/jobs/d.py": "def figure():\n    return 'drawn'\n",
        "docs/page.py": "from mlp.jobs import a\n\nprint(a.run())\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_modules_are_found_from_the_imports_across_the_package(small):
    found = staleness.modules(["mlp.jobs.a"], small)
    assert found == ("mlp/__init__.py", "mlp/c.py", "mlp/jobs/__init__.py", "mlp/jobs/a.py", "mlp/jobs/b.py")
    assert staleness.modules(["docs/page.py"], small) == ("docs/page.py", *found)  # a file: a page
    with pytest.raises(ValueError, match="not a module"):
        staleness.modules(["mlp.jobs.missing"], small)


@pytest.mark.parametrize("name, edit, changes", [
    ("mlp/jobs/a.py", lambda t: t.replace('"""Runs."""', '"""Runs, edited."""'), False),  # a docstring
    ("mlp/jobs/b.py", lambda t: t + "\n# a comment\n\n", False),
    ("mlp/jobs/b.py", lambda t: t.replace("import numpy as np\n", "import numpy as np  # why\n"), False),
    ("mlp/c.py", lambda t: t.replace("2", "3"), True),  # imported inside a function, two steps away
    ("mlp/jobs/b.py", lambda t: t.replace("np.float64", "float"), True),
    ("mlp/jobs/d.py", lambda t: t.replace("drawn", "redrawn"), False),  # unrelated: only a parent imports it
])
def test_the_hash_follows_the_code_of_the_modules_a_result_runs(small, name, edit, changes):
    before = staleness.code_hash(["mlp.jobs.a"], small)
    path = small / name
    path.write_text(edit(path.read_text()) + ("" if changes else "\n"))  # a new size: seen within one mtime tick
    assert (staleness.code_hash(["mlp.jobs.a"], small) != before) is changes


def test_a_module_added_where_an_import_now_finds_it_changes_the_hash(small):
    """No importer is edited: ``from mlp.c import SCALE`` now finds the package ``mlp/c/``,
    which Python imports before ``mlp/c.py``. The hash is kept per state of the files, so it
    must see the new file."""
    before = staleness.code_hash(["mlp.jobs.a"], small)
    assert staleness.code_hash(["mlp.jobs.a"], small) == before
    (small / "mlp/c").mkdir()
    (small / "mlp/c/__init__.py").write_text("SCALE = 3\n")
    assert "mlp/c/__init__.py" in staleness.modules(["mlp.jobs.a"], small)
    assert staleness.code_hash(["mlp.jobs.a"], small) != before


def test_a_shown_file_counts_verbatim(small):
    before = staleness.code_hash(["mlp.jobs.a"], small, shown=["mlp/c.py"])
    (small / "mlp/c.py").write_text("SCALE = 2  # the text a page shows\n")
    assert staleness.code_hash(["mlp.jobs.a"], small, shown=["mlp/c.py"]) != before


# ------------------------------------------------------------ the results cache: a run's code

@pytest.fixture
def package(tmp_path):
    """A copy of the package, to edit; ``root`` holds it."""
    shutil.copytree(staleness.ROOT / "mlp", tmp_path / "mlp", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_modules_a_run_executes_are_found_from_the_imports():
    found = {name.removeprefix("mlp/") for name in staleness.modules([cache.RUN])}
    assert {"__init__.py", "experiments/__init__.py", "experiments/runs.py", "train.py", "fast.py", "data.py",
            "params.py", "scalar.py", "vectorized.py", "checks.py"} <= found
    assert not found & {"plots.py", "cli.py", "bench.py", "experiments/mnist.py", "experiments/synthetic.py",
                        "experiments/table.py"}
    assert not any(name.startswith("site/") for name in found)


def _edit_code(text: str) -> str:
    return text + "\n_edited = 1\n"


def _edit_comment_and_docstring(text: str) -> str:
    """``text`` with a new comment, blank lines, and its module docstring changed (or added)."""
    tree = ast.parse(text)
    has_docstring = (tree.body and isinstance(tree.body[0], ast.Expr)
                     and isinstance(tree.body[0].value, ast.Constant) and isinstance(tree.body[0].value.value, str))
    if has_docstring:
        start = text.index(text.lstrip()[:3])
        text = text[:start + 3] + "Edited: " + text[start + 3:]
    else:
        text = '"""An added docstring."""\n' + text
    return text + "\n\n# an added comment\n"


@pytest.mark.parametrize("name", staleness.modules([cache.RUN]))
def test_an_edit_to_the_code_of_any_module_a_run_executes_changes_the_key(package, name):
    before = cache.source_hash(root=package)
    path = package / name
    original = path.read_text()
    path.write_text(_edit_comment_and_docstring(original))
    assert _edit_comment_and_docstring(original) != original
    assert cache.source_hash(root=package) == before
    path.write_text(_edit_code(original))
    assert cache.source_hash(root=package) != before


def test_editing_a_figure_or_page_module_keeps_the_key(package):
    before = cache.source_hash(root=package)
    for name in ("plots.py", "cli.py", "experiments/mnist.py", "site/page.py"):
        (package / "mlp" / name).write_text(_edit_code((package / "mlp" / name).read_text()))
    assert cache.source_hash(root=package) == before


# ------------------------------------------------------------ the site: the pages' code and the files they show

@pytest.fixture
def site(package):
    """A copy of the project's pages and README beside the package copy, and its MkDocs config."""
    shutil.copytree(staleness.ROOT / "docs", package / "docs")
    shutil.copy(staleness.ROOT / "README.md", package / "README.md")
    return SimpleNamespace(root=package, config={"config_file_path": str(package / "mkdocs.yml"),
                                                 "docs_dir": str(package / "docs")})




@pytest.mark.parametrize("name, edit, changes", [
    ("mlp/plots.py", _edit_comment_and_docstring, False),  # the pages draw with it; its comments show nowhere
    ("mlp/experiments/verdicts.py", _edit_comment_and_docstring, False),
    ("mlp/plots.py", _edit_code, True),
    ("mlp/scalar.py", _edit_comment_and_docstring, True),  # its text is on the pages
    ("README.md", lambda t: t + "\nMore.\n", True),
    ("mlp/cli.py", _edit_code, False),  # no page imports the command line
])
def test_the_page_key_follows_the_pages_code_and_what_they_show(site, name, edit, changes):
    before = hooks.page_key(site.config, "results")
    assert hooks.page_key(site.config, "other results") != before
    path = site.root / name
    path.write_text(edit(path.read_text()))
    assert (hooks.page_key(site.config, "results") != before) is changes


def test_every_file_the_pages_show_exists_and_the_listings_come_from_them():
    from mlp.site import sourcelines

    assert all((staleness.ROOT / name).is_file() for name in SHOWN)
    for module in sourcelines.FORMS.values():
        assert Path(module.__file__).relative_to(staleness.ROOT).as_posix() in SHOWN
