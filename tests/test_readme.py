"""README.md's two commands stay true: CI runs the test command, the other serves the site."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def commands():
    return re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_gives_two_commands_site_then_tests():
    site, tests = commands()
    assert "pip install" in site and "mkdocs serve" in site
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands()[1] in ci


def test_ci_builds_the_site_strictly_before_testing_it():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("mkdocs build --strict") < ci.index(commands()[1])
    assert "MLP_SITE_DIR=site" in ci


def test_ci_runs_the_slow_serve_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export MLP_SERVE_TESTS=1" in ci.splitlines()
    assert ci.index("export MLP_SERVE_TESTS=1") < ci.index(commands()[1])
